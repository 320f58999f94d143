import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../../src/errors.js';
import { bridge, bridgePorts, bridgeProbe } from '../../../../src/modules/net/bridge.js';
import { BR0_DETAILS, BR0_PORTS, V0_LINK } from './captured.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from './fake-probe.js';

const present = { exists: 'yes', link: BR0_DETAILS, ports: BR0_PORTS };
// The same bridge with its port v0 up.
const portUp = { ...present, ports: BR0_PORTS.replace('0x1302', '0x1303') };
// No bridge: the probe asks ip nothing.
const absent = (_name: string) => ({ stdout: sectioned({ exists: 'no' }), stderr: '', code: 0 });

/**
 * The planned changes as one command (one frame on the host): iproute2's in one `ip -batch` (one process), others
 * chained, each failure naming its change.
 */
const oneCommand = (cmds: string[]) =>
  cmds.length === 1
    ? cmds
    : cmds.every((c) => c.startsWith('ip '))
      ? [`ip -batch - <<'RB_IP_BATCH'\n${cmds.map((c) => c.slice(3)).join('\n')}\nRB_IP_BATCH\n`]
      : [cmds.map((c) => `${c} || { r=$?; echo 'failed: ${c}' >&2; exit $r; }`).join('\n')];
const asRoot = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

const plan = (args: object, reply: Parameters<typeof fakeProbe>[0][0][1]) => {
  const probe = fakeProbe([[/^echo @@exists/, reply]]);
  return bridge.plan(bridge.parse(args, at), probe, ctx()).then((p) => ({ p, probe }));
};

