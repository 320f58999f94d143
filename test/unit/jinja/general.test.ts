// community.general's data filters against the collection itself: every case of
// test/fixtures/jinja/general-oracle.json (recorded by scripts/general-oracle.py from community.general's plugins and
// Python's jmespath) goes through runbook's Jinja under its collection name and must give the collection's answer, or
// fail where the collection fails.
import { describe, expect, it } from 'vitest';
import { renderString } from '../../../src/jinja/index.js';
import { caseLabel as label, loadOracle, type OracleCase, runCase } from './collection-oracle.js';

const oracle = loadOracle('general-oracle.json');
const run = (c: OracleCase) => runCase('community.general', c);

describe(`community.general filters agree with ${oracle.source}`, () => {
  it('the oracle covers the five filters', () => expect(new Set(oracle.cases.map((c) => c.filter)).size).toBe(5));
  it.each(oracle.cases.filter((c) => c.error === undefined).map((c) => [label(c), c] as const))('%s', (_l, c) =>
    expect(run(c)).toEqual(c.result),
  );
  it.each(oracle.cases.filter((c) => c.error !== undefined).map((c) => [label(c), c] as const))('%s fails', (_l, c) =>
    expect(() => run(c)).toThrow(),
  );
  it('a JMESPath syntax error names the filter', () =>
    expect(() => renderString("{{ v | json_query('a[') }}", { v: {} })).toThrow(/JMESPathError in json_query/));
});
