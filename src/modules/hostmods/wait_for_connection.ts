// Ansible's wait_for_connection: closes and reopens the host's connection until a command answers, or times out.
import { errorText } from '../../shared/error-text.js';
import { fail } from '../args.js';
import { defineModule, type HostSession } from '../types.js';

export interface WaitArgs {
  delay: number;
  sleep: number;
  timeout: number;
  connectTimeout: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const firstLine = (e: unknown) => errorText(e).split('\n')[0];

export const wait_for_connection = defineModule({
  name: 'wait_for_connection',
  doc: 'Waits until the host answers again over a new connection (after a restart of its sshd or network).',
  example: 'wait_for_connection: {delay: 5, timeout: 300}',
  atTurn: true,
  args: {
    delay: { type: 'int', default: 0, description: 'seconds to wait before the first try' },
    sleep: { type: 'int', default: 1, description: 'seconds between tries' },
    timeout: { type: 'int', default: 600, description: 'seconds to keep trying' },
    connect_timeout: { type: 'int', default: 5, description: 'seconds one connection attempt may take' },
  },
  build(v, a): WaitArgs {
    for (const k of ['delay', 'sleep', 'timeout', 'connect_timeout'] as const) if (v[k] < 0) fail(a, `${k} must be 0 or more`);
    return { delay: v.delay, sleep: v.sleep, timeout: v.timeout, connectTimeout: Math.max(1, v.connect_timeout) };
  },
  plan(p, _probe, ctx) {
    // Ansible skips it in check mode
    if (ctx.check) return Promise.resolve({ changed: false, skipped: 'skipped in check mode' });
    return Promise.resolve({ changed: false, note: 'connection answers', session: (s) => waitFor(p, s) });
  },
});

export async function waitFor(p: WaitArgs, s: HostSession): Promise<Record<string, unknown>> {
  const start = Date.now();
  if (p.delay) await pause(p.delay * 1000);
  const end = Date.now() + p.timeout * 1000;
  let last = 'no attempt made';
  while (Date.now() < end) {
    try {
      if (s.remote) await s.reconnect(p.connectTimeout);
      const r = await s.run('echo pong', { timeout: p.connectTimeout + 5 });
      if (r.code === 0 && r.stdout.trim() === 'pong') return { elapsed: Math.floor((Date.now() - start) / 1000) };
      last = `ping test failed (rc=${r.code}): ${r.stderr.trim()}`;
    } catch (e) {
      last = firstLine(e);
    }
    await pause(Math.min(p.sleep * 1000, Math.max(0, end - Date.now())));
  }
  return { failed: true, elapsed: Math.floor((Date.now() - start) / 1000), msg: `timed out waiting for ping module test: ${last}` };
}
