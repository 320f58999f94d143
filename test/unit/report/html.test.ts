// The HTML report from a scripted event stream: structure, escaping, masking, ordering, diffs, atomic write.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventSink, RunEvent, TaskResultEvent } from '../../../src/executor/events.js';
import { reportCollector, reportingSink } from '../../../src/report/collect.js';
import { escapeXml } from '../../../src/report/escape.js';
import { recapOrder, renderReport } from '../../../src/report/html.js';
import { tickStep } from '../../../src/report/timeline.js';
import { addSecret } from '../../../src/vault/secrets.js';

const T0 = 1_700_000_000_000;
const res = (
  host: string,
  task: string,
  status: TaskResultEvent['status'],
  start: number,
  ms: number,
  extra: Partial<TaskResultEvent> = {},
): RunEvent => ({
  type: 'task:result',
  host,
  play: 'p',
  task,
  at: 'pb.yaml:3',
  status,
  durationMs: ms,
  startedAt: T0 + start,
  ...extra,
});
const tally = (o: Partial<Record<'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped', number>>, firstError?: string) => ({
  ok: 0,
  changed: 0,
  skipped: 0,
  failed: 0,
  unreachable: 0,
  ignored: 0,
  ...o,
  firstError,
});

function events(): RunEvent[] {
  return [
    { type: 'run:start', playbook: 'site.yaml', hosts: ['h1', 'h2', 'h10'], check: false },
    { type: 'play:start', play: 'p', hosts: ['h1', 'h2', 'h10'] },
    res('h1', 'write <config> & "quote"', 'changed', 0, 120, { diff: [{ path: '/etc/x.conf', before: 'a=1\n', after: 'a=<2>\n' }] }),
    res('h2', 'write <config> & "quote"', 'ok', 5, 100),
    res('h10', 'write <config> & "quote"', 'failed', 3, 90, { stderr: '<script>alert(1)</script>', rc: 1, cmd: 'false', msg: 'boom' }),
    res('h1', 'loop', 'ok', 130, 10, { item: 'a' }),
    res('h1', 'loop', 'changed', 141, 12, { item: 'b' }),
    res('h2', 'loop', 'skipped', 110, 0, { item: 'a' }),
    { type: 'play:end', play: 'p' },
    {
      type: 'run:end',
      recap: { h1: tally({ ok: 2, changed: 2 }), h2: tally({ ok: 2, skipped: 1 }), h10: tally({ failed: 1 }, 'boom') },
      elapsedMs: 200,
      exitCode: 2,
      interrupted: false,
    },
  ];
}

function collect(evs: RunEvent[]) {
  const c = reportCollector(() => T0);
  for (const e of evs) c.sink.emit(e);
  const r = c.report();
  if (!r) throw new Error('no report');
  return r;
}

describe('escapeXml', () => {
  it('escapes markup and quotes, drops control characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0007`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('report model and page', () => {
  it('collects one result per task result event, hosts in run order', () => {
    const r = collect(events());
    expect(r.hosts).toEqual(['h1', 'h2', 'h10']);
    expect(r.results).toHaveLength(6);
    expect(r.startedAt).toBe(T0);
    expect(r.exitCode).toBe(2);
  });

  it('renders one timeline row per host and one bar per result, with data attributes', () => {
    const html = renderReport(collect(events()));
    expect(html.match(/<g class="row" data-host=/g)).toHaveLength(3);
    expect(html.match(/<rect class="bar /g)).toHaveLength(6);
    expect(html).toContain('data-host="h10" data-task="write &lt;config&gt; &amp; &quot;quote&quot;" data-status="failed"');
    expect(html.match(/data-item="[ab]"/g)).toHaveLength(3);
  });

  it('places bars by time since the run start', () => {
    const html = renderReport(collect(events()));
    // span 200 ms over 960 px from x=150: the h1 loop item b starts at 141 ms → 150 + 141/200*960 = 826.8
    expect(html).toMatch(/data-item="b" data-ms="12" x="826\.8"/);
    // a 0 ms skipped result is still visible
    expect(html).toMatch(/data-status="skipped" data-item="a" data-ms="0" x="[\d.]+" y="[\d.]+" width="3\.0"/);
  });

  it('escapes everything: no raw markup from task names or stderr reaches the page', () => {
    const html = renderReport(collect(events()));
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<config>');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('lists the failed host first in the recap, then by name', () => {
    const r = collect(events());
    expect(recapOrder(r.recap!)).toEqual(['h10', 'h1', 'h2']);
    const html = renderReport(r);
    const rows = [...html.matchAll(/<tr class="(\w+)" data-host="(\w+)"/g)].map((m) => `${m[2]}:${m[1]}`);
    expect(rows).toEqual(['h10:failed', 'h1:changed', 'h2:ok']);
  });

  it('shows diffs line by line, escaped and classed', () => {
    const html = renderReport(collect(events()));
    expect(html).toContain('data-host="h1" data-path="/etc/x.conf"');
    expect(html).toContain('<span class="d-del">-a=1</span>');
    expect(html).toContain('<span class="d-add">+a=&lt;2&gt;</span>');
  });

  it('loads nothing from anywhere: a CSP forbids it and no URL is referenced', () => {
    const html = renderReport(collect(events()));
    expect(html).toContain("default-src 'none'");
    expect(html.replace('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:|src=|href=/);
  });

  it('picks at most ~10 gridlines', () => {
    expect(tickStep(200)).toBe(50);
    expect(tickStep(9_000)).toBe(1000);
    expect(tickStep(95_000)).toBe(10_000);
  });
});

describe('reportingSink', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });
  const recorder = () => {
    const seen: RunEvent[] = [];
    const sink: EventSink = { emit: (e) => void seen.push(e), close: async () => {} };
    return { seen, sink };
  };

  it('writes the file on close, masks secrets, and keeps diffs off the terminal without --diff', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rb-report-'));
    const file = join(dir, 'run.html');
    addSecret('SECRETVALUE77');
    const t = recorder();
    const sink = reportingSink(t.sink, file, false);
    for (const e of events()) sink.emit(e);
    sink.emit(res('h2', 'leaky', 'ok', 150, 1, { stderr: 'token SECRETVALUE77 here' }));
    await sink.close();
    const html = readFileSync(file, 'utf8');
    expect(html).not.toContain('SECRETVALUE77');
    expect(html).toContain('token ******** here');
    expect(html).toContain('<span class="d-add">');
    expect(t.seen.some((e) => e.type === 'task:result' && e.diff)).toBe(false);
    expect(readdirSync(dir)).toEqual(['run.html']);
  });

  it('passes diffs through to the terminal with --diff', () => {
    dir = mkdtempSync(join(tmpdir(), 'rb-report-'));
    const t = recorder();
    const sink = reportingSink(t.sink, join(dir, 'r.html'), true);
    for (const e of events()) sink.emit(e);
    expect(t.seen.some((e) => e.type === 'task:result' && e.diff)).toBe(true);
  });

  it('refuses a report path in a missing directory before the run (bad input)', () => {
    expect(() => reportingSink(recorder().sink, '/nonexistent-dir/x/r.html', false)).toThrow(/directory .* does not exist/);
  });
});
