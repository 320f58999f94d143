// Ansible's reboot: note the boot id, issue the reboot, drop the connection, wait for the host to come back with
// another boot id over a new connection, then for test_command to succeed.
import { ConnectError } from '../../errors.js';
import { quote } from '../../remote/quote.js';
import { errorText } from '../../shared/error-text.js';
import { fail } from '../args.js';
import { defineModule, type HostSession } from '../types.js';

export interface RebootArgs {
  rebootTimeout: number;
  connectTimeout?: number;
  preDelay: number;
  postDelay: number;
  testCommand: string;
  bootTimeCommand: string;
  rebootCommand: string;
}

const DEFAULT_MSG = 'Reboot initiated by runbook';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const firstLine = (e: unknown) => errorText(e).split('\n')[0];
const secs = (since: number) => Math.floor((Date.now() - since) / 1000);

export const reboot = defineModule({
  name: 'reboot',
  doc: 'Reboots the host and waits until it is back (a new boot id over a new connection, then test_command succeeds).',
  example: 'reboot: {reboot_timeout: 600, msg: "kernel update"}',
  atTurn: true,
  args: {
    reboot_timeout: { type: 'int', default: 600, description: 'seconds to wait for the new boot id, and again for test_command' },
    connect_timeout: { type: 'int', description: "seconds one connection attempt may take while the host is away (default: the run's)" },
    pre_reboot_delay: {
      type: 'int',
      default: 0,
      description: 'seconds before the reboot, given to shutdown in whole minutes (under 60: now)',
    },
    post_reboot_delay: { type: 'int', default: 0, description: 'seconds to wait after the reboot command before checking' },
    test_command: { default: 'whoami', description: 'a command that must succeed once the host is back' },
    msg: { default: DEFAULT_MSG, description: 'message shutdown broadcasts to logged-in users' },
    reboot_command: { description: 'the command that reboots (default: shutdown -r <minutes> "<msg>")' },
    boot_time_command: {
      default: 'cat /proc/sys/kernel/random/boot_id',
      description: 'prints something that differs after a reboot (the boot id)',
    },
    search_paths: { type: 'list', elements: 'path', description: "accepted: shutdown is found on the host's PATH" },
  },
  build(v, a): RebootArgs {
    for (const k of ['reboot_timeout', 'pre_reboot_delay', 'post_reboot_delay'] as const) if (v[k] < 0) fail(a, `${k} must be 0 or more`);
    if (v.connect_timeout !== undefined && v.connect_timeout < 1) fail(a, 'connect_timeout must be at least 1 second');
    const minutes = Math.floor(v.pre_reboot_delay / 60);
    return {
      rebootTimeout: v.reboot_timeout,
      connectTimeout: v.connect_timeout,
      preDelay: v.pre_reboot_delay,
      postDelay: v.post_reboot_delay,
      testCommand: v.test_command,
      bootTimeCommand: v.boot_time_command,
      rebootCommand: v.reboot_command ?? `shutdown -r ${minutes} ${quote(v.msg)}`,
    };
  },
  plan(p, _probe, ctx) {
    // as Ansible: check mode reports the reboot without doing it
    if (ctx.check) return Promise.resolve({ changed: true, note: 'would reboot', result: { elapsed: 0, rebooted: true } });
    return Promise.resolve({ changed: true, note: 'rebooted', session: (s) => rebootHost(p, s) });
  },
});

export async function rebootHost(p: RebootArgs, s: HostSession): Promise<Record<string, unknown>> {
  if (!s.remote)
    return { failed: true, rebooted: false, elapsed: 0, msg: 'Running reboot with local connection would reboot the control node.' };
  const bt = await s.run(p.bootTimeCommand);
  if (bt.code !== 0 || !bt.stdout.trim())
    return {
      failed: true,
      rebooted: false,
      elapsed: 0,
      msg: `reboot: failed to get host boot time info, rc: ${bt.code}, stdout: ${bt.stdout.trim()}, stderr: ${bt.stderr.trim()}`,
    };
  const before = bt.stdout.trim();
  const start = Date.now();
  try {
    const r = await s.run(p.rebootCommand);
    if (r.code !== 0)
      return {
        failed: true,
        rebooted: false,
        elapsed: secs(start),
        msg: `Reboot command failed. Error was: '${r.stdout.trim()}, ${r.stderr.trim()}'`,
      };
  } catch (e) {
    // the host may drop us before the command returns: that is the reboot
    if (!(e instanceof ConnectError)) throw e;
  }
  await s.close().catch(() => undefined);
  if (p.postDelay) await sleep(p.postDelay * 1000);

  const booted = await untilDone(p.rebootTimeout, async () => {
    await s.reconnect(p.connectTimeout);
    const now = await s.run(p.bootTimeCommand);
    if (now.code !== 0) throw new Error(`boot time command failed (rc=${now.code}): ${now.stderr.trim()}`);
    if (!now.stdout.trim() || now.stdout.trim() === before) throw new Error('boot time has not changed');
  });
  if (booted !== true)
    return {
      failed: true,
      rebooted: true,
      elapsed: secs(start),
      msg: `Timed out waiting for last boot time check (timeout=${p.rebootTimeout}): ${booted}`,
    };

  let reconnect = false;
  const tested = await untilDone(p.rebootTimeout, async () => {
    if (reconnect) await s.reconnect(p.connectTimeout);
    try {
      const t = await s.run(p.testCommand);
      if (t.code !== 0) throw new Error(`Test command failed: ${t.stderr.trim()} ${t.stdout.trim()}`.trim());
    } catch (e) {
      // a connection lost again (another reboot) is reopened on the next try
      reconnect = e instanceof ConnectError;
      throw e;
    }
  });
  if (tested !== true)
    return {
      failed: true,
      rebooted: true,
      elapsed: secs(start),
      msg: `Timed out waiting for post-reboot test command (timeout=${p.rebootTimeout}): ${tested}`,
    };
  return { rebooted: true, elapsed: secs(start) };
}

// Ansible's do_until_success_or_timeout: exponential backoff from 1 s (with jitter) up to 12 s; true, or the last error.
async function untilDone(timeout: number, action: () => Promise<void>): Promise<true | string> {
  const end = Date.now() + timeout * 1000;
  let fails = 0;
  let last = 'no attempt made';
  while (Date.now() < end) {
    try {
      await action();
      return true;
    } catch (e) {
      last = firstLine(e);
    }
    const wait = Math.min(2 ** fails, 12) * 1000 + Math.random() * 1000;
    fails++;
    await sleep(Math.min(wait, Math.max(0, end - Date.now())));
  }
  return last;
}
