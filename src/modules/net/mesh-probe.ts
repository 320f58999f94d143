// gre-mesh's `verify: true`: every mesh host at once sends full-size don't-fragment pings and 64 KB over TCP to
// each peer across the overlay (the same checks as `runbook graph --live --probe`); read-only, so never changed.

import { fail } from '../args.js';
import { defineModule } from '../types.js';
import { type DirectionResult, judgeDirection, meshScript, type ProbeEnd, parseBridgeAddrs, parseMesh } from './mesh-probe-script.js';
import { ifname } from './net-args.js';

export interface MeshProbeArgs {
  hosts: string[];
  addresses: string[];
  bridge: string;
  mtu: number;
}

// Each host's `ip -j addr show dev <bridge>` output, in the order of `hosts`: the same list on every host.
function ends(p: MeshProbeArgs): ProbeEnd[] {
  return p.hosts.map((host, i) => {
    let a: ReturnType<typeof parseBridgeAddrs> = {};
    try {
      a = parseBridgeAddrs(p.addresses[i] ?? '');
    } catch {
      // A peer whose bridge could not be read has no addresses: its pairs report no route.
    }
    return { host, bridge: p.bridge, v4: a.v4, ll: a.ll, mtu: p.mtu };
  });
}

export const meshProbe = defineModule({
  name: 'mesh_probe',
  doc: "Proves packets cross the mesh: full-size pings with don't-fragment and 64 KB over TCP to every peer across the overlay, on all hosts at once; fails naming the broken pairs.",
  example:
    "mesh_probe: {hosts: \"{{ groups.mesh }}\", addresses: \"{{ groups.mesh | map('extract', hostvars, ['mesh_bridge_addrs', 'stdout']) | list }}\", mtu: 1400}",
  atTurn: true,
  args: {
    hosts: { type: 'list', required: true, description: 'every mesh host, in the same order on all hosts (groups.mesh)' },
    addresses: { type: 'list', required: true, description: "each host's `ip -j addr show dev <bridge>` output, in the order of hosts" },
    bridge: { default: 'br0', check: ifname, description: 'the bridge whose addresses are probed' },
    mtu: {
      type: 'int',
      default: 1400,
      description: "the overlay MTU: pings carry MTU-28 (IPv4) / MTU-48 (IPv6) bytes with don't-fragment",
    },
  },
  build(v, a): MeshProbeArgs {
    if (Array.isArray(v.hosts) && Array.isArray(v.addresses) && v.hosts.length !== v.addresses.length)
      fail(
        a,
        `hosts has ${v.hosts.length} entries but addresses ${v.addresses.length}`,
        'give one `ip -j addr show` output per host, in the order of hosts',
      );
    if (typeof v.mtu === 'number' && (v.mtu < 576 || v.mtu > 65535))
      fail(a, `mtu ${v.mtu} is out of range`, 'give the overlay MTU, e.g. 1400');
    return {
      hosts: (v.hosts as unknown[]).map(String),
      addresses: (v.addresses as unknown[]).map((x) => (x === undefined || x === null ? '' : String(x))),
      bridge: v.bridge,
      mtu: v.mtu,
    };
  },
  async plan(p, probe, ctx) {
    const self = p.hosts.indexOf(ctx.host);
    if (self < 0) return { changed: false, failed: `mesh_probe: ${ctx.host} is not in hosts` };
    const all = ends(p);
    const r = await probe.run(meshScript(all, self));
    const rounds = parseMesh(r.stdout);
    const verdicts = all.flatMap((peer, k) => {
      if (k === self) return [];
      const got = rounds.get(k);
      const d: DirectionResult = got
        ? { from: ctx.host, to: peer.host, ...got.pings, tcpBytes: got.rx, tcpMs: got.tcpMs, tcpDir: `${peer.host} -> ${ctx.host}` }
        : { from: ctx.host, to: peer.host, error: `the probe did not run (exit ${r.code}): ${r.stderr.trim().split('\n')[0]}` };
      if (!peer.ll) d.error = `${peer.host} has no link-local address on ${p.bridge} (bridge missing or IPv6 off)`;
      return [{ peer: peer.host, rtt: got?.pings.small6?.avgMs, ...judgeDirection(d, p.mtu) }];
    });
    const result = { pairs: verdicts.map((v) => ({ peer: v.peer, status: v.status, latency_ms: v.rtt ?? null, problems: v.problems })) };
    const bad = verdicts.filter((v) => v.status !== 'ok');
    if (bad.length) return { changed: false, failed: bad.flatMap((v) => v.problems).join('; '), result };
    return { changed: false, result };
  },
});
