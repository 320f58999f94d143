// setup, raw, script, pause, wait_for_connection, reboot: scripted probe replies (and a scripted host session) in,
// plans and results out.
import { describe, expect, it } from 'vitest';
import { ConnectError } from '../../../../src/errors.js';
import { pause } from '../../../../src/modules/hostmods/pause.js';
import { raw } from '../../../../src/modules/hostmods/raw.js';
import { reboot, rebootHost } from '../../../../src/modules/hostmods/reboot.js';
import { script } from '../../../../src/modules/hostmods/script.js';
import { setup } from '../../../../src/modules/hostmods/setup.js';
import { wait_for_connection, waitFor } from '../../../../src/modules/hostmods/wait_for_connection.js';
import type { ExecResult, HostSession } from '../../../../src/modules/types.js';
import { at, fakeCtx, fakeProbe } from '../fake-probe.js';

const FACTS =
  '@@uname\nLinux h1 6.1 #1 SMP x86_64\n@@osrel\nID=debian\nVERSION_ID=12\n@@bins\n/usr/bin/apt-get\n@@sysnet\n/sys/class/net/eth0/mtu:1500\n/sys/class/net/eth0/operstate:up\n@@addr\n2: eth0    inet 10.0.0.5/24 scope global eth0\n@@meminfo\nMemTotal: 2048000 kB\nMemFree: 1024000 kB\n';

describe('setup', () => {
  it('gathers the subset asked for in one probe, keeps what the filter matches, merges into ansible_facts', async () => {
    const probe = fakeProbe([[/@@uname/, FACTS]]);
    const p = setup.parse({ gather_subset: ['!all', 'network'], filter: ['ansible_eth*', 'ansible_all_ipv4_addresses'] }, at);
    const plan = await setup.plan(p, probe, fakeCtx({ vars: { ansible_facts: { os_family: 'Debian', memtotal_mb: 1 } } }));
    expect(probe.commands).toHaveLength(1);
    expect(probe.commands[0]).toContain('@@addr');
    expect(probe.commands[0]).not.toContain('@@meminfo');
    expect(plan.changed).toBe(false);
    expect(plan.result).toEqual({
      ansible_facts: { ansible_eth0: expect.objectContaining({ mtu: 1500 }), ansible_all_ipv4_addresses: ['10.0.0.5'] },
    });
    expect(plan.facts).toMatchObject({
      ansible_eth0: { device: 'eth0', active: true },
      ansible_facts: { os_family: 'Debian', memtotal_mb: 1, all_ipv4_addresses: ['10.0.0.5'] },
    });
    expect(plan.facts!.ansible_os_family).toBeUndefined();
  });
  it('gather_subset: all (the default) gives hardware and network too', async () => {
    const plan = await setup.plan(setup.parse({}, at), fakeProbe([[/@@uname/, FACTS]]), fakeCtx());
    expect(plan.facts).toMatchObject({ ansible_memtotal_mb: 2000, ansible_os_family: 'Debian', ansible_pkg_mgr: 'apt' });
  });
  it.each([
    [{ gather_subset: ['everything'] }, /bad subset "everything"/],
    [{ gather_timeout: 0 }, /gather_timeout must be at least 1/],
    [{ fact_path: '/etc/ansible/facts.d' }, /unknown argument|fact_path/],
  ])('refuses %j', (args, msg) => {
    expect(() => setup.parse(args, at)).toThrow(msg);
  });
});

describe('raw', () => {
  it('sends the line as written to the login shell; always changed', async () => {
    const plan = await raw.plan(raw.parse({ _raw: 'echo $HOME | tr a-z A-Z' }, at), fakeProbe(), fakeCtx());
    expect(plan).toMatchObject({ changed: true, steps: [{ kind: 'exec', cmd: 'echo $HOME | tr a-z A-Z', capture: true }] });
  });
  it('executable= runs it as <executable> -c', async () => {
    const plan = await raw.plan(raw.parse({ _raw: 'echo $0', executable: '/bin/bash' }, at), fakeProbe(), fakeCtx());
    expect(plan.steps).toEqual([{ kind: 'exec', cmd: "/bin/bash -c 'echo $0'", capture: true }]);
  });
  it('an empty line is refused', () => {
    expect(() => raw.parse({ _raw: '  ' }, at)).toThrow(/empty/);
  });
});

