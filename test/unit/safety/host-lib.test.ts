// The host-side library against a scripted `ip`: saved state in, the `ip -batch` lines a restore plans out.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostLib } from '../../../src/executor/safety/host-lib.js';

const FAKE_IP = `#!/bin/sh
# scripted ip: reads the host's state from $FAKE/*, records batches in $FAKE/batch
# (reads: one -o batch per family of show commands; anything else in a batch is a restore's change, recorded)
case "$*" in
  "-o -force -batch -"|"-4 -o -force -batch -"|"-6 -o -force -batch -")
    while IFS= read -r l; do
      case "$1 $l" in
        "-o link show") cat "$FAKE/link" ;;
        "-o addr show") cat "$FAKE/addr" ;;
        "-4 route show table all") cat "$FAKE/route4" ;;
        "-4 rule show") cat "$FAKE/rule4" ;;
      esac
    done ;;
  *-batch*) cat >> "$FAKE/batch" ;;
  *) ;;
esac
`;

interface HostState {
  link: string[];
  addr: string[];
  route4: string[];
  rule4?: string[];
}

const BASE: HostState = {
  link: [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00',
    '2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 76:8b',
  ],
  addr: [
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    '2: eth0    inet 10.0.0.11/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever',
    '2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever',
  ],
  route4: [
    '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.11 ',
    'local 10.0.0.11 dev eth0 table local proto kernel scope host src 10.0.0.11 ',
  ],
  rule4: ['0:\tfrom all lookup local', '32766:\tfrom all lookup main'],
};

