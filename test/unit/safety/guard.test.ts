// NetworkGuard with scripted connections: which tasks arm, how many execs it costs, and what settle reports.
import { describe, expect, it } from 'vitest';
import { networkTask, writtenPaths } from '../../../src/executor/safety/classify.js';
import { DONE, FIRED } from '../../../src/executor/safety/commands.js';
import { type ApplyIntent, NetworkGuard } from '../../../src/executor/safety/guard.js';
import type { Plan } from '../../../src/modules/types.js';
import type { Connection, ExecOptions } from '../../../src/remote/connection.js';

/** A connection that records commands and answers with `reply(cmd)`. */
function conn(reply: (cmd: string) => string | Error = () => DONE): Connection & { cmds: string[] } {
  const cmds: string[] = [];
  return {
    host: 'h1',
    cmds,
    async exec(cmd: string, _o?: ExecOptions) {
      cmds.push(cmd);
      const r = reply(cmd);
      if (r instanceof Error) throw r;
      return { code: 0, stdout: `${r}\n`, stderr: '' };
    },
    put: async () => undefined,
    readFile: async () => null,
    close: async () => undefined,
  };
}

const upload = (dest: string): Plan => ({ changed: true, steps: [{ kind: 'upload', dest, content: Buffer.from('x') }] });
const exec: Plan = { changed: true, steps: [{ kind: 'exec', cmd: 'true' }] };
const intent = (c: Connection, module: string, args: unknown, plan: Plan = exec, network?: boolean): ApplyIntent => ({
  host: 'h1',
  task: { name: `${module} task`, module, network },
  args,
  plan,
  conn: c,
  as: {},
});

describe('networkTask', () => {
  const table: [string, unknown, boolean | undefined, boolean][] = [
    ['bridge', { name: 'br0' }, undefined, true],
    ['ovs_bridge', {}, undefined, true],
    ['ovs_port', {}, undefined, true],
    ['route', {}, undefined, true],
    ['sysctl', { name: 'net.ipv4.ip_forward' }, undefined, true],
    ['sysctl', { name: 'vm.swappiness' }, undefined, false],
    ['command', {}, true, true],
    ['shell', {}, undefined, false],
    ['copy', {}, undefined, false],
  ];
  for (const [m, args, net, want] of table)
    it(`${m} ${JSON.stringify(args)} network=${net}: ${want}`, () => expect(networkTask(m, args, net)).toBe(want));

  it('a plan writes its uploads; sysctl also the kernel value', () => {
    expect(writtenPaths('copy', {}, upload('/etc/a'))).toEqual(['/etc/a']);
    expect(writtenPaths('sysctl', { name: 'net.ipv4.ip_forward' }, upload('/etc/sysctl.d/99.conf'))).toEqual([
      '/etc/sysctl.d/99.conf',
      '/proc/sys/net/ipv4/ip_forward',
    ]);
  });
});

