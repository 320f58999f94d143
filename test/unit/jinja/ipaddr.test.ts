// ansible.utils' IP filters against the collection itself: every case of test/fixtures/jinja/ipaddr-oracle.json
// (recorded by scripts/ipaddr-oracle.py from ansible.utils' plugins and netaddr) goes through runbook's Jinja under
// its collection name and must give the collection's answer, or fail where the collection fails.
import { describe, expect, it } from 'vitest';
import { caseLabel, loadOracle, type OracleCase, runCase } from './collection-oracle.js';

type Case = OracleCase;
const oracle = loadOracle('ipaddr-oracle.json');
const isBig = (x: unknown): boolean => (typeof x === 'object' && x !== null && 'bigint' in x) || (Array.isArray(x) && x.some(isBig));
const run = (c: Case) => runCase('ansible.utils', c);
const label = caseLabel;

describe(`IP filters agree with ${oracle.source}`, () => {
  it('the oracle covers every filter runbook has under ansible.utils', () => {
    expect(new Set(oracle.cases.map((c) => c.filter)).size).toBe(15);
    expect(oracle.cases.length).toBeGreaterThan(5000);
  });
  it.each(oracle.cases.filter((c) => c.error === undefined && !isBig(c.result)).map((c) => [label(c), c] as const))('%s', (_l, c) =>
    expect(run(c)).toEqual(c.result),
  );
  it.each(oracle.cases.filter((c) => c.error !== undefined).map((c) => [label(c), c] as const))('%s fails', (_l, c) =>
    expect(() => run(c)).toThrow(),
  );
  // an integer past 2^53 (an IPv6 address or size as one number) fails with a clear error instead of losing digits
  it.each(oracle.cases.filter((c) => isBig(c.result)).map((c) => [label(c), c] as const))('%s: too large to be exact', (_l, c) =>
    expect(() => run(c)).toThrow(/2\^53/),
  );
});
