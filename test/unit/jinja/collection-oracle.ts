// The recorded answers of a collection's own filter plugins (scripts/*-oracle.py), and how a case goes through
// runbook's Jinja: `{{ v | <collection>.<filter>(a0, a1, …) }}` with the value and arguments as variables.
import { readFileSync } from 'node:fs';
import { renderString } from '../../../src/jinja/index.js';

export interface OracleCase {
  filter: string;
  value: unknown;
  args: unknown[];
  result?: unknown;
  error?: string;
  message?: string;
}

export function loadOracle(file: string): { source: string; cases: OracleCase[] } {
  return JSON.parse(readFileSync(new URL(`../../fixtures/jinja/${file}`, import.meta.url), 'utf8'));
}

export function runCase(collection: string, c: OracleCase): unknown {
  const ctx: Record<string, unknown> = { v: structuredClone(c.value) };
  c.args.forEach((a, i) => {
    ctx[`a${i}`] = a;
  });
  return renderString(`{{ v | ${collection}.${c.filter}(${c.args.map((_, i) => `a${i}`).join(', ')}) }}`, ctx);
}

export const caseLabel = (c: OracleCase): string =>
  `${c.filter}(${JSON.stringify(c.value).slice(0, 40)}, ${JSON.stringify(c.args).slice(1, -1)})`;
