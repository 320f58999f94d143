// The suites build their labs side by side (two workers), and a lab whose name hashes to another's subnet is refused
// at `lab up`: every lab name the test files use must get a /24 of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labNaming } from '../../src/lab/names.js';

const TEST_DIR = join(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Lab names as the suites spell them: withLab('x', …), LAB = 'x', const name = 'x', oracleRun(…, ['a', 'b'], …). */
function labNames(): Map<string, string> {
  const found = new Map<string, string>();
  const patterns = [
    /withLab\('([a-z0-9]{1,4})'/g,
    /\b(?:LAB[A-Z_]*|name) = '([a-z0-9]{1,4})'/g,
    /oracleRun\('[^']+', \['([a-z0-9]{1,4})', '([a-z0-9]{1,4})'\]/g,
  ];
  for (const f of testFiles(TEST_DIR)) {
    if (!/\/(e2e|integration)\//.test(f)) continue;
    const text = readFileSync(f, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) for (const n of m.slice(1)) found.set(n, f.slice(TEST_DIR.length + 1));
  }
  return found;
}

describe('the labs of the test suites', () => {
  it('each has a subnet of its own', () => {
    const names = labNames();
    // the scan finds the suites' labs (a pattern that stopped matching would pass the check below vacuously)
    expect([...names.keys()]).toEqual(expect.arrayContaining(['gre', 'ck', 'mfil', 'sec', 'gta', 'gtb', 'oma', 'omb', 'ovq', 'liso']));
    const bySubnet = new Map<string, string[]>();
    for (const [n, f] of names) {
      const s = labNaming(n).subnet;
      bySubnet.set(s, [...(bySubnet.get(s) ?? []), `${n} (${f})`]);
    }
    expect([...bySubnet.values()].filter((v) => v.length > 1)).toEqual([]);
  });
});
