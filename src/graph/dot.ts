// Graphviz DOT for the mesh: `dot -Tsvg`, `circo` or any DOT viewer; red dashed = missing, red = unexpected.

import { STATUS_TEXT } from '../modules/net/mesh-probe-script.js';
import { isBad, type MeshEdge, type MeshGraph, type MeshNode, nodeLines, probeFailed } from './model.js';

// DOT double-quoted IDs: backslash and quote escaped, newlines as the \n escape.
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const attrs = (a: Record<string, string | undefined>): string => {
  const parts = Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${dotString(v as string)}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
};

function nodeAttrs(n: MeshNode): Record<string, string | undefined> {
  const label = nodeLines(n).join('\n');
  if (n.kind === 'unknown') return { label, shape: 'ellipse', color: 'red', fontcolor: 'red', class: 'unknown' };
  if (n.unreachable) return { label, color: 'red', fontcolor: 'red', class: 'unreachable', tooltip: `unreachable: ${n.unreachable}` };
  return { label };
}

function edgeAttrs(e: MeshEdge): Record<string, string | undefined> {
  const tooltip = e.problems.length ? e.problems.join('\n') : undefined;
  // Tunnels in place but packets lost: red and labelled with what the probe saw.
  if (e.state === 'ok' && e.probe && probeFailed(e))
    return { color: 'red', label: STATUS_TEXT[e.probe.status], class: `probe-${e.probe.status}`, tooltip: e.probe.problems.join('\n') };
  switch (e.state) {
    case 'missing':
      return { color: 'red', style: 'dashed', label: 'missing', class: 'missing', tooltip };
    case 'unexpected':
      return { color: 'red', label: 'unexpected', class: 'unexpected', tooltip };
    case 'unverified':
      return { color: 'gray', style: 'dotted', class: 'unverified' };
    case 'ok':
      return { color: 'darkgreen', class: 'ok' };
    default:
      return {};
  }
}

export function renderDot(g: MeshGraph): string {
  const lines = [
    `graph ${dotString(g.title)} {`,
    `  graph [layout="circo", label=${dotString(g.title)}, labelloc="t"];`,
    '  node [shape="box", fontname="Helvetica", fontsize="10"];',
    '  edge [fontname="Helvetica", fontsize="9"];',
  ];
  for (const n of g.nodes) lines.push(`  ${dotString(n.id)}${attrs(nodeAttrs(n))};`);
  for (const e of g.edges) lines.push(`  ${dotString(e.a)} -- ${dotString(e.b)}${attrs(edgeAttrs(e))};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Counted by tests and the CLI summary alike. */
export const badEdges = (g: MeshGraph): MeshEdge[] => g.edges.filter(isBad);
