// `graph --live`: what each host really holds (OVS GRE interfaces, routes), compared with the plan.

import type { Connection } from '../remote/connection.js';
import { errorText } from '../shared/error-text.js';
import { forEachLimit } from '../shared/limit.js';
import { grePortName, type MeshEdge, type MeshGraph, type MeshNode } from './model.js';

export interface GrePort {
  name: string;
  remoteIp?: string;
}

export interface HostState {
  ports: GrePort[];
  routes: { dst: string; gateway?: string }[];
  /** Set when the host could not be reached or read. */
  error?: string;
}

export const OVS_COMMAND = 'ovs-vsctl --format=json --columns=name,type,options list interface';
export const ROUTE_COMMAND = 'ip -j route';

type Cell = unknown;
// ovs-vsctl's JSON: {"headings": [...], "data": [[cell, …], …]}, maps as ["map", [[k, v], …]].
export function parseOvsInterfaces(json: string): GrePort[] {
  const doc = JSON.parse(json) as { headings: string[]; data: Cell[][] };
  const col = (name: string) => doc.headings.indexOf(name);
  const [iName, iType, iOpts] = [col('name'), col('type'), col('options')];
  const ports: GrePort[] = [];
  for (const row of doc.data) {
    const name = String(row[iName]);
    const type = iType >= 0 ? String(row[iType]) : '';
    if (type !== 'gre' && !(type === '' && name.startsWith('gre-'))) continue;
    const opts = row[iOpts] as ['map', [string, string][]] | undefined;
    const remote = Array.isArray(opts) && opts[0] === 'map' ? opts[1].find(([k]) => k === 'remote_ip')?.[1] : undefined;
    ports.push({ name, remoteIp: remote });
  }
  return ports;
}

export function parseRoutes(json: string): HostState['routes'] {
  const routes = JSON.parse(json || '[]') as { dst: string; gateway?: string }[];
  return routes.map((r) => ({ dst: r.dst, gateway: r.gateway }));
}

// Two read-only commands per host, every host in parallel (the connector paces the handshakes).
export async function readMesh(
  hosts: string[],
  connect: (host: string) => Promise<Connection>,
  become: (host: string) => boolean,
  forks = 50,
): Promise<Map<string, HostState>> {
  const out = new Map<string, HostState>();
  await forEachLimit(hosts, forks, async (h) => {
    let conn: Connection | undefined;
    try {
      conn = await connect(h);
      const ovs = await conn.exec(OVS_COMMAND, { timeout: 30, become: become(h) });
      if (ovs.code !== 0) throw new Error(`${OVS_COMMAND}: exit ${ovs.code}: ${ovs.stderr.trim().split('\n')[0]}`);
      const ip = await conn.exec(ROUTE_COMMAND, { timeout: 30 });
      if (ip.code !== 0) throw new Error(`${ROUTE_COMMAND}: exit ${ip.code}: ${ip.stderr.trim().split('\n')[0]}`);
      out.set(h, { ports: parseOvsInterfaces(ovs.stdout), routes: parseRoutes(ip.stdout) });
    } catch (e) {
      out.set(h, { ports: [], routes: [], error: errorText(e).split('\n')[0] });
    } finally {
      await conn?.close().catch(() => undefined);
    }
  });
  return out;
}

// Pure: plan + what the hosts hold → the live graph (missing and unexpected tunnels, unreachable hosts).
export function compareLive(plan: MeshGraph, states: Map<string, HostState>): MeshGraph {
  const nodes: MeshNode[] = plan.nodes.map((n) => ({
    ...n,
    unreachable: states.get(n.id)?.error ?? (states.has(n.id) ? undefined : 'not read'),
  }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const endProblems = (x: MeshNode, y: MeshNode): string[] => {
    const st = states.get(x.id);
    if (!st || x.unreachable || !y.address) return [];
    const problems: string[] = [];
    if (!st.ports.some((p) => p.remoteIp === y.address))
      problems.push(`${x.name} has no GRE port to ${y.name} (${grePortName(y.address)}, remote_ip ${y.address})`);
    if (y.dockerSubnet && !st.routes.some((r) => r.dst === y.dockerSubnet && r.gateway === y.address))
      problems.push(`${x.name} has no route to ${y.dockerSubnet} via ${y.address}`);
    return problems;
  };
  const edges: MeshEdge[] = plan.edges.map((e) => {
    const a = byId.get(e.a) as MeshNode;
    const b = byId.get(e.b) as MeshNode;
    const problems = [...endProblems(a, b), ...endProblems(b, a)];
    const verified = !a.unreachable && !b.unreachable;
    return { ...e, problems, state: problems.length ? 'missing' : verified ? 'ok' : 'unverified' };
  });
  // A GRE port whose remote_ip is none of this host's planned peers: an edge to an "unknown" node.
  const peersOf = (id: string) =>
    new Set(plan.edges.flatMap((e) => (e.a === id ? [e.b] : e.b === id ? [e.a] : [])).map((p) => byId.get(p)?.address));
  for (const n of plan.nodes) {
    const st = states.get(n.id);
    if (!st || st.error) continue;
    const peers = peersOf(n.id);
    for (const p of st.ports) {
      if (p.remoteIp !== undefined && peers.has(p.remoteIp)) continue;
      const ip = p.remoteIp ?? '(no remote_ip)';
      const id = `unknown ${ip}`;
      if (!byId.has(id)) {
        const u: MeshNode = { id, kind: 'unknown', name: id, address: ip };
        nodes.push(u);
        byId.set(id, u);
      }
      edges.push({
        a: n.id,
        b: id,
        state: 'unexpected',
        problems: [`${n.name} has GRE port ${p.name} to ${ip}, which is not a planned peer`],
      });
    }
  }
  return { title: `${plan.title} (live)`, live: true, nodes, edges };
}
