// The mesh of many hosts as a host × host matrix: a cell per pair coloured by tunnel, route and probe status,
// the latency in the cell, and under it the failed pairs first. N² lines on a circle stop being readable past ~8.

import { STATUS_TEXT } from '../modules/net/mesh-probe-script.js';
import { escapeXml as esc } from '../report/escape.js';
import { isBad, type MeshEdge, type MeshGraph } from './model.js';

/** More hosts than this: a matrix instead of the circle. */
export const CIRCLE_MAX_HOSTS = 8;

const CELL_W = 64;
const CELL_H = 30;
const CHAR_W = 7.2;
const MARGIN = 24;
const TITLE_H = 40;
const LIST_LINE = 16;
const LEGEND_H = 30;

export type CellStatus = 'planned' | 'ok' | 'missing' | 'mtu' | 'tcp' | 'noroute' | 'unverified';

// Tunnel or route missing outranks what packets showed; a passed probe (or none) leaves the tunnel's state.
export function cellStatus(e: MeshEdge): CellStatus {
  if (e.state === 'missing') return 'missing';
  if (e.probe && e.probe.status !== 'ok') return e.probe.status;
  if (e.state === 'unexpected') return 'missing';
  return e.state;
}

const CELL_TEXT: Record<CellStatus, string> = {
  planned: '',
  ok: 'ok',
  missing: 'missing',
  mtu: 'MTU',
  tcp: 'TCP',
  noroute: 'no route',
  unverified: '?',
};

function cellText(e: MeshEdge): string {
  const s = cellStatus(e);
  if (s === 'ok' && e.probe?.latencyMs !== undefined)
    return `${e.probe.latencyMs < 10 ? e.probe.latencyMs.toFixed(2) : Math.round(e.probe.latencyMs)} ms`;
  return CELL_TEXT[s];
}

/** The lines under the matrix: unreachable hosts, then every failed pair and, indented, what failed. */
export function failedLines(g: MeshGraph): string[] {
  const out = g.nodes.filter((n) => n.unreachable).map((n) => `${n.name}: unreachable: ${n.unreachable}`);
  for (const e of g.edges.filter(isBad)) {
    const s = cellStatus(e);
    const why = [...e.problems, ...(e.probe && s !== 'missing' ? e.probe.problems : [])];
    const head =
      s === 'missing'
        ? e.state === 'unexpected'
          ? 'unexpected tunnel'
          : 'tunnel or route missing'
        : STATUS_TEXT[s as keyof typeof STATUS_TEXT];
    out.push(`${e.a} — ${e.b}: ${head}`, ...why.map((w) => `    ${w}`));
  }
  return out;
}

const STYLE = `text{font:12px system-ui,sans-serif;fill:#222}.title{font-size:15px;font-weight:600;text-anchor:middle}
.host{font-weight:600}.host.bad{fill:#c00}.col{text-anchor:start}.row{text-anchor:end}
.cell rect{stroke:#fff;stroke-width:2}.cell text{text-anchor:middle;font-size:11px}
.planned rect{fill:#dfe7f3}.ok rect{fill:#cdebd3}.unverified rect{fill:#e6e6e6}.self rect{fill:#555}
.missing rect{fill:#d2302c}.noroute rect{fill:#8e1b18}.mtu rect{fill:#e8590c}.tcp rect{fill:#f2a93b}
.missing text,.noroute text,.mtu text{fill:#fff;font-weight:600}.fail{fill:#a11}.list-head{font-weight:600}`;

const LEGEND: [CellStatus, string][] = [
  ['ok', 'ok (latency)'],
  ['missing', 'tunnel/route missing'],
  ['noroute', 'no route'],
  ['mtu', 'MTU black hole'],
  ['tcp', 'TCP stalled'],
  ['unverified', 'not checked'],
];