describe('script', () => {
  const ctx = fakeCtx({ readLocal: (p: string) => Buffer.from(`#!/bin/sh\necho ${p}\n`) });
  it('uploads the local file to a temporary path, runs it with its arguments, removes it', async () => {
    const p = script.parse({ _raw: 'files/setup.sh --flag "two words"', chdir: '/srv' }, at);
    const plan = await script.plan(p, fakeProbe(), ctx);
    const [up, run] = plan.steps as any[];
    expect(up).toMatchObject({ kind: 'upload', mode: '0700', content: Buffer.from('#!/bin/sh\necho files/setup.sh\n') });
    expect(up.dest).toMatch(/^\/tmp\/\.runbook-script-[0-9a-f]{12}-setup\.sh$/);
    expect(run.cmd).toBe(`(cd /srv && ${up.dest} --flag 'two words'); rc=$?; rm -f ${up.dest}; exit $rc`);
    expect(run.capture).toBe(true);
    expect(plan.changed).toBe(true);
  });
  it('executable runs the script through it', async () => {
    const plan = await script.plan(script.parse({ cmd: 'tool.py -v', executable: 'python3 -u' }, at), fakeProbe(), ctx);
    expect((plan.steps as any[])[1].cmd).toMatch(/^\(python3 -u \/tmp\/\.runbook-script-\w+-tool\.py -v\); rc=\$\?/);
  });
  it('creates: skipped when the path exists on the host, without reading the script', async () => {
    const probe = fakeProbe([[/test -e \/etc\/done/, 'creates=0\n']]);
    const plan = await script.plan(script.parse({ _raw: 'files/setup.sh', creates: '/etc/done' }, at), probe, fakeCtx());
    expect(plan).toEqual({ changed: false, skipped: 'creates /etc/done exists' });
  });
  it('removes: runs only when the path exists', async () => {
    const probe = fakeProbe([[/test -e \/etc\/old/, 'removes=1\n']]);
    const plan = await script.plan(script.parse({ _raw: 'files/setup.sh', removes: '/etc/old' }, at), probe, fakeCtx());
    expect(plan.skipped).toBe('removes /etc/old does not exist');
  });
  it('no script is refused', () => {
    expect(() => script.parse({ _raw: ' ' }, at)).toThrow(/no script given/);
  });
});

describe('pause', () => {
  it('waits the seconds, once for every host reaching the same task together', async () => {
    const p = pause.parse({ seconds: 0.2 }, at);
    const t0 = Date.now();
    const [a, b] = await Promise.all([pause.plan(p, fakeProbe(), fakeCtx()), pause.plan(p, fakeProbe(), fakeCtx({ host: 'web2' }))]);
    expect(Date.now() - t0).toBeLessThan(400);
    expect(a).toBe(b);
    expect(a).toMatchObject({ changed: false, result: { stdout: 'Paused for 0.2 seconds', user_input: '', echo: true } });
  });
  it('minutes are minutes; seconds and minutes together are refused', () => {
    expect(pause.parse({ minutes: 2 }, at)).toMatchObject({ seconds: 120 });
    expect(() => pause.parse({ seconds: 1, minutes: 1 }, at)).toThrow(/only one of seconds, minutes/);
  });
  it('a prompt without seconds and without a terminal fails clearly', async () => {
    const isTTY = process.stdin.isTTY;
    process.stdin.isTTY = false as never;
    try {
      const plan = await pause.plan(pause.parse({ prompt: 'Check the dashboard' }, at), fakeProbe(), fakeCtx());
      expect(plan.failed).toMatch(/waits for Enter, and runbook has no terminal.*seconds: or minutes:/);
    } finally {
      process.stdin.isTTY = isTTY;
    }
  });
});

// A host session scripted per call: reconnect and run replies taken in order.
function session(runs: (Partial<ExecResult> | Error)[], reconnects: (Error | undefined)[] = [], remote = true) {
  const log: string[] = [];
  const s: HostSession = {
    remote,
    async run(cmd) {
      log.push(`run ${cmd}`);
      const r = runs.shift();
      if (r === undefined) throw new Error(`unscripted run: ${cmd}`);
      if (r instanceof Error) throw r;
      return { code: 0, stdout: '', stderr: '', ...r };
    },
    async reconnect(ct) {
      log.push(`reconnect ${ct ?? ''}`);
      const e = reconnects.shift();
      if (e) throw e;
    },
    async close() {
      log.push('close');
    },
  };
  return { s, log };
}

const gone = () => new ConnectError('h1 (root@10.0.0.5:22): timed out after 1000 ms waiting for the ssh handshake');

