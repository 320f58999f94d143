// Network safety on real hosts: a change that cuts SSH is rolled back by the host itself (bridge on the uplink, a
// black-holing route, the address moved off the uplink, an OVS bridge taking the uplink), confirmed runs leave
// nothing behind, a killed or interrupted runbook leaves hosts that revert, and --rollback-on-failure restores
// network and files. Lab "gard" (2 plain hosts) and "gdo" (1 OVS host).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

const T = 6; // --confirm-timeout for every run here
const dir = mkdtempSync(join(tmpdir(), 'rb-safety-'));
let lab: LabInfo;
/** The controller's address on the lab bridge: a gateway that keeps the path working. */
const gw = () => lab.subnet.replace(/0\/24$/, '1');

function playbook(name: string, tasks: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}`);
  return path;
}

/** What the safety promises to put back: links (master, MTU, state), addresses, routes of every table, rules. */
const netState = (l: LabInfo, h: string) =>
  onHost(
    l,
    h,
    "ip -o link show | sed 's/ link-netnsid.*//; s/ state [A-Z]*//' ; ip -o addr show | sed 's/\\\\.*//'; ip route show table all; ip rule; ip -br link",
  )
    // IPv6 link-local addresses and routes are the kernel's (made again from the links, with DAD in between)
    .stdout.split('\n')
    .filter((l) => !l.includes('fe80'))
    .join('\n');
const leftovers = (l: LabInfo, h: string) =>
  onHost(l, h, 'ls /run/runbook-guard 2>/dev/null; ps -eo args | grep "[l]ib.sh watch" || true').stdout.trim();
const accepted = (l: LabInfo, h: string) =>
  (readFileSync(join(l.dir, 'logs', `${h}.log`), 'utf8').match(/Accepted publickey/g) ?? []).length;

async function run(pb: string, extra: string[] = [], l: LabInfo = lab) {
  const t0 = Date.now();
  const r = await runbook(['run', pb, '-i', l.inventoryPath, '-o', 'plain', '--confirm-timeout', String(T), ...extra]);
  return { ...r, seconds: (Date.now() - t0) / 1000 };
}

beforeAll(async () => {
  lab = await withLab('gard', 2);
});
afterAll(async () => {
  await labDown({ name: 'gard' });
});

describe('commit-confirmed network changes', () => {
  it('a change that keeps SSH working is confirmed over one new connection and leaves nothing on the host; a no-op rerun arms nothing', async () => {
    const pb = playbook('ok', `    - route: {to: 192.168.77.0/24, via: ${gw()}}\n    - sysctl: {name: net.ipv4.ip_forward, value: "1"}\n`);
    const before = accepted(lab, 'h1');
    const r = await run(pb);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain(`restores itself within ${T} s`);
    expect(recapOf(r.stdout).h1).toMatchObject({ changed: 2, failed: 0, unreachable: 0 });
    // the play's own connection plus the proof
    expect(accepted(lab, 'h1') - before).toBe(2);
    expect(leftovers(lab, 'h1')).toBe('');
    expect(onHost(lab, 'h1', 'ip route show 192.168.77.0/24').stdout).toContain('192.168.77.0/24');

    const again = accepted(lab, 'h1');
    const rerun = await run(pb);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(recapOf(rerun.stdout).h1.changed).toBe(0);
    expect(accepted(lab, 'h1') - again).toBe(1);
    expect(leftovers(lab, 'h1')).toBe('');
    for (const h of ['h1', 'h2']) onHost(lab, h, 'ip route del 192.168.77.0/24; sysctl -qw net.ipv4.ip_forward=0');
  });

  const cuts: [string, string][] = [
    // The bridge is left down: the bridge module applies in one command, and an up bridge holding the uplink still
    // answers for the uplink's address here (Linux accepts a local address on any interface), so it cuts nothing.
    [
      'the uplink enslaved to a bridge that is down',
      "    - name: cut\n      bridge: {name: br0, ports: [eth0], up: false}\n      when: inventory_hostname == 'h1'\n",
    ],
    [
      'a route that black-holes the controller',
      "    - name: cut\n      route: {to: 10.250.117.0/26, via: 10.250.117.250}\n      when: inventory_hostname == 'h1'\n",
    ],
    [
      'the address moved off the uplink (shell marked network: true)',
      "    - name: cut\n      shell: ip addr del {{ ansible_host }}/24 dev eth0 && ip addr add {{ ansible_host }}/32 dev lo\n      network: true\n      when: inventory_hostname == 'h1'\n",
    ],
  ];
  for (const [what, task] of cuts) {
    it(`${what}: the host reverts by itself, reported rolled back; the other host finishes`, async () => {
      const pb = playbook('cut', `${task}    - name: after\n      copy: {dest: /etc/after-cut, content: "x\\n"}\n`);
      const before = netState(lab, 'h1');
      const r = await run(pb);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const recap = recapOf(r.stdout);
      expect(recap.h1.rolled_back, r.stdout).toBe(1);
      expect(recap.h2).toMatchObject({ rolled_back: 0, failed: 0, unreachable: 0 });
      expect(r.stdout).toMatch(
        /rolled back: the management path was lost (in|after) "cut" \(.*\); links, addresses, routes and files equal those saved before the play/,
      );
      // back within timeout + 10 s of the cut (the run waits for it, then reconnects)
      expect(r.seconds).toBeLessThan(T + 10 + 15);
      expect(netState(lab, 'h1')).toBe(before);
      expect(onHost(lab, 'h1', 'test -e /etc/after-cut && echo yes || echo no').stdout.trim()).toBe('no');
      expect(onHost(lab, 'h2', 'cat /etc/after-cut').stdout).toBe('x\n');
      expect(leftovers(lab, 'h1')).toBe('');
      onHost(lab, 'h2', 'rm -f /etc/after-cut');
    }, 90_000);
  }

  it('the JSON output and the HTML report carry rolled back', async () => {
    const pb = playbook('cut-json', cuts[0][1]);
    const report = join(dir, 'report.html');
    const r = await runbook(['run', pb, '-i', lab.inventoryPath, '-o', 'json', '--confirm-timeout', String(T), '--report', report]);
    expect(r.code, r.stderr).toBe(2);
    const end = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(JSON.stringify(end)).toContain('"rolledBack":1');
    expect(readFileSync(report, 'utf8')).toContain('<th>rolled back</th>');
    expect(leftovers(lab, 'h1')).toBe('');
  }, 90_000);

  it('runbook killed while a host is armed: the host reverts by itself (the watchdog outlives the SSH session)', async () => {
    const pb = playbook('killed', `    - route: {to: 192.168.79.0/24, via: ${gw()}}\n    - command: sleep 30\n`);
    const before = { h1: netState(lab, 'h1'), h2: netState(lab, 'h2') };
    const routed = (h: string) => onHost(lab, h, 'ip route show 192.168.79.0/24').stdout.includes('192.168');
    const child = spawn(process.execPath, [CLI, 'run', pb, '-i', lab.inventoryPath, '-o', 'plain', '--confirm-timeout', String(T)], {
      stdio: 'ignore',
    });
    await waitFor(() => routed('h1') && routed('h2'), 20_000);
    child.kill('SIGKILL');
    await waitFor(() => !routed('h1') && !routed('h2'), (T + 10) * 1000);
    for (const h of ['h1', 'h2'] as const) {
      expect(netState(lab, h)).toBe(before[h]);
      // After a restore the watchdog keeps the state for a runbook that comes back, and removes it after a while.
      expect(onHost(lab, h, 'ls /run/runbook-guard/*/restored').code).toBe(0);
      onHost(lab, h, 'for p in /run/runbook-guard/*/pid; do kill -TERM -$(cat $p); done; rm -rf /run/runbook-guard');
    }
  }, 60_000);

  it('the SSH session killed on the host while it is armed: the watchdog (its own session) restores it; rolled back names the task', async () => {
    // (only h1 waits: a task longer than the timeout on an armed host would let its watchdog fire, see README)
    const pb = playbook(
      'session',
      `    - route: {to: 192.168.81.0/24, via: ${gw()}}\n    - name: wait\n      command: sleep 20\n      when: inventory_hostname == 'h1'\n`,
    );
    const before = netState(lab, 'h1');
    const running = runbook(['run', pb, '-i', lab.inventoryPath, '-o', 'plain', '--confirm-timeout', String(T)]);
    await waitFor(() => onHost(lab, 'h1', 'pgrep -f "^sleep 20$"').code === 0, 20_000);
    // the sshd process of runbook's session: the first sshd above the task's sleep (not the listener, pid 1 here)
    const kill = onHost(
      lab,
      'h1',
      'p=$(pgrep -n -f "^sleep 20$"); while [ "$(ps -o comm= -p $p)" != sshd ]; do p=$(ps -o ppid= -p $p | tr -d " "); done; [ "$p" != 1 ] && kill -9 $p && echo killed $p',
    );
    expect(kill.stdout).toMatch(/^killed \d+/);
    const r = await running;
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(recapOf(r.stdout).h1.rolled_back, r.stdout).toBe(1);
    expect(r.stdout).toContain(
      'rolled back: the management path was lost in "wait" (the session died); links, addresses, routes and files equal those saved before the play',
    );
    expect(recapOf(r.stdout).h2, r.stdout).toMatchObject({ rolled_back: 0, failed: 0, unreachable: 0 });
    expect(netState(lab, 'h1')).toBe(before);
    expect(leftovers(lab, 'h1')).toBe('');
    onHost(lab, 'h2', 'ip route del 192.168.81.0/24');
  }, 60_000);

  it('Ctrl-C while hosts are armed: they revert and the recap says so', async () => {
    const pb = playbook('ctrlc', `    - route: {to: 192.168.80.0/24, via: ${gw()}}\n    - command: sleep 3\n`);
    const before = netState(lab, 'h2');
    const child = spawn(process.execPath, [CLI, 'run', pb, '-i', lab.inventoryPath, '-o', 'plain', '--confirm-timeout', '30'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    await waitFor(() => onHost(lab, 'h2', 'ip route show 192.168.80.0/24').stdout.includes('192.168'), 20_000);
    child.kill('SIGINT');
    const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
    expect(code, out).toBe(130);
    expect(recapOf(out).h2.rolled_back, out).toBe(1);
    expect(out).toContain('the run was interrupted while the host was armed');
    expect(netState(lab, 'h2')).toBe(before);
    expect(leftovers(lab, 'h2')).toBe('');
  }, 60_000);
});

describe('--rollback-on-failure', () => {
  it('puts a failed host back as it was: bridge, route and files; the other host keeps its changes', async () => {
    onHost(lab, 'h1', 'echo before > /etc/note');
    onHost(lab, 'h2', 'echo before > /etc/note');
    const before = netState(lab, 'h1');
    const pb = playbook(
      'fail',
      [
        '    - bridge: {name: br9, addresses: [172.31.9.1/24]}',
        '    - route: {to: 192.168.78.0/24, via: 172.31.9.2}',
        '    - copy: {dest: /etc/note, content: "changed\\n"}',
        '    - copy: {dest: /etc/new-by-run, content: "new\\n"}',
        '    - command: /bin/false',
        "      when: inventory_hostname == 'h1'",
        '',
      ].join('\n'),
    );
    const r = await run(pb, ['--rollback-on-failure']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(recapOf(r.stdout).h1).toMatchObject({ failed: 1, rolled_back: 1 });
    expect(netState(lab, 'h1')).toBe(before);
    expect(onHost(lab, 'h1', 'cat /etc/note; test -e /etc/new-by-run && echo new').stdout).toBe('before\n');
    expect(onHost(lab, 'h2', 'cat /etc/note /etc/new-by-run; ip -br link show br9').stdout).toMatch(/^changed\nnew\nbr9 /);
    expect(leftovers(lab, 'h1')).toBe('');
    expect(leftovers(lab, 'h2')).toBe('');
    onHost(lab, 'h2', 'ip link del br9; rm -f /etc/new-by-run');
  }, 60_000);
});

describe('an OVS bridge taking the uplink', () => {
  let ovs: LabInfo;
  beforeAll(async () => {
    // SSH through OVS (br-phy owns eth0): an OVS port taking eth0 cuts it, as the kernel datapath would
    ovs = await withLab('gdo', 1, true, true);
  });
  afterAll(async () => {
    await labDown({ name: 'gdo' });
  });

  it('is rolled back: the OVS database, links, addresses and routes equal those before', async () => {
    const ovsState = () => onHost(ovs, 'h1', 'ovs-vsctl show | tail -n +2 | grep -v ovs_version | sort').stdout; // line 1: the database's UUID
    const before = netState(ovs, 'h1');
    const ovsBefore = ovsState();
    const pb = playbook(
      'ovs',
      '    - ovs_bridge: {name: br-take, datapath_type: netdev}\n    - name: cut\n      ovs_port: {bridge: br-take, port: eth0}\n',
    );
    const r = await run(pb, [], ovs);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(recapOf(r.stdout).h1.rolled_back, r.stdout).toBe(1);
    expect(r.stdout).toMatch(
      /rolled back: the management path was lost (in|after) "cut" \(.*\); links, addresses, routes and files equal those saved before the play/,
    );
    expect(ovsState()).toBe(ovsBefore);
    expect(netState(ovs, 'h1')).toBe(before);
    expect(leftovers(ovs, 'h1')).toBe('');
  }, 90_000);
});

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`condition not met within ${ms} ms`);
}
