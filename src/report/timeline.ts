// The per-host Gantt chart: one row per host, one bar per task result (each loop item its own bar), x = time since run start.
import type { TaskResultEvent } from '../shared/events.js';
import type { RunReport } from './collect.js';
import { escapeXml as esc } from './escape.js';

const LABEL_W = 150;
const PLOT_W = 960;
const ROW_H = 26;
const BAR_H = 16;
const AXIS_H = 30;
const MIN_BAR_W = 3;
/** stderr and commands can be long; the tooltip shows the start. */
const TIP_MAX = 1500;

const TICK_STEPS_MS = [
  50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
];

// At most ~10 gridlines whatever the run's length.
export function tickStep(spanMs: number): number {
  return TICK_STEPS_MS.find((s) => spanMs / s <= 10) ?? Math.ceil(spanMs / 10 / 3_600_000) * 3_600_000;
}

function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000 || ms % 60_000) return `${+(ms / 1000).toFixed(2)}s`;
  return `${ms / 60_000}m`;
}

const clip = (s: string) => (s.length > TIP_MAX ? `${s.slice(0, TIP_MAX)}… (${s.length - TIP_MAX} more characters)` : s);

// What hovering a bar shows: task, item, status, duration, command, message and stderr.
export function barTip(e: TaskResultEvent): string {
  const lines = [
    `${e.host}: ${e.task}${e.item !== undefined ? ` [${e.item}]` : ''}`,
    `${e.status}${e.ignored ? ' (ignored)' : e.rescued ? ' (rescued)' : ''} · ${(e.durationMs / 1000).toFixed(2)}s`,
  ];
  if (e.at) lines.push(`at ${e.at}`);
  if (e.cmd) lines.push(`cmd: ${clip(e.cmd)}`);
  if (e.rc !== undefined) lines.push(`rc=${e.rc}`);
  if (e.msg) lines.push(`msg: ${clip(e.msg)}`);
  if (e.stderr) lines.push(`stderr:\n${clip(e.stderr)}`);
  return lines.join('\n');
}

/** The time span the chart covers, in ms since the report's zero. */
export function timelineSpan(r: RunReport): number {
  const ends = r.results.map((e) => e.startedAt - r.startedAt + e.durationMs);
  return Math.max(1, r.elapsedMs ?? 0, ...ends);
}

// Inline SVG: rows carry data-host, bars data-host/data-task/data-status/data-item, so the page can be tested and styled.
export function timelineSvg(r: RunReport): string {
  const span = timelineSpan(r);
  const x = (ms: number) => LABEL_W + (Math.max(0, ms) / span) * PLOT_W;
  const width = LABEL_W + PLOT_W + 20;
  const height = AXIS_H + r.hosts.length * ROW_H + 8;
  const out: string[] = [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="task timeline per host">`,
  ];
  const step = tickStep(span);
  out.push('<g class="axis">');
  for (let t = 0; t <= span; t += step) {
    const tx = x(t).toFixed(1);
    out.push(
      `<line x1="${tx}" y1="${AXIS_H - 6}" x2="${tx}" y2="${height}" class="grid"/><text x="${tx}" y="${AXIS_H - 10}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  out.push('</g>');
  for (const [i, host] of r.hosts.entries()) {
    const y = AXIS_H + i * ROW_H;
    out.push(`<g class="row" data-host="${esc(host)}">`);
    out.push(`<rect class="row-bg${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${width}" height="${ROW_H}"/>`);
    out.push(`<text class="host" x="8" y="${y + ROW_H / 2 + 4}">${esc(host.length > 20 ? `${host.slice(0, 19)}…` : host)}</text>`);
    for (const e of r.results.filter((res) => res.host === host)) {
      const start = e.startedAt - r.startedAt;
      const w = Math.max(MIN_BAR_W, (e.durationMs / span) * PLOT_W);
      const item = e.item !== undefined ? ` data-item="${esc(e.item)}"` : '';
      out.push(
        `<rect class="bar s-${e.status}${e.ignored ? ' ignored' : e.rescued ? ' rescued' : ''}" data-host="${esc(host)}" data-task="${esc(e.task)}" data-status="${e.status}"${item} data-ms="${e.durationMs}" x="${x(start).toFixed(1)}" y="${y + (ROW_H - BAR_H) / 2}" width="${w.toFixed(1)}" height="${BAR_H}" rx="2"><title>${esc(barTip(e))}</title></rect>`,
      );
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
