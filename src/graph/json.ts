// The mesh as JSON (`graph -o json`): hosts, one entry per pair (tunnel state, probe verdict), failed pairs first.
import { isBad, type MeshGraph } from './model.js';

export function renderJson(g: MeshGraph): string {
  const hosts = g.nodes.map((n) => ({
    name: n.name,
    kind: n.kind,
    address: n.address ?? null,
    bridge_cidr: n.bridgeCidr ?? null,
    docker_subnet: n.dockerSubnet ?? null,
    unreachable: n.unreachable ?? null,
  }));
  const pairs = g.edges.map((e) => ({
    a: e.a,
    b: e.b,
    // null when nothing was checked (plan only) or an end could not be read.
    ok: !g.live ? null : isBad(e) ? false : e.state === 'unverified' || e.probe?.status === 'unverified' ? null : true,
    tunnel: e.state,
    problems: e.problems,
    probe: e.probe ? { status: e.probe.status, latency_ms: e.probe.latencyMs ?? null, problems: e.probe.problems } : null,
  }));
  const failed = pairs.filter((p) => p.ok === false);
  return `${JSON.stringify({ title: g.title, live: g.live, probed: !!g.probed, hosts, failed: failed.map((p) => [p.a, p.b]), pairs: [...failed, ...pairs.filter((p) => p.ok !== false)] }, null, 2)}\n`;
}
