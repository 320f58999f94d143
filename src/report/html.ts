// One self-contained HTML page per run: inline CSS, SVG and a few lines of JS; it opens offline and loads nothing.
import { createTwoFilesPatch } from 'diff';
import type { HostTally, TaskResultEvent } from '../shared/events.js';
import type { RunReport } from './collect.js';
import { escapeXml as esc } from './escape.js';
import { timelineSvg } from './timeline.js';

const STYLE = `
:root{--ok:#3a9d4a;--changed:#d9a400;--failed:#d2302c;--skipped:#4aa3c4;--unreachable:#a03fb0;font-family:system-ui,sans-serif;color:#222}
body{margin:1.5rem;max-width:1200px}h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
.meta{color:#555}.meta b{color:#222}.exit-0{color:var(--ok)}.exit-2,.exit-130{color:var(--failed)}.exit-3{color:var(--unreachable)}
.timeline{font-size:12px;display:block}.timeline .grid{stroke:#ddd}.timeline .axis text{fill:#777}.row-bg{fill:#fff}.row-bg.odd{fill:#f6f6f6}
.host{font-weight:600}.bar{stroke:#0003;cursor:default}.bar:hover{stroke:#000;stroke-width:1.5}.bar.ignored,.bar.rescued{opacity:.55}
.s-ok{fill:var(--ok)}.s-changed{fill:var(--changed)}.s-failed{fill:var(--failed)}.s-skipped{fill:var(--skipped)}.s-unreachable{fill:var(--unreachable)}
.legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em;border-radius:2px}
.legend .ok{background:var(--ok)}.legend .changed{background:var(--changed)}.legend .failed{background:var(--failed)}.legend .skipped{background:var(--skipped)}.legend .unreachable{background:var(--unreachable)}
table{border-collapse:collapse}td,th{padding:.25rem .7rem;border-bottom:1px solid #e3e3e3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td.name,td.err{color:var(--failed)}tr.unreachable td.name{color:var(--unreachable)}tr.changed td.name{color:#9a7400}tr.ok td.name{color:var(--ok)}
pre{background:#f7f7f7;padding:.6rem;overflow:auto;font-size:12px;margin:.3rem 0}.d-add{color:#18794e;background:#e9f7ef}.d-del{color:#b4231f;background:#fdecec}.d-hunk{color:#1f6f8b}
details{margin:.4rem 0}summary{cursor:pointer}#tip{position:fixed;display:none;max-width:640px;white-space:pre-wrap;background:#222;color:#fff;font:12px/1.35 ui-monospace,monospace;padding:.5rem .6rem;border-radius:4px;pointer-events:none;z-index:9}
`;

// Native <title> tooltips are slow to appear; this shows the same text at once. Without JS the titles still work.
const SCRIPT = `
(function(){var tip=document.getElementById('tip');
document.querySelectorAll('.bar').forEach(function(b){var t=b.querySelector('title');if(!t)return;b.setAttribute('data-tip',t.textContent);t.remove();
b.addEventListener('mousemove',function(ev){tip.textContent=b.getAttribute('data-tip');tip.style.display='block';
tip.style.left=Math.min(ev.clientX+14,innerWidth-tip.offsetWidth-8)+'px';tip.style.top=Math.min(ev.clientY+14,innerHeight-tip.offsetHeight-8)+'px';});
b.addEventListener('mouseleave',function(){tip.style.display='none';});});})();
`;

const badness = (t: HostTally) => (t.failed ? 2 : t.unreachable ? 1 : 0);
const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Recap order, as on the terminal: failed hosts first, then unreachable, then by name. */
export function recapOrder(recap: Record<string, HostTally>): string[] {
  return Object.keys(recap).sort((a, b) => badness(recap[b]) - badness(recap[a]) || byName(a, b));
}

