// Mermaid flowchart for the mesh: pastes into Markdown (GitHub, GitLab) and renders there; red = differs from the plan.

import { STATUS_TEXT } from '../modules/net/mesh-probe-script.js';
import { type MeshGraph, type MeshNode, nodeLines, probeFailed } from './model.js';

// Mermaid quoted labels: quotes and angle brackets as entity codes, lines joined with <br/>.
export function mermaidText(s: string): string {
  return s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

export function renderMermaid(g: MeshGraph): string {
  const ids = new Map<string, string>(g.nodes.map((n, i) => [n.id, n.kind === 'unknown' ? `u${i}` : `n${i}`]));
  const label = (n: MeshNode) => nodeLines(n).map(mermaidText).join('<br/>');
  const lines = ['graph LR', `  %% ${mermaidText(g.title)}`];
  for (const n of g.nodes) {
    const id = ids.get(n.id);
    lines.push(n.kind === 'unknown' ? `  ${id}(("${label(n)}"))` : `  ${id}["${label(n)}"]`);
  }
  const styles: string[] = [];
  for (const [i, e] of g.edges.entries()) {
    const [a, b] = [ids.get(e.a), ids.get(e.b)];
    if (e.state === 'missing') {
      lines.push(`  ${a} -. missing .- ${b}`);
      styles.push(`  linkStyle ${i} stroke:red,stroke-width:2px,stroke-dasharray:5 5`);
    } else if (e.state === 'unexpected') {
      lines.push(`  ${a} ---|unexpected| ${b}`);
      styles.push(`  linkStyle ${i} stroke:red,stroke-width:2px`);
    } else if (e.state === 'unverified') {
      lines.push(`  ${a} -.- ${b}`);
      styles.push(`  linkStyle ${i} stroke:gray`);
    } else if (e.probe && probeFailed(e)) {
      lines.push(`  ${a} ---|${mermaidText(STATUS_TEXT[e.probe.status])}| ${b}`);
      styles.push(`  linkStyle ${i} stroke:red,stroke-width:2px`);
    } else lines.push(`  ${a} --- ${b}`);
  }
  lines.push(...styles);
  const bad = g.nodes.filter((n) => n.unreachable || n.kind === 'unknown').map((n) => ids.get(n.id));
  if (bad.length) lines.push('  classDef bad fill:#fdd,stroke:red,color:#900', `  class ${bad.join(',')} bad`);
  return `${lines.join('\n')}\n`;
}
