// A self-contained SVG of the mesh, laid out here (hosts on a circle, unknown peers outside it): no Graphviz needed.

import { STATUS_TEXT } from '../modules/net/mesh-probe-script.js';
import { escapeXml as esc } from '../report/escape.js';
import { CIRCLE_MAX_HOSTS, renderMatrix } from './matrix.js';
import { isBad, type MeshEdge, type MeshGraph, type MeshNode, nodeLines, probeFailed } from './model.js';

const BOX_W = 180;
const LINE_H = 15;
const PAD = 8;
const MARGIN = 30;
const TITLE_H = 40;
const LEGEND_H = 60;
const OUTER = 170;
/** Wide enough for the legend even with one host. */
const MIN_W = 420;

export interface Point {
  x: number;
  y: number;
}

const boxH = (n: MeshNode) => nodeLines(n).length * LINE_H + 2 * PAD;
const round = (v: number) => Math.round(v * 10) / 10;

// Hosts evenly on a circle, the first at the top, clockwise; the radius grows so neighbours' boxes never touch.
export function circleLayout(count: number): { radius: number; points: Point[] } {
  const radius = count <= 1 ? 0 : Math.max(150, (BOX_W + 40) / (2 * Math.sin(Math.PI / count)));
  const points = Array.from({ length: count }, (_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / count;
    return { x: round(radius * Math.cos(a)), y: round(radius * Math.sin(a)) };
  });
  return { radius, points };
}

// Host positions on the circle; an unknown node sits further out beyond the (first) host that tunnels to it.
function positions(g: MeshGraph): { at: Map<string, Point>; reach: number } {
  const hosts = g.nodes.filter((n) => n.kind === 'host');
  const { radius, points } = circleLayout(hosts.length);
  const at = new Map<string, Point>(hosts.map((n, i) => [n.id, points[i]]));
  const unknown = g.nodes.filter((n) => n.kind === 'unknown');
  const taken = new Map<string, number>();
  for (const u of unknown) {
    const from = g.edges.find((e) => e.b === u.id)?.a ?? hosts[0]?.id;
    const p = (from && at.get(from)) || { x: 0, y: -1 };
    const k = taken.get(from ?? '') ?? 0;
    taken.set(from ?? '', k + 1);
    const angle = Math.atan2(p.y, p.x || 0.0001) + k * 0.45;
    const r = radius + OUTER;
    at.set(u.id, { x: round(r * Math.cos(angle)), y: round(r * Math.sin(angle)) });
  }
  return { at, reach: radius + (unknown.length ? OUTER : 0) };
}

function edgeSvg(e: MeshEdge, a: Point, b: Point): string {
  const failed = e.state === 'ok' && e.probe && probeFailed(e) ? e.probe : undefined;
  const title = [`${e.a} — ${e.b}: ${failed ? STATUS_TEXT[failed.status] : e.state}`, ...e.problems, ...(failed?.problems ?? [])].join(
    '\n',
  );
  const cls = failed ? `probe ${failed.status}` : e.state;
  return `<line class="edge ${cls}" data-a="${esc(e.a)}" data-b="${esc(e.b)}" data-state="${e.state}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}"><title>${esc(title)}</title></line>`;
}

function nodeSvg(n: MeshNode, p: Point): string {
  const h = boxH(n);
  const cls = `node ${n.kind}${isBad(n) || n.kind === 'unknown' ? ' bad' : ''}`;
  const title = n.unreachable ? `<title>${esc(`${n.name}: unreachable: ${n.unreachable}`)}</title>` : '';
  const text = nodeLines(n)
    .map(
      (l, i) => `<text x="${p.x}" y="${round(p.y - h / 2 + PAD + LINE_H * (i + 1) - 3)}"${i === 0 ? ' class="name"' : ''}>${esc(l)}</text>`,
    )
    .join('');
  const shape =
    n.kind === 'unknown'
      ? `<ellipse cx="${p.x}" cy="${p.y}" rx="${BOX_W / 2 - 20}" ry="${h / 2 + 4}"/>`
      : `<rect x="${round(p.x - BOX_W / 2)}" y="${round(p.y - h / 2)}" width="${BOX_W}" height="${h}" rx="6"/>`;
  return `<g class="${cls}" data-node="${esc(n.id)}">${title}${shape}${text}</g>`;
}

const STYLE = `text{font:12px system-ui,sans-serif;text-anchor:middle;fill:#222}.title{font-size:15px;font-weight:600}
.node rect,.node ellipse{fill:#f4f8ff;stroke:#4a6fa5;stroke-width:1.5}.node .name{font-weight:600}
.node.bad rect,.node.bad ellipse{fill:#fde8e8;stroke:#d2302c;stroke-width:2}.node.bad text{fill:#a11}
.edge{stroke:#4a6fa5;stroke-width:2}.edge.ok{stroke:#3a9d4a}.edge.unverified{stroke:#999;stroke-dasharray:2 4}
.edge.missing{stroke:#d2302c;stroke-width:2.5;stroke-dasharray:8 6}.edge.unexpected{stroke:#d2302c;stroke-width:2.5}.legend text{text-anchor:start;font-size:11px}`;

function legend(g: MeshGraph, x: number, y: number): string {
  const items: [string, string][] = g.live
    ? [
        ['ok', g.probed ? 'tunnel and routes on both ends, packets pass' : 'tunnel and routes on both ends'],
        ['missing', 'GRE port or route missing'],
        ['unexpected', 'GRE port not in the plan'],
        ['unverified', 'an end could not be read'],
        ...(g.probed ? ([['probe', 'probe failed: MTU black hole, TCP stalled or no route']] as [string, string][]) : []),
      ]
    : [['planned', 'GRE tunnel (one port on each end) + routes']];
  return `<g class="legend">${items
    .map(([cls, label], i) => {
      const ly = y + i * 14;
      return `<line class="edge ${cls}" x1="${x}" y1="${ly}" x2="${x + 30}" y2="${ly}"/><text x="${x + 38}" y="${ly + 4}">${esc(`${cls}: ${label}`)}</text>`;
    })
    .join('')}</g>`;
}

// Up to CIRCLE_MAX_HOSTS hosts on a circle; more as a host × host matrix.
export function renderSvg(g: MeshGraph): string {
  if (g.nodes.filter((n) => n.kind === 'host').length > CIRCLE_MAX_HOSTS) return renderMatrix(g);
  const { at, reach } = positions(g);
  const maxH = Math.max(LINE_H, ...g.nodes.map(boxH));
  const halfW = reach + BOX_W / 2 + MARGIN;
  const halfH = reach + maxH / 2 + MARGIN;
  const width = Math.max(MIN_W, Math.ceil(2 * halfW));
  const legendH = LEGEND_H + (g.probed ? 14 : 0);
  const height = Math.ceil(2 * halfH + TITLE_H + legendH);
  const cx = Math.ceil(width / 2);
  const cy = Math.ceil(TITLE_H + halfH);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(g.title)}">`,
    `<style>${STYLE}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text class="title" x="${cx}" y="24">${esc(g.title)}</text>`,
    `<g transform="translate(${cx},${cy})">`,
  ];
  for (const e of g.edges) out.push(edgeSvg(e, at.get(e.a) as Point, at.get(e.b) as Point));
  for (const n of g.nodes) out.push(nodeSvg(n, at.get(n.id) as Point));
  out.push('</g>', legend(g, MARGIN, height - legendH + 12), '</svg>');
  return `${out.join('\n')}\n`;
}
