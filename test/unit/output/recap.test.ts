// The recap puts failed hosts first, then unreachable ones, then the rest in natural order, each failure with its first error line.
import { describe, expect, test } from 'vitest';
import type { HostTally } from '../../../src/executor/events.js';
import { byName, commonError, errorGroups, formatRecap, formatSummary, recapCounts } from '../../../src/output/recap.js';
import { painter } from '../../../src/output/style.js';

const tally = (t: Partial<HostTally> = {}): HostTally => ({ ok: 3, changed: 0, skipped: 0, failed: 0, unreachable: 0, ignored: 0, ...t });

describe('formatRecap', () => {
  const recap = {
    h1: tally(),
    h10: tally({ changed: 1 }),
    h2: tally({ unreachable: 1, firstError: 'connect ECONNREFUSED 10.0.0.2:22' }),
    h3: tally({ failed: 1, firstError: 'module "route": RTNETLINK answers: Network is unreachable' }),
    h9: tally(),
  };
  const lines = formatRecap(recap, 1500, painter(false)).split('\n');

  test('failed first, unreachable next, the rest by natural name order', () => {
    const hosts = lines
      .slice(1)
      .filter((l) => !l.startsWith(' '))
      .map((l) => l.split(/\s+/)[0]);
    expect(hosts).toEqual(['h3', 'h2', 'h1', 'h9', 'h10']);
    expect(lines[0]).toBe('PLAY RECAP  5 hosts in 1.50s');
  });

  test('the first error line under each failed or unreachable host, nothing under the others', () => {
    expect(lines[1]).toBe('h3    ok=3    changed=0   unreachable=0  failed=1  skipped=0  rescued=0  ignored=0');
    expect(lines[2]).toBe('      ↳ module "route": RTNETLINK answers: Network is unreachable');
    expect(lines[3]).toMatch(/^h2 /);
    expect(lines[4]).toBe('      ↳ connect ECONNREFUSED 10.0.0.2:22');
    expect(lines.slice(5).every((l) => !l.includes('↳'))).toBe(true);
  });

  test('columns line up with colours on (escape codes do not count)', () => {
    const strip = (s: string) => s.replace(/\x1b\[\d+m/g, '');
    const coloured = formatRecap(recap, 1500, painter(true)).split('\n');
    expect(coloured.map(strip)).toEqual(lines);
    expect(coloured[1]).toContain('\x1b[31m');
  });
});

describe('formatSummary: one screen for a fleet', () => {
  const recap: Record<string, HostTally> = {};
  for (let i = 1; i <= 40; i++) recap[`h${i}`] = tally();
  for (let i = 1; i <= 37; i++) recap[`h${i}`] = tally({ unreachable: 1, firstError: 'connection refused (port 22)' });
  recap.h38 = tally({ failed: 1, firstError: 'E: Unable to locate package nginx' });
  recap.h39 = tally({ changed: 2 });
  const text = formatSummary(recap, 2000, painter(false));

  test('counts first, then failures grouped by identical error (largest group first, names capped), then the recap', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('40 hosts in 2.00s: 1 ok, 1 changed, 1 failed, 37 unreachable');
    expect(lines[1]).toBe('  37 hosts unreachable: connection refused (port 22)  h1, h2, h3, h4, h5, h6, h7, h8, … (+29)');
    expect(lines[2]).toBe('  1 host failed: E: Unable to locate package nginx  h38');
    expect(lines[4]).toMatch(/^PLAY RECAP {2}40 hosts/);
  });

  test('errorGroups and recapCounts are what JSON output carries', () => {
    expect(recapCounts(recap)).toEqual({ hosts: 40, ok: 1, changed: 1, failed: 1, unreachable: 37 });
    expect(errorGroups(recap).map((g) => [g.status, g.hosts.length])).toEqual([
      ['unreachable', 37],
      ['failed', 1],
    ]);
  });
});

describe('commonError', () => {
  test('takes the host and address off, keeps the port', () => {
    expect(commonError('h4', 'h4 (root@10.0.0.4:22): connection refused')).toBe('port 22: connection refused');
    expect(commonError('10.0.0.4', 'root@10.0.0.4:2222: handshake timed out')).toBe('port 2222: handshake timed out');
    expect(commonError('h1', 'h1: sudo: a password is required')).toBe('sudo: a password is required');
    expect(commonError('h1', 'E: Unable to locate package nginx')).toBe('E: Unable to locate package nginx');
  });
});

describe('a recap that must fit a terminal', () => {
  test('failed hosts first, then as many as fit, then "+ N more"', () => {
    const recap: Record<string, HostTally> = {};
    for (let i = 1; i <= 60; i++) recap[`h${i}`] = tally();
    recap.h2 = tally({ failed: 1, firstError: 'boom' });
    const text = formatSummary(recap, 1000, painter(false), 28);
    const lines = text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(28);
    expect(lines[0]).toBe('60 hosts in 1.00s: 59 ok, 0 changed, 1 failed, 0 unreachable');
    expect(lines[4]).toMatch(/^h2 /);
    expect(lines[lines.length - 1]).toMatch(/^\+ \d+ more hosts \(every host: -o plain or -o json\)$/);
    expect(formatSummary(recap, 1000, painter(false)).split('\n').length).toBe(4 + 60 + 1);
  });
});

describe('byName: the natural order of host names', () => {
  const names = [
    'h1',
    'h2',
    'h10',
    'h01',
    'h0',
    'H3',
    'web-9',
    'web-10',
    'web',
    'db2',
    'a.b3',
    'a.b30',
    'x1y2',
    'x1y10',
    'h99999999999999999',
    '10',
    '9',
    '',
  ];
  test('the same sign as localeCompare with en and numeric, for every pair', () => {
    const sign = (n: number) => Math.sign(n);
    for (const a of names)
      for (const b of names) expect([a, b, sign(byName(a, b))]).toEqual([a, b, sign(a.localeCompare(b, 'en', { numeric: true }))]);
  });
});