describe('bridge', () => {
  it('reads the host in one command', async () => {
    const { probe } = await plan({ name: 'br0' }, sectioned(present));
    expect(probe.ran).toEqual([
      'echo @@exists; if [ -e /sys/class/net/br0 ]; then echo yes; echo @@link; ip -j -d addr show dev br0; echo @@ports; for p in /sys/class/net/br0/brif/*; do [ -e "$p" ] || continue; n=${p##*/}; f=; read -r f < "/sys/class/net/$n/flags"; echo "$n $f"; done; else echo no; fi',
    ]);
  });

  it.each([
    ['matches exactly', { name: 'br0', addresses: ['192.168.100.1/24'], mtu: 1400, ports: ['v0'] }, portUp],
    ['single address form', { name: 'br0', address: '192.168.100.1/24' }, present],
    ['unlisted ports are left alone (v0 is down)', { name: 'br0', ports: [] }, present],
    ['ports_up: false leaves a down port down', { name: 'br0', ports: ['v0'], ports_up: false }, present],
  ])('already matches (%s) → changed:false, no steps', async (_, args, reply) => {
    const { p } = await plan(args, sectioned(reply));
    expect(p.changed).toBe(false);
    expect(p.steps ?? []).toEqual([]);
    expect(p.failed).toBeUndefined();
  });

  it.each([
    [
      'missing → create, mtu, port, address, up',
      { name: 'br0', addresses: ['192.168.100.1/24'], mtu: 1400, ports: ['obr0'] },
      [
        'ip link add name br0 type bridge',
        'ip link set dev br0 mtu 1400',
        'ip link set dev obr0 master br0 up',
        'ip addr add 192.168.100.1/24 dev br0',
        'ip link set dev br0 up',
      ],
    ],
    [
      'missing with brctl',
      { name: 'br0', address: '192.168.1.1/24', ports: ['obr0'], use_brctl: true },
      [
        'brctl addbr br0',
        'brctl addif br0 obr0',
        'ip link set dev obr0 up',
        'ip addr add 192.168.1.1/24 dev br0',
        'ip link set dev br0 up',
      ],
    ],
  ])('%s', async (_, args, cmds) => {
    const reply = absent('br0');
    if ((args as { use_brctl?: boolean }).use_brctl) reply.stdout += sectioned({ brctl: '/usr/sbin/brctl' });
    const { p } = await plan(args, reply);
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(oneCommand(cmds));
    expect(p.diff?.[0].before).toBe('(no bridge br0)\n');
  });

  it.each([
    [
      'wrong address → del then add (exactly these addresses)',
      { name: 'br0', addresses: ['192.168.2.1/24'] },
      ['ip addr del 192.168.100.1/24 dev br0', 'ip addr add 192.168.2.1/24 dev br0'],
    ],
    ['extra address added only', { name: 'br0', addresses: ['192.168.100.1/24', '10.1.1.1/16'] }, ['ip addr add 10.1.1.1/16 dev br0']],
    ['mtu drift', { name: 'br0', mtu: 1500 }, ['ip link set dev br0 mtu 1500']],
    [
      'new port only (v0 is down: up)',
      { name: 'br0', ports: ['v0', 'obr0'] },
      ['ip link set dev obr0 master br0 up', 'ip link set dev v0 up'],
    ],
    ['new port, ports_up: false', { name: 'br0', ports: ['v0', 'obr0'], ports_up: false }, ['ip link set dev obr0 master br0']],
    ['an attached port that is down comes up', { name: 'br0', ports: ['v0'] }, ['ip link set dev v0 up']],
    [
      'exclusive_ports releases others',
      { name: 'br0', ports: ['obr0'], exclusive_ports: true },
      ['ip link set dev obr0 master br0 up', 'ip link set dev v0 nomaster'],
    ],
    ['down', { name: 'br0', up: false }, ['ip link set dev br0 down']],
    ['absent', { name: 'br0', state: 'absent' }, ['ip link del dev br0']],
  ])('drift: %s', async (_, args, cmds) => {
    const { p } = await plan(args, sectioned(present));
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(oneCommand(cmds));
  });

  it('brctl changes are chained: the first that fails ends the command and is named', async () => {
    const { p } = await plan(
      { name: 'br0', address: '192.168.1.1/24', use_brctl: true },
      {
        ...absent('br0'),
        stdout: absent('br0').stdout + sectioned({ brctl: '/usr/sbin/brctl' }),
      },
    );
    const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
    const bin = mkdtempSync('/tmp/rb-brctl-shim-');
    // A stand-in brctl that refuses; ip must not run after it.
    writeFileSync(
      `${bin}/brctl`,
      `#!/bin/sh\necho "brctl $*" >> ${bin}/log\necho "add bridge failed: Operation not permitted" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    writeFileSync(`${bin}/ip`, `#!/bin/sh\necho "ip $*" >> ${bin}/log\n`, { mode: 0o755 });
    const r = spawnSync('sh', ['-c', stepsOf(p)[0]!], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    const ran = readFileSync(`${bin}/log`, 'utf8');
    rmSync(bin, { recursive: true });
    expect({ code: r.status, stderr: r.stderr }).toEqual({
      code: 1,
      stderr: 'add bridge failed: Operation not permitted\nfailed: brctl addbr br0\n',
    });
    expect(ran).toBe('brctl addbr br0\n');
  });

  // Skipped only where no network namespace can be made (not root): CI runs as root.
  it.skipIf(!asRoot)(
    'on a real ip the one ip -batch makes the bridge; a change the kernel refuses stops it and is named by line',
    async () => {
      const ns = `rb-ut-bb${process.pid}`;
      execFileSync('ip', ['netns', 'add', ns]);
      try {
        const sh = (script: string) => spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], { encoding: 'utf8' });
        execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
        const ok = (await plan({ name: 'br0', addresses: ['192.168.100.1/24'], mtu: 1400, ports: ['v0'] }, absent('br0'))).p;
        expect(sh(stepsOf(ok)[0]!)).toMatchObject({ status: 0, stderr: '' });
        const held = sh(bridgeProbe('br0', false)).stdout;
        expect(held).toMatch(/"mtu":1400/);
        expect(held).toMatch(/"local":"192.168.100.1","prefixlen":24/);
        expect(bridgePorts(held.slice(held.indexOf('@@ports\n') + 8))).toEqual([{ ifname: 'v0', up: true }]);
        // a second bridge whose MTU no device can have: made, then the MTU line fails and ip names it
        const bad = (await plan({ name: 'br1', addresses: ['192.168.101.1/24'], mtu: 100000 }, absent('br1'))).p;
        const r = sh(stepsOf(bad)[0]!);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/mtu.*\n.*Command failed -:2/i);
        expect(sh('ip -o addr show dev br1').stdout).not.toContain('192.168.101.1');
      } finally {
        execFileSync('ip', ['netns', 'del', ns]);
      }
    },
  );

  it('the diff shows before and after', async () => {
    const { p } = await plan({ name: 'br0', addresses: ['192.168.2.1/24'] }, sectioned(present));
    expect(p.diff).toEqual([
      {
        before: 'bridge br0 up mtu 1400\naddress 192.168.100.1/24\nport v0 down\n',
        after: 'bridge br0 up mtu 1400\naddress 192.168.2.1/24\nport v0 down\n',
      },
    ]);
  });

  it('the diff shows a down port coming up', async () => {
    const { p } = await plan({ name: 'br0', ports: ['v0'] }, sectioned(present));
    expect(p.diff?.[0]).toEqual({
      before: 'bridge br0 up mtu 1400\naddress 192.168.100.1/24\nport v0 down\n',
      after: 'bridge br0 up mtu 1400\naddress 192.168.100.1/24\nport v0\n',
    });
  });

  it('absent and already gone → no change', async () => {
    const { p } = await plan({ name: 'br0', state: 'absent' }, absent('br0'));
    expect(p).toMatchObject({ changed: false });
    expect(p.steps).toBeUndefined();
  });

  it('a non-bridge device of that name fails', async () => {
    const { p } = await plan({ name: 'v0' }, sectioned({ exists: 'yes', link: V0_LINK, ports: '[]' }));
    expect(p.failed).toBe('v0 exists but is a veth device, not a bridge');
  });

  it('use_brctl without brctl fails clearly', async () => {
    const { p } = await plan({ name: 'br0', use_brctl: true }, sectioned({ ...present, brctl: '' }));
    expect(p.failed).toMatch(/brctl is not installed \(package bridge-utils\)/);
  });

  it('ip missing → failed with the shell message', async () => {
    const { p } = await plan(
      { name: 'br0' },
      { stdout: sectioned({ exists: 'yes', link: '' }), stderr: 'sh: 1: ip: not found\n', code: 127 },
    );
    expect(p.failed).toBe('sh: 1: ip: not found');
  });

  it.each([
    [{ name: 'br0', addresses: ['192.168.100.1'] }, /argument "addresses\[0\]": "192.168.100.1" is not an IPv4 CIDR/],
    [{ name: 'br0', address: '300.1.1.1/24' }, /argument "address\[0\]": "300.1.1.1\/24" is not an IPv4 CIDR/],
    [{ name: 'br0', adresses: ['10.0.0.1/24'] }, /unknown argument "adresses"/],
    [{ name: 'br0', state: 'presnt' }, /argument "state" must be one of present, absent/],
    [{ name: 'br0', address: '10.0.0.1/24', addresses: ['10.0.0.1/24'] }, /only one of address, addresses/],
    [{ name: 'a bridge' }, /argument "name"/],
  ])('parse rejects %j', (args, msg) => {
    expect(() => bridge.parse(args, at)).toThrow(PlaybookError);
    expect(() => bridge.parse(args, at)).toThrow(msg);
  });

  it('unknown key gets a did-you-mean hint', () => {
    try {
      bridge.parse({ name: 'br0', adresses: [] }, at);
      expect.unreachable();
    } catch (e) {
      expect((e as PlaybookError).hint).toBe('did you mean "addresses"?');
      expect((e as PlaybookError).at).toEqual(at);
    }
  });

  it('unrendered templates skip format checks at load time', () => {
    expect(bridge.parse({ name: 'br0', addresses: ['{{ br_cidr }}'], mtu: '{{ mtu }}' }, at).addresses).toEqual(['{{ br_cidr }}']);
  });

  // Skipped only where no network namespace can be made (not root): CI runs as root. The probe's text against a real
  // bridge in a throwaway namespace: ports from sysfs, each one's up or down from its flags.
  it.skipIf(!asRoot)('the probe, run by a real shell on a real bridge, finds its ports and which are up', () => {
    const ns = `rb-ut-br${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      const sh = (script: string) => execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], { encoding: 'utf8' });
      sh('ip link add br0 type bridge && ip link add v0 type veth peer name v1 && ip link add v2 type veth peer name v3');
      sh('ip link set v0 master br0 && ip link set v2 master br0 && ip link set v2 up');
      const out = sh(bridgeProbe('br0', false));
      const ports = out.slice(out.indexOf('@@ports\n') + 8);
      expect(bridgePorts(ports).sort((a, b) => a.ifname.localeCompare(b.ifname))).toEqual([
        { ifname: 'v0', up: false },
        { ifname: 'v2', up: true },
      ]);
      // a bridge without ports: no lines
      sh('ip link add br1 type bridge');
      const none = sh(bridgeProbe('br1', false));
      expect(bridgePorts(none.slice(none.indexOf('@@ports\n') + 8))).toEqual([]);
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });
});
