// Proves the host answers a command, which is all Ansible's ping proves.
import { defineModule } from './types.js';

/** Ansible's ping: result.ping is `data` (default "pong"). */
export const ping = defineModule({
  name: 'ping',
  doc: "Proves the host answers a command, which is all Ansible's ping proves.",
  example: 'ping:',
  args: { data: { default: 'pong', description: 'the value returned as result.ping' } },
  build: (v) => ({ data: v.data }),
  async plan(p, probe) {
    const r = await probe.run('echo pong');
    if (r.code !== 0 || r.stdout.trim() !== 'pong')
      return { changed: false, failed: `ping got no pong (rc=${r.code}): ${(r.stderr || r.stdout).trim()}` };
    return { changed: false, result: { ping: p.data } };
  },
});
