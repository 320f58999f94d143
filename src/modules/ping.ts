// Proves the host answers a command, which is all Ansible's ping proves.
import { argsOf, optStr } from './args.js';
import { defineModule } from './types.js';

/** Ansible's ping: result.ping is `data` (default "pong"). */
export const ping = defineModule<{ data: string }>({
  name: 'ping',
  parse(raw, at) {
    const a = argsOf(raw, at, 'ping', ['data']);
    return { data: optStr(a, 'data') ?? 'pong' };
  },
  async plan(p, probe) {
    const r = await probe.run('echo pong');
    if (r.code !== 0 || r.stdout.trim() !== 'pong')
      return { changed: false, failed: `ping got no pong (rc=${r.code}): ${(r.stderr || r.stdout).trim()}` };
    return { changed: false, result: { ping: p.data } };
  },
});
