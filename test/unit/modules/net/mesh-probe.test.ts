// mesh_probe: scripted replies of the probe script in, the task's verdict out (never changed).
import { describe, expect, it } from 'vitest';
import { meshProbe } from '../../../../src/modules/net/mesh-probe.js';
import { at, ctx, fakeProbe } from './fake-probe.js';

const addrs = (i: number) =>
  JSON.stringify([
    {
      ifname: 'br0',
      mtu: 1400,
      addr_info: [
        { family: 'inet', local: `192.168.${i}.1`, scope: 'global' },
        { family: 'inet6', local: `fe80::${i}`, scope: 'link' },
      ],
    },
  ]);
const args = { hosts: ['node1', 'node2', 'node3'], addresses: [addrs(1), addrs(2), addrs(3)], mtu: 1400 };
const ping = (rx: number) =>
  `3 packets transmitted, ${rx} received, 0% packet loss, time 400ms\n${rx ? 'rtt min/avg/max/mdev = 0.3/0.4/0.5/0.1 ms' : ''}`;
const peer = (k: number, o: { full6?: number; rx?: number } = {}) =>
  [
    `## peer ${k}`,
    `## small6 0\n${ping(3)}`,
    `## full6 0\n${ping(o.full6 ?? 3)}`,
    `## small4 0\n${ping(3)}`,
    `## full4 0\n${ping(3)}`,
    '## tcp 0 12',
    `## rx ${o.rx ?? 65536}`,
  ].join('\n');

const run = async (reply: string, a: object = args) => {
  const probe = fakeProbe([[/^d=\$\(mktemp -d\)/, reply]]);
  const p = await meshProbe.plan(meshProbe.parse(a, at), probe, ctx());
  return { p, probe };
};

describe('mesh_probe', () => {
  it.each([
    ['every peer passes', `${peer(1)}\n${peer(2)}\n`, undefined],
    [
      'full-size pings to one peer lost',
      `${peer(1, { full6: 0, rx: 0 })}\n${peer(2)}\n`,
      "node1 -> node2: MTU black hole across the overlay: small pings pass, 1400-byte packets with don't-fragment are lost; node2 -> node1: TCP stalled: 0 of 65536 bytes arrived in 4 s",
    ],
    [
      'pings pass, nothing arrives over TCP',
      `${peer(1)}\n${peer(2, { rx: 1024 })}\n`,
      'node3 -> node1: TCP stalled: 1024 of 65536 bytes arrived in 4 s',
    ],
    ['the script did not run', '', 'node1 -> node2: the probe did not run (exit 0): ; node1 -> node3: the probe did not run (exit 0): '],
  ])('%s', async (_name, reply, failed) => {
    const { p, probe } = await run(reply);
    expect(p.changed).toBe(false);
    expect(p.failed).toBe(failed);
    expect(probe.ran).toHaveLength(1);
    expect(probe.ran[0]).toContain('ping -6 -n -q -M do -c 3 -i 0.2 -W 1 -s 1352 fe80::2%br0');
  });

  it('a peer without a link-local address on the bridge fails its pair', async () => {
    const { p } = await run(`${peer(1)}\n${peer(2)}\n`, { ...args, addresses: [addrs(1), addrs(2), '[]'] });
    expect(p.failed).toBe('node1 -> node3: node3 has no link-local address on br0 (bridge missing or IPv6 off)');
  });

  it('bad args name the task', () => {
    expect(() => meshProbe.parse({ ...args, addresses: [addrs(1)] }, at)).toThrow(/hosts has 3 entries but addresses 1/);
    expect(() => meshProbe.parse({ hosts: ['a'] }, at)).toThrow(/addresses/);
  });
});