describe('wait_for_connection', () => {
  it('check mode: skipped, as Ansible does', async () => {
    const plan = await wait_for_connection.plan(wait_for_connection.parse({}, at), fakeProbe(), fakeCtx({ check: true }));
    expect(plan.skipped).toBe('skipped in check mode');
  });
  it('reopens the connection until a command answers', async () => {
    const { s, log } = session([{ stdout: 'pong\n' }], [gone(), gone()]);
    const out = await waitFor({ delay: 0, sleep: 0, timeout: 5, connectTimeout: 2 }, s);
    expect(out).toEqual({ elapsed: 0 });
    expect(log).toEqual(['reconnect 2', 'reconnect 2', 'reconnect 2', 'run echo pong']);
  });
  it('gives up after timeout with the last reason', async () => {
    const { s } = session([], Array.from({ length: 100 }, gone));
    const out = await waitFor({ delay: 0, sleep: 0, timeout: 0.05 as never, connectTimeout: 1 }, s);
    expect(out).toMatchObject({
      failed: true,
      msg: expect.stringMatching(/^timed out waiting for ping module test: h1 .*timed out after 1000 ms/),
    });
  });
  it('the plan is unchanged and carries the session', async () => {
    const plan = await wait_for_connection.plan(wait_for_connection.parse({ timeout: 30 }, at), fakeProbe(), fakeCtx());
    expect(plan.changed).toBe(false);
    expect(typeof plan.session).toBe('function');
  });
});

describe('reboot', () => {
  const args = (a: Record<string, unknown> = {}) => reboot.parse({ reboot_timeout: 2, ...a }, at);
  it('default command as Ansible builds it (minutes of pre_reboot_delay, the message)', () => {
    expect(args().rebootCommand).toBe("shutdown -r 0 'Reboot initiated by runbook'");
    expect(args({ pre_reboot_delay: 150, msg: 'kernel' }).rebootCommand).toBe('shutdown -r 2 kernel');
    expect(args({ reboot_command: 'reboot' }).rebootCommand).toBe('reboot');
    expect(args().bootTimeCommand).toBe('cat /proc/sys/kernel/random/boot_id');
  });
  it('check mode: changed, rebooted, nothing done', async () => {
    const plan = await reboot.plan(args(), fakeProbe(), fakeCtx({ check: true }));
    expect(plan).toMatchObject({ changed: true, result: { elapsed: 0, rebooted: true } });
    expect(plan.session).toBeUndefined();
  });
  it('boot id, reboot, close, wait for a new boot id over new connections, test command', async () => {
    const { s, log } = session(
      [{ stdout: 'aaa\n' }, { stdout: 'rebooting\n' }, { stdout: 'aaa\n' }, { stdout: 'bbb\n' }, { stdout: 'root\n' }],
      [gone(), undefined, undefined],
    );
    const out = await rebootHost({ ...args(), rebootTimeout: 10, connectTimeout: 1 }, s);
    expect(out).toMatchObject({ rebooted: true });
    expect(log).toEqual([
      'run cat /proc/sys/kernel/random/boot_id',
      "run shutdown -r 0 'Reboot initiated by runbook'",
      'close',
      'reconnect 1',
      'reconnect 1',
      'run cat /proc/sys/kernel/random/boot_id',
      'reconnect 1',
      'run cat /proc/sys/kernel/random/boot_id',
      'run whoami',
    ]);
  }, 15_000);
  it('a connection dropped by the reboot command is the reboot', async () => {
    const { s } = session([{ stdout: 'aaa' }, gone(), { stdout: 'bbb' }, {}], [undefined]);
    expect(await rebootHost({ ...args(), rebootTimeout: 5 }, s)).toMatchObject({ rebooted: true });
  });
  it('a host that never comes back fails after reboot_timeout', async () => {
    const { s } = session([{ stdout: 'aaa' }, {}], Array.from({ length: 50 }, gone));
    const out = await rebootHost({ ...args(), rebootTimeout: 1 }, s);
    expect(out).toMatchObject({
      failed: true,
      rebooted: true,
      msg: expect.stringMatching(/^Timed out waiting for last boot time check \(timeout=1\): h1 .*ssh handshake/),
    });
  });
  it('a failing reboot command fails without waiting', async () => {
    const { s } = session([{ stdout: 'aaa' }, { code: 1, stderr: 'shutdown: not allowed' }]);
    expect(await rebootHost(args(), s)).toMatchObject({
      failed: true,
      rebooted: false,
      msg: "Reboot command failed. Error was: ', shutdown: not allowed'",
    });
  });
  it('refuses to reboot the controller (local connection)', async () => {
    const { s } = session([], [], false);
    expect(await rebootHost(args(), s)).toMatchObject({
      failed: true,
      msg: 'Running reboot with local connection would reboot the control node.',
    });
  });
});