export function renderMatrix(g: MeshGraph): string {
  const hosts = g.nodes.filter((n) => n.kind === 'host');
  const idx = new Map(hosts.map((n, i) => [n.id, i]));
  const nameW = Math.ceil(Math.max(40, ...hosts.map((n) => n.name.length * CHAR_W)));
  // Column labels turned 45°: they need about their length × sin 45° of height.
  const headH = Math.ceil(nameW * 0.75) + 10;
  const left = MARGIN + nameW + 8;
  const top = TITLE_H + headH;
  const gridW = hosts.length * CELL_W;
  const gridH = hosts.length * CELL_H;
  const list = g.live ? failedLines(g) : [];
  const listText = list.length ? ['Failed pairs:', ...list] : g.live ? ['Every pair passed.'] : [];
  const listW = Math.max(0, ...listText.map((l) => l.length * CHAR_W));
  const width = Math.ceil(Math.max(left + gridW + MARGIN + nameW * 0.75, MARGIN * 2 + listW, MARGIN * 2 + LEGEND.length * 175));
  const height = Math.ceil(top + gridH + MARGIN + LEGEND_H + listText.length * LIST_LINE + MARGIN);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(g.title)}">`,
    `<style>${STYLE}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text class="title" x="${Math.round(width / 2)}" y="24">${esc(g.title)}</text>`,
  ];
  for (const [i, n] of hosts.entries()) {
    const bad = n.unreachable ? ' bad' : '';
    const tip = n.unreachable ? `<title>${esc(`${n.name}: unreachable: ${n.unreachable}`)}</title>` : '';
    const y = top + i * CELL_H + CELL_H / 2 + 4;
    const cx = left + i * CELL_W + CELL_W / 2;
    out.push(`<text class="host row${bad}" data-host="${esc(n.id)}" x="${left - 8}" y="${y}">${tip}${esc(n.name)}</text>`);
    out.push(
      `<text class="host col${bad}" data-host="${esc(n.id)}" transform="translate(${cx},${top - 6}) rotate(-45)">${tip}${esc(n.name)}</text>`,
    );
  }
  const cell = (i: number, j: number, cls: string, text: string, attrs: string, title: string) => {
    const x = left + j * CELL_W;
    const y = top + i * CELL_H;
    return `<g class="cell ${cls}"${attrs}><rect x="${x}" y="${y}" width="${CELL_W}" height="${CELL_H}"/>${title ? `<title>${esc(title)}</title>` : ''}<text x="${x + CELL_W / 2}" y="${y + CELL_H / 2 + 4}">${esc(text)}</text></g>`;
  };
  for (let i = 0; i < hosts.length; i++) out.push(cell(i, i, 'self', '', '', ''));
  for (const e of g.edges) {
    const [i, j] = [idx.get(e.a), idx.get(e.b)];
    if (i === undefined || j === undefined) continue;
    const s = cellStatus(e);
    const title = [`${e.a} — ${e.b}: ${CELL_TEXT[s] || s}`, ...e.problems, ...(e.probe?.problems ?? [])].join('\n');
    for (const [r, c] of [
      [i, j],
      [j, i],
    ])
      out.push(cell(r, c, s, cellText(e), ` data-a="${esc(hosts[r].id)}" data-b="${esc(hosts[c].id)}" data-status="${s}"`, title));
  }
  const ly = top + gridH + MARGIN;
  out.push(
    `<g class="legend">${LEGEND.map(([s, label], k) => `<g class="cell ${s}"><rect x="${MARGIN + k * 175}" y="${ly}" width="18" height="14"/></g><text x="${MARGIN + k * 175 + 24}" y="${ly + 11}">${esc(label)}</text>`).join('')}</g>`,
  );
  const listY = ly + LEGEND_H;
  out.push(
    `<g class="failed">${listText.map((l, k) => `<text xml:space="preserve" x="${MARGIN}" y="${listY + k * LIST_LINE + 12}"${k === 0 ? ' class="list-head"' : ' class="fail"'}>${esc(l)}</text>`).join('')}</g>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
