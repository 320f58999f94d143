// The exit code of a run, from its outcome: every combination a user can meet, worst first.
import { describe, expect, it } from 'vitest';
import type { HostTally } from '../../../src/shared/events.js';
import { exitCodeOf } from '../../../src/shared/outcome.js';

const t = (over: Partial<HostTally> = {}): HostTally => ({
  ok: 1,
  changed: 0,
  skipped: 0,
  failed: 0,
  unreachable: 0,
  ignored: 0,
  rescued: 0,
  ...over,
});

describe('exitCodeOf', () => {
  it.each([
    ['every host ok', { a: t() }, false, 0, 0],
    ['no host at all', {}, false, 0, 0],
    ['failures ignore_errors or a rescue took care of', { a: t({ ignored: 1, rescued: 2 }) }, false, 0, 0],
    ['a failed host', { a: t(), b: t({ failed: 1 }) }, false, 0, 2],
    ['an unreachable host', { a: t({ unreachable: 1 }) }, false, 0, 3],
    ['failed and unreachable hosts: failed wins', { a: t({ unreachable: 1 }), b: t({ failed: 1 }) }, false, 0, 2],
    ['interrupted: 130 wins over failed and unreachable', { a: t({ unreachable: 1 }), b: t({ failed: 1 }) }, true, 0, 130],
    ['interrupted, every host ok', { a: t() }, true, 0, 130],
    ['drift alone', { a: t() }, false, 4, 5],
    ['drift and a failure: the failure', { a: t({ failed: 1 }) }, false, 4, 2],
  ])('%s → %i', (_, recap, interrupted, drift, want) => {
    expect(exitCodeOf({ recap, interrupted, drift })).toBe(want);
  });
});
