// The GRE mesh as a graph: hosts with their addresses, one tunnel per pair of peers, the same peers gre-mesh.yaml wires.

import type { Inventory } from '../inventory/types.js';
import { hostVars } from '../inventory/vars.js';
import type { PairProbe } from '../modules/net/mesh-probe-script.js';

/** A mesh host, or (live only) an address some host tunnels to that the plan does not know. */
export interface MeshNode {
  id: string;
  kind: 'host' | 'unknown';
  name: string;
  /** ansible_host: the underlay address peers' GRE ports and routes point at. */
  address?: string;
  bridgeCidr?: string;
  dockerSubnet?: string;
  /** Live: why the host could not be read (connect or probe error): drawn red. */
  unreachable?: string;
}

/**
 * planned: from the inventory only; ok: both ends hold their tunnel and route; missing: some end lacks one;
 * unexpected: a GRE port to an address not in the plan; unverified: an end could not be read.
 */
export type EdgeState = 'planned' | 'ok' | 'missing' | 'unexpected' | 'unverified';

export interface MeshEdge {
  a: string;
  b: string;
  state: EdgeState;
  /** What differs from the plan, one line per end and thing. */
  problems: string[];
  /** --probe: what real packets between the two hosts showed. */
  probe?: PairProbe;
}

export interface MeshGraph {
  title: string;
  live: boolean;
  /** --probe ran: every host pair's edge carries a probe verdict. */
  probed?: boolean;
  nodes: MeshNode[];
  edges: MeshEdge[];
}

const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

// The interface name gre-mesh gives the port to a peer: gre-<underlay IPv4 in hex>, as the ip_hex helper does.
export function grePortName(address: string): string {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return `gre-${address}`;
  return `gre-${octets.map((o) => o.toString(16).padStart(2, '0')).join('')}`;
}

// Every host of the group, and an edge between every pair: gre-mesh loops over `groups.mesh` skipping itself.
export function planMesh(inv: Inventory, hosts: string[], title: string): MeshGraph {
  const nodes: MeshNode[] = hosts.map((h) => {
    const v = hostVars(inv, h);
    return {
      id: h,
      kind: 'host',
      name: h,
      address: str(v.ansible_host),
      bridgeCidr: str(v.bridge_cidr),
      dockerSubnet: str(v.docker_subnet),
    };
  });
  const edges: MeshEdge[] = [];
  for (let i = 0; i < hosts.length; i++)
    for (let j = i + 1; j < hosts.length; j++) edges.push({ a: hosts[i], b: hosts[j], state: 'planned', problems: [] });
  return { title, live: false, nodes, edges };
}

// The text lines of a node's label, shared by every renderer.
export function nodeLines(n: MeshNode): string[] {
  if (n.kind === 'unknown') return ['unknown', n.address ?? '?'];
  const lines = [n.name, n.address ?? 'ansible_host ?', `br ${n.bridgeCidr ?? '?'}`, `docker ${n.dockerSubnet ?? '?'}`];
  if (n.unreachable) lines.push('unreachable');
  return lines;
}

/** An edge or node that the renderers draw red. */
export const isBad = (x: MeshEdge | MeshNode): boolean =>
  'state' in x ? x.state === 'missing' || x.state === 'unexpected' || probeFailed(x) : !!x.unreachable;

/** The probe sent packets between the pair and some did not arrive. */
export const probeFailed = (e: MeshEdge): boolean => !!e.probe && e.probe.status !== 'ok' && e.probe.status !== 'unverified';

// The one-line-per-finding summary `graph --live` prints on stderr.
export function driftLines(g: MeshGraph): string[] {
  const out: string[] = [];
  for (const n of g.nodes) if (n.unreachable) out.push(`${n.name}: unreachable: ${n.unreachable}`);
  for (const e of g.edges) for (const p of e.problems) out.push(`${e.state} ${e.a} -- ${e.b}: ${p}`);
  for (const e of g.edges) if (e.probe && probeFailed(e)) for (const p of e.probe.problems) out.push(`probe ${e.a} -- ${e.b}: ${p}`);
  return out;
}
