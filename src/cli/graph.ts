// `runbook graph`: the GRE mesh the inventory plans, as SVG, Mermaid or DOT; --live compares it with the hosts.
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { driftLines, isBad, type MeshGraph, planMesh } from '../graph/model.js';
import { loadInventory } from '../inventory/load.js';
import { selectHosts } from '../inventory/select.js';
import type { Inventory } from '../inventory/types.js';
import { hostVars } from '../inventory/vars.js';
import { checkOutputPath, writeFileAtomic } from '../report/write.js';
import type { ConnectOptions } from './connector.js';
import { EXIT } from './exit.js';
import { inventorySources } from './options.js';

export type GraphFormat = 'svg' | 'mermaid' | 'dot' | 'json';

export interface GraphFlags extends ConnectOptions {
  inventory?: string[];
  playbook?: string;
  group?: string;
  output?: string;
  format?: GraphFormat;
  live?: boolean;
  /** Send real packets between every pair (implies live). */
  probe?: boolean;
}

const byExtension: Record<string, GraphFormat> = {
  '.json': 'json',
  '.svg': 'svg',
  '.dot': 'dot',
  '.gv': 'dot',
  '.mmd': 'mermaid',
  '.mermaid': 'mermaid',
  '.md': 'mermaid',
};

/** `-o json` (as run and exec take it): JSON on stdout rather than a file named "json". */
const stdoutJson = (f: Pick<GraphFlags, 'output'>) => f.output === 'json';

// --format wins; else `-o json`; else the -o extension; else Mermaid on stdout (pastes into Markdown).
export function graphFormat(f: Pick<GraphFlags, 'format' | 'output'>): GraphFormat {
  if (f.format) return f.format;
  if (stdoutJson(f)) return 'json';
  if (!f.output) return 'mermaid';
  const fmt = byExtension[extname(f.output).toLowerCase()];
  if (!fmt)
    throw new UsageError(`-o ${f.output}: cannot tell the format from the extension`, {
      hint: 'use .svg, .dot/.gv, .mmd or .json, or pass --format svg|mermaid|dot|json',
    });
  return fmt;
}

// The mesh hosts: --group (a host pattern), else the hosts of the playbook's play that creates ovs_port tunnels, else group mesh.
async function meshHosts(inv: Inventory, f: GraphFlags): Promise<{ hosts: string[]; title: string }> {
  const pattern = f.group ?? 'mesh';
  if (!f.group && f.playbook) {
    const [{ loadPlaybook }, { playHosts }] = await Promise.all([import('../playbook/load.js'), import('../executor/run.js')]);
    const pb = loadPlaybook(f.playbook);
    const play = pb.plays.find((p) => p.tasks.some((t) => t.module === 'ovs_port')) ?? pb.plays[0];
    if (!play) throw new UsageError(`${f.playbook}: no play`, { hint: 'give a playbook with a play, e.g. playbooks/gre-mesh.yaml' });
    return { hosts: playHosts(inv, play), title: `GRE mesh: ${play.hosts} (${play.name})` };
  }
  const hosts = selectHosts(inv, pattern);
  return { hosts, title: `GRE mesh: ${pattern}` };
}

export async function graphCommand(f: GraphFlags): Promise<number> {
  const format = graphFormat(f);
  const out = f.output && !stdoutJson(f) ? checkOutputPath(f.output, '-o') : undefined;
  const inventory = loadInventory(inventorySources(f.inventory));
  const { hosts, title } = await meshHosts(inventory, f);
  if (!hosts.length)
    throw new UsageError(`no hosts in ${f.group ? `"${f.group}"` : f.playbook ? `the play of ${f.playbook}` : 'group "mesh"'}`, {
      hint: 'put the mesh hosts in group mesh, or pass --group <pattern>',
    });
  let graph = planMesh(inventory, hosts, title);
  let code: number = EXIT.ok;
  if (f.live || f.probe) {
    graph = await liveGraph(inventory, hosts, graph, f);
    for (const l of driftLines(graph)) process.stderr.write(`${l}\n`);
    code = graphExitCode(graph);
    if (code === EXIT.ok) process.stderr.write(`${okLine(graph, hosts.length)}\n`);
  }
  const render = await renderer(format);
  const text = render(graph);
  if (out) writeFileAtomic(out, text);
  else process.stdout.write(text);
  return code;
}

async function renderer(format: GraphFormat): Promise<(g: MeshGraph) => string> {
  if (format === 'svg') return (await import('../graph/svg.js')).renderSvg;
  if (format === 'dot') return (await import('../graph/dot.js')).renderDot;
  if (format === 'json') return (await import('../graph/json.js')).renderJson;
  return (await import('../graph/mermaid.js')).renderMermaid;
}

// What the hosts hold (tunnels, routes), then with --probe what packets between them show.
async function liveGraph(inventory: Inventory, hosts: string[], plan: MeshGraph, f: GraphFlags): Promise<MeshGraph> {
  const [{ makeConnector, localConnector }, { readMesh, compareLive }] = await Promise.all([
    import('./connector.js'),
    import('../graph/live.js'),
  ]);
  const connector = makeConnector(f);
  const vars = new Map(hosts.map((h) => [h, hostVars(inventory, h)]));
  const v = (h: string) => vars.get(h) ?? {};
  const connect = (h: string) => (v(h).ansible_connection === 'local' ? localConnector() : connector(h, v(h)));
  await connector.check(hosts.filter((h) => v(h).ansible_connection !== 'local').map((h) => ({ host: h, vars: v(h) })));
  const states = await readMesh(hosts, connect, (h) => !!v(h).ansible_become);
  const graph = compareLive(plan, states);
  if (!f.probe) return graph;
  const { probeMesh, applyProbe } = await import('../graph/probe-run.js');
  const mtu = (h: string) => Number(v(h).mtu ?? 1400);
  const reachable = graph.nodes.filter((n) => n.kind === 'host' && !n.unreachable).map((n) => n.id);
  const probeHosts = reachable.map((h) => ({
    host: h,
    bridge: String(v(h).bridge_name ?? 'br0'),
    v4: v(h).bridge_cidr ? String(v(h).bridge_cidr).split('/')[0] : undefined,
    mtu: mtu(h),
    become: !!v(h).ansible_become,
  }));
  return applyProbe(graph, await probeMesh(probeHosts, connect), mtu);
}

/** graph --live/--probe's exit code, decided here only: 5 when a pair differs or loses packets, else 3 when a host is unreachable, else 0. */
export function graphExitCode(g: MeshGraph): number {
  if (g.edges.some(isBad)) return EXIT.drift;
  if (g.nodes.some((n) => n.unreachable)) return EXIT.unreachable;
  return EXIT.ok;
}

function okLine(g: MeshGraph, hosts: number): string {
  if (!g.probed) return `live: ${g.edges.length} tunnels on ${hosts} hosts match the plan`;
  const worst = Math.max(0, ...g.edges.map((e) => e.probe?.latencyMs ?? 0));
  return `live: ${g.edges.length} tunnels on ${hosts} hosts match the plan; probe: every pair passed (full-size pings with don't-fragment, 64 KB over TCP; slowest round trip ${worst} ms)`;
}