function recapTable(r: RunReport): string {
  if (!r.recap) return '<p>The run did not finish: no recap.</p>';
  const recap = r.recap;
  const rb = Object.values(recap).some((t) => t.rolledBack); // network safety: a "rolled back" column when any host was
  const rows = recapOrder(recap).map((h) => {
    const t = recap[h];
    const cls = t.failed ? 'failed' : t.unreachable ? 'unreachable' : t.changed ? 'changed' : 'ok';
    const n = (v: number) => `<td class="n">${v}</td>`;
    const err = (t.failed || t.unreachable || t.rolledBack) && t.firstError ? esc(t.firstError) : '';
    return `<tr class="${cls}" data-host="${esc(h)}"><td class="name">${esc(h)}</td>${n(t.ok)}${n(t.changed)}${n(t.unreachable)}${n(t.failed)}${n(t.skipped)}${n(t.rescued ?? 0)}${n(t.ignored)}${rb ? n(t.rolledBack ?? 0) : ''}<td class="err">${err}</td></tr>`;
  });
  return `<table class="recap"><thead><tr><th>host</th><th>ok</th><th>changed</th><th>unreachable</th><th>failed</th><th>skipped</th><th>rescued</th><th>ignored</th>${rb ? '<th>rolled back</th>' : ''}<th>first error</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function failures(r: RunReport): string {
  const failed = r.results.filter((e) => (e.status === 'failed' && !e.ignored && !e.rescued) || e.status === 'unreachable');
  if (!failed.length) return '';
  const items = failed.map((e) => {
    const body = [e.msg, e.rc !== undefined ? `rc=${e.rc}` : '', e.cmd ? `cmd: ${e.cmd}` : '', e.stderr ? `stderr:\n${e.stderr}` : '']
      .filter(Boolean)
      .join('\n');
    return `<details open class="failure" data-host="${esc(e.host)}"><summary><b>${esc(e.host)}</b> · ${esc(e.task)}${e.item !== undefined ? ` [${esc(e.item)}]` : ''}${e.at ? ` <small>(${esc(e.at)})</small>` : ''}</summary><pre>${esc(body)}</pre></details>`;
  });
  return `<h2>Failures</h2>\n${items.join('\n')}`;
}

// A unified diff as HTML: every line escaped, added/removed/hunk lines classed for colour.
export function diffHtml(d: { path?: string; before: string; after: string }): string {
  const name = d.path ?? '';
  const patch = createTwoFilesPatch(`before: ${name}`, `after: ${name}`, d.before, d.after, '', '', { context: 3 });
  const lines = patch
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && !l.startsWith('\\ No newline'))
    .map((l) => {
      const cls =
        l.startsWith('+') && !l.startsWith('+++')
          ? 'd-add'
          : l.startsWith('-') && !l.startsWith('---')
            ? 'd-del'
            : l.startsWith('@@')
              ? 'd-hunk'
              : '';
      return cls ? `<span class="${cls}">${esc(l)}</span>` : esc(l);
    });
  return `<pre class="diff">${lines.join('\n')}</pre>`;
}

function diffs(r: RunReport): string {
  const withDiff = r.results.filter((e): e is TaskResultEvent & { diff: NonNullable<TaskResultEvent['diff']> } => !!e.diff?.length);
  if (!withDiff.length) return '';
  const items = withDiff.flatMap((e) =>
    e.diff.map(
      (d) =>
        `<details class="file-diff" data-host="${esc(e.host)}" data-path="${esc(d.path ?? '')}"><summary><b>${esc(e.host)}</b> · ${esc(d.path ?? e.task)} <small>(${esc(e.task)}, ${e.status})</small></summary>${diffHtml(d)}</details>`,
    ),
  );
  return `<h2>Changed files</h2>\n${items.join('\n')}`;
}

function header(r: RunReport): string {
  const when = new Date(r.startedAt)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const exit = r.exitCode === undefined ? 'not finished' : `exit ${r.exitCode}${r.interrupted ? ' (interrupted)' : ''}`;
  const elapsed = r.elapsedMs === undefined ? '' : ` in <b>${(r.elapsedMs / 1000).toFixed(2)}s</b>`;
  return `<h1>runbook: ${esc(r.playbook ?? 'run')}</h1>
<p class="meta">${r.check ? '<b>CHECK MODE</b> · ' : ''}started ${esc(when)} · <b>${r.hosts.length}</b> host${r.hosts.length === 1 ? '' : 's'} · ${r.results.length} task results${elapsed} · <b class="exit-${r.exitCode ?? 'none'}">${exit}</b></p>
<p class="meta">plays: ${r.plays.map((p) => esc(p)).join(', ') || '(none)'}</p>`;
}

const LEGEND = `<p class="legend">${['ok', 'changed', 'failed', 'skipped', 'unreachable'].map((s) => `<span><i class="${s}"></i>${s}</span>`).join('')}</p>`;

// The whole page. The CSP forbids every fetch, so even a crafted value cannot make the page call out.
export function renderReport(r: RunReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>runbook report: ${esc(r.playbook ?? 'run')}</title>
<style>${STYLE}</style></head>
<body>
${header(r)}
<h2>Timeline</h2>
${LEGEND}
${timelineSvg(r)}
<h2>Recap</h2>
${recapTable(r)}
${failures(r)}
${diffs(r)}
<div id="tip" role="tooltip"></div>
<script>${SCRIPT}</script>
</body></html>
`;
}
