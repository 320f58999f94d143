// Every run records its failed and unreachable hosts; --rerun failed and --limit @file select hosts from records.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limitPattern, recordPath, recordRun, rerunHosts } from '../../../src/cli/rerun.js';
import type { HostTally } from '../../../src/executor/events.js';

const tally = (t: Partial<HostTally> = {}): HostTally => ({
  ok: 1,
  changed: 0,
  skipped: 0,
  failed: 0,
  unreachable: 0,
  ignored: 0,
  rescued: 0,
  ...t,
});
let saved: string | undefined;
let dir: string;
beforeEach(() => {
  saved = process.env.XDG_STATE_HOME;
  dir = mkdtempSync(join(tmpdir(), 'rb-state-'));
  process.env.XDG_STATE_HOME = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = saved;
});

describe('run records', () => {
  it('keeps the failed and unreachable hosts of the last run, per playbook, under $XDG_STATE_HOME/runbook/runs', () => {
    recordRun(
      'site.yml',
      { a: tally(), b: tally({ failed: 1 }), c: tally({ unreachable: 1 }), d: tally({ failed: 1, unreachable: 1 }) },
      2,
    );
    expect(recordPath('site.yml').startsWith(join(dir, 'runbook', 'runs'))).toBe(true);
    expect(rerunHosts('site.yml')).toEqual(['b', 'd', 'c']);
    const rec = JSON.parse(readFileSync(recordPath('site.yml'), 'utf8'));
    expect(rec).toMatchObject({ exitCode: 2, failed: ['b', 'd'], unreachable: ['c'] });
    recordRun('site.yml', { a: tally(), b: tally() }, 0);
    expect(rerunHosts('site.yml')).toEqual([]);
  });

  it('--rerun with no record is a clear error', () => {
    expect(() => rerunHosts('never-ran.yml')).toThrow(/no record of an earlier run of never-ran\.yml/);
  });
});

describe('--limit @file', () => {
  it('reads one host per line, skipping blanks and comments', () => {
    const f = join(dir, 'site.retry');
    writeFileSync(f, 'h1\n\n# note\n h2 \n');
    expect(limitPattern(`@${f}`)).toBe('h1,h2');
    expect(limitPattern('web*')).toBe('web*');
    expect(limitPattern(undefined)).toBeUndefined();
  });
  it('a missing or empty file is a clear error', () => {
    expect(() => limitPattern('@/no/such.retry')).toThrow(/cannot read \/no\/such\.retry: ENOENT/);
    const f = join(dir, 'empty.retry');
    writeFileSync(f, '\n');
    expect(() => limitPattern(`@${f}`)).toThrow(/names no host/);
  });
});
