// `graph --probe` against the hosts: one connection per host, n-1 rounds in which every host sends to one peer
// and receives from another at once, then a verdict per pair on the live graph's edges.

import {
  type DirectionResult,
  judgePair,
  PORT_BASE,
  type ProbeEnd,
  parseBridgeAddrs,
  parseRound,
  roundScript,
  schedule,
} from '../modules/net/mesh-probe-script.js';
import type { Connection } from '../remote/connection.js';
import { cmd } from '../remote/quote.js';
import { errorText } from '../shared/error-text.js';
import { forEachLimit } from '../shared/limit.js';
import type { MeshGraph } from './model.js';

export interface ProbeHost {
  host: string;
  bridge: string;
  /** From bridge_cidr, used when the host does not say. */
  v4?: string;
  mtu: number;
  become: boolean;
}

const firstLine = (e: unknown) => errorText(e).split('\n')[0];

// Reads each host's bridge addresses, then runs the rounds; a host that fails a round fails only its own directions.
export async function probeMesh(
  hosts: ProbeHost[],
  connect: (host: string) => Promise<Connection>,
  forks = 50,
): Promise<DirectionResult[]> {
  const conns = new Map<string, Connection>();
  const ends = new Map<string, ProbeEnd>();
  const broken = new Map<string, string>();
  await forEachLimit(hosts, forks, async (h) => {
    try {
      const c = await connect(h.host);
      conns.set(h.host, c);
      const r = await c.exec(cmd('ip', '-j', 'addr', 'show', 'dev', h.bridge), { timeout: 30 });
      const a = r.code === 0 ? parseBridgeAddrs(r.stdout) : {};
      ends.set(h.host, { host: h.host, bridge: h.bridge, v4: a.v4 ?? h.v4, ll: a.ll, mtu: h.mtu });
    } catch (e) {
      broken.set(h.host, firstLine(e));
    }
  });
  const dirs = new Map<string, DirectionResult>();
  const dir = (from: string, to: string) => {
    const k = `${from}\n${to}`;
    if (!dirs.has(k)) dirs.set(k, { from, to });
    return dirs.get(k) as DirectionResult;
  };
  const names = hosts.map((h) => h.host);
  const plan = schedule(names.length);
  const rounds = [...new Set(plan.map((p) => p.round))];
  try {
    for (const round of rounds) {
      const legs = plan.filter((p) => p.round === round);
      await forEachLimit(legs, forks, async ({ from, to }) => {
        const [a, b] = [names[from], names[to]];
        const src = names[(from - round + names.length) % names.length];
        const me = ends.get(a);
        const conn = conns.get(a);
        if (!me || !conn) return void (dir(a, b).error = `${a} could not be probed: ${broken.get(a) ?? 'no connection'}`);
        const peer = ends.get(b);
        if (!peer) dir(a, b).error = `${b} could not be probed: ${broken.get(b) ?? 'no connection'}`;
        else if (!peer.ll) dir(a, b).error = `${b} has no link-local address on ${peer.bridge} (bridge missing or IPv6 off)`;
        else if (!me.ll) dir(a, b).error = `${a} has no link-local address on ${me.bridge} (bridge missing or IPv6 off)`;
        try {
          const hb = hosts[from];
          const r = await conn.exec(roundScript(me, peer, PORT_BASE + round), { timeout: 90, become: hb.become });
          const out = parseRound(r.stdout);
          const d = dir(a, b);
          Object.assign(d, {
            small6: out.pings.small6,
            full6: out.pings.full6,
            small4: out.pings.small4,
            full4: out.pings.full4,
            tcpMs: out.tcpMs,
          });
          if (src !== a && out.rx !== undefined) dir(src, a).tcpBytes = out.rx;
        } catch (e) {
          dir(a, b).error ??= `${a}: ${firstLine(e)}`;
          if (src !== a) dir(src, a).error ??= `${a} could not receive: ${firstLine(e)}`;
        }
      });
    }
  } finally {
    await Promise.all([...conns.values()].map((c) => c.close().catch(() => undefined)));
  }
  return [...dirs.values()];
}

/** The verdicts on the graph: each host pair's edge gets both directions judged; other edges are left alone. */
export function applyProbe(g: MeshGraph, results: DirectionResult[], mtuOf: (host: string) => number): MeshGraph {
  const edges = g.edges.map((e) => {
    const node = g.nodes.find((n) => n.id === e.b);
    if (node?.kind !== 'host') return e;
    const dirs = results.filter((d) => (d.from === e.a && d.to === e.b) || (d.from === e.b && d.to === e.a));
    return { ...e, probe: judgePair(dirs, Math.min(mtuOf(e.a), mtuOf(e.b))) };
  });
  return { ...g, edges, probed: true };
}