function host() {
  const root = mkdtempSync(join(tmpdir(), 'rb-hostlib-'));
  const bin = join(root, 'bin');
  const fake = join(root, 'fake');
  const d = join(root, 'state');
  for (const x of [bin, fake, d]) mkdirSync(x);
  writeFileSync(join(bin, 'ip'), FAKE_IP);
  chmodSync(join(bin, 'ip'), 0o755);
  writeFileSync(join(d, 'lib.sh'), hostLib(d, 5));
  const set = (s: HostState) => {
    for (const [k, v] of Object.entries({ rule4: [], ...s })) writeFileSync(join(fake, k), v.length ? `${v.join('\n')}\n` : '');
  };
  const sh = (script: string) => {
    const r = spawnSync('sh', ['-c', `. ${d}/lib.sh; ${script}`], { env: { PATH: `${bin}:/usr/bin:/bin`, FAKE: fake }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout;
  };
  const batch = () =>
    existsSync(join(fake, 'batch')) ? [...new Set(readFileSync(join(fake, 'batch'), 'utf8').trim().split('\n'))].sort() : [];
  return { root, d, set, sh, batch };
}

describe('rb_snap', () => {
  it('normalizes links, addresses (no IPv6 link-local), routes (no trailing blanks) and rules', () => {
    const h = host();
    h.set(BASE);
    expect(h.sh('rb_snap').trim().split('\n')).toEqual([
      'link lo mtu 65536 master - up',
      'link eth0 mtu 1500 master - up',
      'addr lo 127.0.0.1/8 scope host',
      'addr eth0 10.0.0.11/24 brd 10.0.0.255 scope global',
      'route4 10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.11',
      'route4 local 10.0.0.11 dev eth0 table local proto kernel scope host src 10.0.0.11',
      'rule4 pref 0 from all lookup local',
      'rule4 pref 32766 from all lookup main',
    ]);
  });
});

// Skipped only where no network namespace can be made (not root): CI runs as root. The real ip, in a throwaway
// namespace with links, both families' addresses, routes and rules: every line lands in its own kind.
describe.skipIf(process.getuid?.() !== 0 || spawnSync('ip', ['netns', 'list']).status !== 0)('rb_snap on a real ip', () => {
  it('links, addresses, routes and rules of both families, each line its kind, as many as ip shows one by one', () => {
    const ns = `rb-ut-snap${process.pid}`;
    const root = mkdtempSync(join(tmpdir(), 'rb-hostlib-real-'));
    spawnSync('ip', ['netns', 'add', ns]);
    try {
      const inNs = (script: string) => {
        const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
        return r.stdout;
      };
      inNs(
        [
          'ip link set lo up',
          'ip link add v0 type veth peer name v1',
          'ip link set v0 up mtu 1400',
          'ip link set v1 up',
          'ip addr add 10.9.0.1/24 dev v0',
          'ip -6 addr add 2001:db8::1/64 dev v0 nodad',
          'ip route add 10.10.0.0/16 via 10.9.0.2',
          'ip -6 route add 2001:db8:1::/64 via 2001:db8::2',
          'ip rule add from 10.9.0.1 lookup 100 pref 1000',
          'ip -6 rule add from 2001:db8::1 lookup 100 pref 1001',
        ].join(' && '),
      );
      writeFileSync(join(root, 'lib.sh'), hostLib(root, 5));
      const lines = inNs(`. ${root}/lib.sh; rb_snap`).trim().split('\n');
      const count = (cmd: string, drop?: RegExp) =>
        inNs(cmd)
          .split('\n')
          .filter((l) => l !== '' && !drop?.test(l)).length;
      const kinds = (k: string) => lines.filter((l) => l.startsWith(`${k} `));
      expect(
        lines.every((l) => /^(link|addr|route4|route6|rule4|rule6) /.test(l)),
        lines.join('\n'),
      ).toBe(true);
      expect(kinds('link')).toEqual(['link lo mtu 65536 master - up', 'link v1 mtu 1500 master - up', 'link v0 mtu 1400 master - up']);
      expect(kinds('addr')).toEqual(expect.arrayContaining(['addr v0 10.9.0.1/24 scope global', 'addr v0 2001:db8::1/64 scope global']));
      expect(kinds('route4')).toContain('route4 10.10.0.0/16 via 10.9.0.2 dev v0');
      expect(kinds('route4')).toHaveLength(count('ip -4 -o route show table all'));
      expect(kinds('route6')).toContain('route6 2001:db8:1::/64 via 2001:db8::2 dev v0 metric 1024 pref medium');
      expect(kinds('rule4')).toContain('rule4 pref 1000 from 10.9.0.1 lookup 100');
      expect(kinds('rule4')).toHaveLength(count('ip -4 rule show'));
      expect(kinds('rule6')).toContain('rule6 pref 1001 from 2001:db8::1 lookup 100');
      expect(kinds('rule6')).toHaveLength(count('ip -6 rule show'));
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});

// What one `ovs-vsctl … list Bridge -- … list Port` prints (csv, bare): bridges (uuid,name,port uuids), a blank line, ports.
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const OVS_LIST = [
  `${U(1)},tb2,${U(11)} ${U(12)} ${U(13)}`,
  `${U(2)},br-phy,${U(21)} ${U(22)}`,
  `${U(3)},empty,`,
  '',
  `${U(11)},zz`,
  `${U(12)},tb2`,
  `${U(13)},ab`,
  `${U(21)},eth0`,
  `${U(22)},br-phy`,
  '',
].join('\n');

describe('rb_snap with Open vSwitch', () => {
  it('one line per bridge in name order, its ports sorted, its own (local) port left out', () => {
    const h = host();
    h.set(BASE);
    writeFileSync(join(h.root, 'bin', 'ovs-vsctl'), `#!/bin/sh\nprintf '%s' '${OVS_LIST}'\n`);
    chmodSync(join(h.root, 'bin', 'ovs-vsctl'), 0o755);
    // rb_ovs looks for the real database socket; here the scripted ovs-vsctl stands in for it
    const ovs = h
      .sh('rb_ovs() { :; }; rb_snap')
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('ovs '));
    expect(ovs).toEqual(['ovs br-phy eth0', 'ovs empty', 'ovs tb2 ab zz']);
  });
});

const cases: { name: string; after: HostState; planned: string[] }[] = [
  { name: 'nothing changed: nothing planned', after: BASE, planned: [] },
  {
    name: 'uplink enslaved to a new bridge with a smaller MTU: bridge deleted, eth0 freed',
    after: {
      ...BASE,
      link: [
        BASE.link[0],
        '2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue master br0 state UP mode DEFAULT',
        '5: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue state UP mode DEFAULT',
      ],
    },
    planned: ['link del dev br0', 'link set dev eth0 nomaster mtu 1500 up'],
  },
  {
    name: 'address moved off the uplink: deleted where it is, added back with its brd and scope',
    after: { ...BASE, addr: [BASE.addr[0], '1: lo    inet 10.0.0.11/32 scope global lo\\       valid_lft forever'] },
    planned: ['address add 10.0.0.11/24 brd 10.0.0.255 scope global dev eth0', 'address del 10.0.0.11/32 dev lo'],
  },
  {
    name: 'a black-holing route and a rule added, the connected route gone',
    after: {
      ...BASE,
      route4: ['blackhole 10.0.0.0/26', 'local 10.0.0.11 dev eth0 table local proto kernel scope host src 10.0.0.11'],
      rule4: [...BASE.rule4!, '100:\tfrom all lookup 100'],
    },
    planned: [
      'route add 10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.11',
      'route del blackhole 10.0.0.0/26',
      'rule del pref 100 from all lookup 100',
    ],
  },
  {
    name: 'a link taken down and a master removed',
    after: { ...BASE, link: [BASE.link[0], '2: eth0@if7: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN mode DEFAULT'] },
    planned: ['link set dev eth0 nomaster mtu 1500 up'],
  },
];

describe('rb_restore plans', () => {
  for (const c of cases)
    it(c.name, () => {
      const h = host();
      h.set(BASE);
      h.sh('rb_snap > "$D/snap"; : > "$D/files"');
      h.set(c.after);
      h.sh('rb_restore');
      expect(h.batch()).toEqual([...c.planned].sort());
      // what differs from the saved state is what rb_verify reports
      expect(h.sh('rb_verify').trim() === '').toBe(c.planned.length === 0);
    });
});

describe('file copies', () => {
  it('puts a changed file back, removes a new one, and keeps the first copy of a path', () => {
    const h = host();
    const old = join(h.root, 'old.conf');
    const made = join(h.root, 'made.conf');
    writeFileSync(old, 'before\n');
    h.set(BASE);
    h.sh(`rb_snap > "$D/snap"; : > "$D/files"; rb_keep ${old}; rb_keep ${made}`);
    writeFileSync(old, 'after\n');
    writeFileSync(made, 'new\n');
    expect(h.sh('rb_verify').trim().split('\n')).toEqual([`file ${old}`, `file ${made} (new)`]);
    h.sh('rb_files_restore');
    expect(readFileSync(old, 'utf8')).toBe('before\n');
    expect(existsSync(made)).toBe(false);
    expect(h.sh('rb_verify').trim()).toBe('');
  });
});
