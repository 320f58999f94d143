// The rolled_back column: on every recap line once a host was rolled back (absent otherwise), with the reason under it.
import { describe, expect, test } from 'vitest';
import type { HostTally } from '../../../src/executor/events.js';
import { formatRecap } from '../../../src/output/recap.js';
import { painter } from '../../../src/output/style.js';

const tally = (t: Partial<HostTally> = {}): HostTally => ({
  ok: 2,
  changed: 1,
  skipped: 0,
  failed: 0,
  unreachable: 0,
  ignored: 0,
  rescued: 0,
  ...t,
});
const why =
  'rolled back: the run was interrupted while the host was armed; links, addresses, routes and files equal those saved before the play';

describe('recap with network safety', () => {
  test('a rolled back host comes first with its reason; every line has the column', () => {
    const lines = formatRecap({ h1: tally(), h2: tally({ rolledBack: 1, firstError: why }) }, 1000, painter(false)).split('\n');
    expect(lines.slice(1)).toEqual([
      'h2    ok=2    changed=1   unreachable=0  failed=0  skipped=0  rescued=0  ignored=0  rolled_back=1',
      `      ↳ ${why}`,
      'h1    ok=2    changed=1   unreachable=0  failed=0  skipped=0  rescued=0  ignored=0  rolled_back=0',
    ]);
  });

  test('no column when no host was rolled back', () => {
    expect(formatRecap({ h1: tally() }, 1000, painter(false))).not.toContain('rolled_back');
  });
});
