// merge-reports: the summary lines of sharded runs become one recap with the run's exit-code rule.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { mergeReportsCommand, mergeSummaries, summaryFromText } from '../../src/cli/merge-reports.js';

const t = (o: Partial<Record<'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable' | 'ignored' | 'rescued', number>> = {}) => ({
  ok: 0,
  changed: 0,
  skipped: 0,
  failed: 0,
  unreachable: 0,
  ignored: 0,
  rescued: 0,
  ...o,
});
const line = (recap: Record<string, ReturnType<typeof t>>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'summary', recap, elapsed_ms: 1000, exit_code: 0, interrupted: false, ...extra });

describe('summaryFromText', () => {
  it('takes the last summary line of a JSON-lines report', () => {
    const text = [JSON.stringify({ type: 'play:start', play: 'p', hosts: ['a'] }), line({ a: t({ ok: 1 }) }), ''].join('\n');
    expect(summaryFromText(text).recap.a.ok).toBe(1);
  });
  it('accepts a file holding only the summary line', () => {
    expect(summaryFromText(line({ b: t({ changed: 2, ok: 2 }) })).recap.b.changed).toBe(2);
  });
  it('says which report has no summary', () => {
    expect(() => summaryFromText('{"type":"task:start"}\nnot json', 'shard-3.json')).toThrow(/shard-3\.json: no summary line/);
  });
});

describe('mergeSummaries', () => {
  const s = (recap: Record<string, ReturnType<typeof t>>, elapsedMs = 1000, interrupted = false) => ({
    recap,
    elapsedMs,
    exitCode: 0,
    interrupted,
  });

  it('unions hosts, sums counts, keeps the longest elapsed', () => {
    const m = mergeSummaries([s({ a: t({ ok: 3, changed: 1 }) }, 1200), s({ b: t({ ok: 2, skipped: 1 }), a: t({ ok: 1 }) }, 900)]);
    expect(m.recap).toEqual({ a: t({ ok: 4, changed: 1 }), b: t({ ok: 2, skipped: 1 }) });
    expect(m.elapsedMs).toBe(1200);
    expect(m.exitCode).toBe(0);
  });

  it('exits 2 if any host failed, even next to unreachable ones', () => {
    expect(mergeSummaries([s({ a: t({ unreachable: 1 }) }), s({ b: t({ failed: 1 }) })]).exitCode).toBe(2);
  });

  it('exits 3 if a host was unreachable and none failed', () => {
    expect(mergeSummaries([s({ a: t({ ok: 1 }) }), s({ b: t({ unreachable: 1 }) })]).exitCode).toBe(3);
  });

  it('ignored failures do not fail the merge; an interrupted shard does', () => {
    expect(mergeSummaries([s({ a: t({ ok: 1, ignored: 1 }) })]).exitCode).toBe(0);
    expect(mergeSummaries([s({ a: t({ ok: 1 }) }), s({ b: t({ ok: 1 }) }, 10, true)]).exitCode).toBe(130);
  });

  it('an interrupted shard exits 130 even where another shard failed, as one interrupted run does', () => {
    expect(mergeSummaries([s({ a: t({ failed: 1 }) }), s({ b: t({ unreachable: 1 }) }, 10, true)]).exitCode).toBe(130);
  });

  it('rescued failures do not fail the merge; summaries from before the rescued count merge as 0', () => {
    const old = { ok: 1, changed: 0, skipped: 0, failed: 0, unreachable: 0, ignored: 0 } as unknown as ReturnType<typeof t>;
    const m = mergeSummaries([s({ a: t({ ok: 2, rescued: 1 }) }), s({ b: old })]);
    expect(m.exitCode).toBe(0);
    expect([m.recap.a.rescued, m.recap.b.rescued]).toEqual([1, 0]);
  });

  it('sums rolled-back hosts (network safety) and exits 2 for them', () => {
    const m = mergeSummaries([s({ a: { ...t({ ok: 3 }), rolledBack: 1 } }), s({ b: t({ ok: 2 }) })]);
    expect(m.recap.a.rolledBack).toBe(1);
    expect(m.recap.b.rolledBack).toBeUndefined();
    expect(m.exitCode).toBe(2);
  });

  it('keeps the first error text of a host', () => {
    const m = mergeSummaries([s({ a: { ...t({ failed: 1 }), firstError: 'boom' } })]);
    expect(m.recap.a.firstError).toBe('boom');
  });
});

describe('mergeReportsCommand', () => {
  it('reads files and prints one summary line with --output json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-merge-'));
    writeFileSync(join(dir, '1.json'), `${line({ a: t({ ok: 1 }) })}\n`);
    writeFileSync(join(dir, '2.json'), `${line({ b: t({ unreachable: 1 }) }, { exit_code: 3 })}\n`);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
      out.push(String(c));
      return true;
    });
    try {
      const code = await mergeReportsCommand([join(dir, '1.json'), join(dir, '2.json')], { output: 'json' });
      expect(code).toBe(3);
    } finally {
      spy.mockRestore();
    }
    const merged = JSON.parse(out.join(''));
    expect(merged.type).toBe('summary');
    expect(Object.keys(merged.recap).sort()).toEqual(['a', 'b']);
    expect(merged.exit_code).toBe(3);
  });
});