describe('NetworkGuard.beforeApply', () => {
  it('arms nothing for a task that cannot change the network', async () => {
    const c = conn();
    const g = new NetworkGuard({ confirmTimeout: 60, rollbackOnFailure: false, runId: 't' });
    await g.beforeApply(intent(c, 'copy', {}, upload('/etc/a')));
    expect(c.cmds).toEqual([]);
    expect(g.saved).toEqual([]);
  });

  it('saves and arms in one exec before the first network change, then costs nothing per network task', async () => {
    const c = conn();
    let now = 0;
    const g = new NetworkGuard({ confirmTimeout: 60, rollbackOnFailure: false, runId: 't', now: () => now });
    await g.beforeApply(intent(c, 'bridge', { name: 'br0' }));
    expect(c.cmds).toHaveLength(1);
    expect(c.cmds[0]).toContain('rb_snap > "$D/snap"');
    expect(c.cmds[0]).toContain('setsid -f sh /run/runbook-guard/t/lib.sh watch');
    now = 10_000;
    await g.beforeApply(intent(c, 'route', {}));
    expect(c.cmds).toHaveLength(1);
    // a file written while armed is copied first (and the exec checks the host has not restored itself)
    await g.beforeApply(intent(c, 'copy', {}, upload('/etc/a')));
    expect(c.cmds).toHaveLength(2);
    expect(c.cmds[1]).toContain('rb_keep /etc/a');
    expect(c.cmds[1]).toContain('/run/runbook-guard/t/armed ] ||');
    await g.beforeApply(intent(c, 'copy', {}, upload('/etc/a')));
    expect(c.cmds).toHaveLength(2);
    // a third of the timeout gone: the deadline moves with the next change
    now = 40_000;
    await g.beforeApply(intent(c, 'route', {}));
    expect(c.cmds).toHaveLength(3);
    expect(c.cmds[2]).toContain('+ 60 )) > /run/runbook-guard/t/deadline');
  });

  it('copies the files the plans made ahead will write in the same exec as the save: no round trip per file', async () => {
    const c = conn();
    const g = new NetworkGuard({ confirmTimeout: 60, rollbackOnFailure: false, runId: 't' });
    g.expectWrites('h1', Promise.resolve(['/etc/docker/daemon.json', '/etc/rc.local']));
    await g.beforeApply(intent(c, 'ovs_bridge', {}));
    expect(c.cmds).toHaveLength(1);
    expect(c.cmds[0]).toContain('rb_keep /etc/docker/daemon.json');
    expect(c.cmds[0]).toContain('rb_keep /etc/rc.local');
    await g.beforeApply(intent(c, 'copy', {}, upload('/etc/docker/daemon.json')));
    expect(c.cmds).toHaveLength(1);
  });

  it('--confirm-timeout 0 with --rollback-on-failure saves before any change but arms no watchdog', async () => {
    const c = conn();
    const g = new NetworkGuard({ confirmTimeout: 0, rollbackOnFailure: true, runId: 't' });
    await g.beforeApply(intent(c, 'copy', {}, upload('/etc/a')));
    await g.beforeApply(intent(c, 'bridge', {}));
    expect(c.cmds).toHaveLength(1);
    expect(c.cmds[0]).toContain('rb_keep /etc/a');
    expect(c.cmds.join('\n')).not.toContain('setsid');
  });

  it('refuses to apply when the state cannot be saved, or the host already restored itself', async () => {
    const g = new NetworkGuard({ confirmTimeout: 60, rollbackOnFailure: false, runId: 't' });
    await expect(
      g.beforeApply(
        intent(
          conn(() => 'no'),
          'bridge',
          {},
        ),
      ),
    ).rejects.toThrow(/could not save the host's state before this task/);
    const c = conn();
    await g.beforeApply(intent(c, 'bridge', {}));
    const fired = { ...c, exec: async () => ({ code: 9, stdout: `${FIRED}\n`, stderr: '' }) };
    await expect(g.beforeApply(intent(fired, 'copy', {}, upload('/etc/b')))).rejects.toThrow(/already put itself back/);
  });
});

describe('NetworkGuard.settle', () => {
  const fastClock = () => {
    let t = 0;
    return { now: () => t, sleep: async (ms: number) => void (t += ms) };
  };

  it('confirms over a new connection', async () => {
    const g = new NetworkGuard({ confirmTimeout: 10, rollbackOnFailure: false, runId: 't' });
    await g.beforeApply(intent(conn(), 'route', {}));
    const fresh = conn(() => 'confirmed');
    const [o] = await g.settle(['h1'], { fresh: async () => fresh, failed: () => undefined, interrupted: false });
    expect(o.status).toBe('confirmed');
    expect(fresh.cmds[0]).toContain('mv /run/runbook-guard/t/armed /run/runbook-guard/t/disarmed');
  });

  // A closable scripted connection: what settle does with the one opened early, while the handlers ran.
  const closable = (answer: string) => {
    const c = conn(() => answer);
    let closed = 0;
    return Object.assign(c, { close: async () => void closed++, closed: () => closed });
  };

  it('uses the connection opened while the handlers ran when no network change came after it', async () => {
    const g = new NetworkGuard({ confirmTimeout: 10, rollbackOnFailure: false, runId: 't' });
    await g.beforeApply(intent(conn(), 'route', {}));
    const early = closable('confirmed');
    let opened = 0;
    g.prefetch(['h1'], async () => {
      opened++;
      return early;
    });
    const late = async () => Promise.reject(new Error('settle must not open another'));
    const [o] = await g.settle(['h1'], { fresh: late, failed: () => undefined, interrupted: false });
    expect(o.status).toBe('confirmed');
    expect(opened).toBe(1);
    expect(early.cmds[0]).toContain('mv /run/runbook-guard/t/armed /run/runbook-guard/t/disarmed');
    expect(early.closed()).toBe(1);
  });

  it('opens another connection when a network change (a handler) reached the host after the early one', async () => {
    const g = new NetworkGuard({ confirmTimeout: 10, rollbackOnFailure: false, runId: 't' });
    const c = conn();
    await g.beforeApply(intent(c, 'route', {}));
    const early = closable('confirmed');
    g.prefetch(['h1'], async () => early);
    await g.beforeApply(intent(c, 'bridge', { name: 'br0' })); // the handler
    const late = closable('confirmed');
    const [o] = await g.settle(['h1'], { fresh: async () => late, failed: () => undefined, interrupted: false });
    expect(o.status).toBe('confirmed');
    expect(early.cmds).toEqual([]);
    expect(late.cmds[0]).toContain('/disarmed');
    await new Promise((r) => setImmediate(r));
    expect(early.closed()).toBe(1);
  });

  it('closes the early connection unused when the host is rolled back instead', async () => {
    const c = conn((cmd) => (cmd.includes('echo 0 >') ? 'restored' : DONE));
    const g = new NetworkGuard({ confirmTimeout: 10, rollbackOnFailure: true, runId: 't' });
    await g.beforeApply(intent(c, 'route', {}));
    const early = closable('confirmed');
    g.prefetch(['h1'], async () => early);
    const [o] = await g.settle(['h1'], { fresh: async () => conn(), failed: () => '"rc=1"', interrupted: false });
    expect(o.status).toBe('rolled back');
    await new Promise((r) => setImmediate(r));
    expect(early.cmds).toEqual([]);
    expect(early.closed()).toBe(1);
  });

  it('a lost host: waits for the watchdog, reconnects and reports it rolled back naming the task', async () => {
    const clock = fastClock();
    const g = new NetworkGuard({ confirmTimeout: 10, rollbackOnFailure: false, runId: 't', ...clock });
    await g.beforeApply(intent(conn(), 'bridge', {}));
    g.lost('h1', 'uplink into br0');
    let tries = 0;
    const fresh = async () => {
      if (++tries < 3) throw new Error('connect timeout');
      return conn((cmd) => (cmd.includes('restored') ? 'restored' : DONE));
    };
    const [o] = await g.settle(['h1'], { fresh, failed: () => undefined, interrupted: false });
    expect(o).toMatchObject({ status: 'rolled back', task: 'uplink into br0' });
    expect(o.msg).toBe(
      'rolled back: the management path was lost in "uplink into br0" (the session died); links, addresses, routes and files equal those saved before the play',
    );
  });

  it('a host that never comes back is reported not restored after timeout + grace', async () => {
    const clock = fastClock();
    const g = new NetworkGuard({ confirmTimeout: 10, graceSeconds: 5, rollbackOnFailure: false, runId: 't', ...clock });
    await g.beforeApply(intent(conn(), 'bridge', {}));
    const [o] = await g.settle(['h1'], {
      fresh: async () => Promise.reject(new Error('no route to host')),
      failed: () => undefined,
      interrupted: false,
    });
    expect(o.status).toBe('not restored');
    expect(o.msg).toContain('still unreachable 15 s after it was armed (no route to host)');
  });

  it('--rollback-on-failure restores a failed host through its watchdog; differences left are reported', async () => {
    const c = conn((cmd) => (cmd.includes('echo 0 >') ? 'restored\nfile /etc/x' : DONE));
    const g = new NetworkGuard({ confirmTimeout: 0, rollbackOnFailure: true, runId: 't' });
    await g.beforeApply(intent(c, 'copy', {}, upload('/etc/x')));
    const [o] = await g.settle(['h1'], { fresh: async () => conn(), failed: () => '"rc=1"', interrupted: false });
    expect(o.status).toBe('rolled back');
    expect(o.msg).toContain('--rollback-on-failure after "rc=1"; it differs from the saved state in 1 line(s): file /etc/x');
  });
});

describe('staticWrites', () => {
  it('takes the literal absolute dest/path of writing modules, not templated ones or other modules', async () => {
    const { staticWrites } = await import('../../../src/executor/safety/expect.js');
    const t = (module: string, args: unknown) => ({ module, args }) as never;
    expect(
      staticWrites([
        t('template', { src: 'a.hbs', dest: '/etc/sysconfig/network-scripts/ifcfg-br0' }),
        t('json_merge', { path: '/etc/docker/daemon.json' }),
        t('copy', { dest: '/etc/{{ name }}.conf' }),
        t('copy', { dest: 'relative.conf' }),
        t('file', { path: '/etc/docker', state: 'directory' }),
        t('ansible.builtin.lineinfile', { path: '/etc/hosts', line: 'x' }),
      ]),
    ).toEqual(['/etc/sysconfig/network-scripts/ifcfg-br0', '/etc/docker/daemon.json', '/etc/hosts']);
  });
});
