// `runbook graph`: the GRE mesh the inventory plans, as SVG, Mermaid or DOT; --live compares it with the hosts.
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { loadInventory } from '../inventory/load.js';
import { selectHosts } from '../inventory/select.js';
import type { Inventory } from '../inventory/types.js';
import { hostVars } from '../inventory/vars.js';
import { checkOutputPath, writeFileAtomic } from '../report/write.js';
import type { ConnectOptions } from './connector.js';
import { EXIT } from './exit.js';
import { inventorySources } from './options.js';

export type GraphFormat = 'svg' | 'mermaid' | 'dot';

export interface GraphFlags extends ConnectOptions {
  inventory?: string[];
  playbook?: string;
  group?: string;
  output?: string;
  format?: GraphFormat;
  live?: boolean;
}

const byExtension: Record<string, GraphFormat> = { '.svg': 'svg', '.dot': 'dot', '.gv': 'dot', '.mmd': 'mermaid', '.mermaid': 'mermaid', '.md': 'mermaid' };

// --format wins; else the -o extension; else Mermaid on stdout (pastes into Markdown).
export function graphFormat(f: Pick<GraphFlags, 'format' | 'output'>): GraphFormat {
  if (f.format) return f.format;
  if (!f.output) return 'mermaid';
  const fmt = byExtension[extname(f.output).toLowerCase()];
  if (!fmt) throw new UsageError(`-o ${f.output}: cannot tell the format from the extension`, { hint: 'use .svg, .dot/.gv or .mmd, or pass --format svg|mermaid|dot' });
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
  const out = f.output ? checkOutputPath(f.output, '-o') : undefined;
  const inventory = loadInventory(inventorySources(f.inventory));
  const { hosts, title } = await meshHosts(inventory, f);
  if (!hosts.length)
    throw new UsageError(`no hosts in ${f.group ? `"${f.group}"` : f.playbook ? `the play of ${f.playbook}` : 'group "mesh"'}`, {
      hint: 'put the mesh hosts in group mesh, or pass --group <pattern>',
    });
  const { planMesh, driftLines } = await import('../graph/model.js');
  let graph = planMesh(inventory, hosts, title);
  let code: number = EXIT.ok;
  if (f.live) {
    const [{ makeConnector, localConnector }, { readMesh, compareLive }] = await Promise.all([import('./connector.js'), import('../graph/live.js')]);
    const connector = makeConnector(f);
    const vars = new Map(hosts.map((h) => [h, hostVars(inventory, h)]));
    await connector.check(hosts.filter((h) => vars.get(h)?.ansible_connection !== 'local').map((h) => ({ host: h, vars: vars.get(h) ?? {} })));
    const states = await readMesh(
      hosts,
      (h) => (vars.get(h)?.ansible_connection === 'local' ? localConnector() : connector(h, vars.get(h) ?? {})),
      (h) => !!vars.get(h)?.ansible_become,
    );
    graph = compareLive(graph, states);
    const drift = driftLines(graph);
    for (const l of drift) process.stderr.write(`${l}\n`);
    const differs = graph.edges.some((e) => e.state === 'missing' || e.state === 'unexpected');
    code = differs ? EXIT.drift : graph.nodes.some((n) => n.unreachable) ? EXIT.unreachable : EXIT.ok;
    if (code === EXIT.ok) process.stderr.write(`live: ${graph.edges.length} tunnels on ${hosts.length} hosts match the plan\n`);
  }
  const render = format === 'svg' ? (await import('../graph/svg.js')).renderSvg : format === 'dot' ? (await import('../graph/dot.js')).renderDot : (await import('../graph/mermaid.js')).renderMermaid;
  const text = render(graph);
  if (out) writeFileAtomic(out, text);
  else process.stdout.write(text);
  return code;
}
