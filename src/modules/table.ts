// The README's module table, generated from the specs (scripts/module-table.mjs writes it; a unit test checks it).
import { allModules } from './registry.js';
import { FREE_FORM } from './spec.js';
import type { ModuleDef } from './types.js';

export const TABLE_START = '<!-- modules:start -->';
export const TABLE_END = '<!-- modules:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

// Required arguments in bold, choices in parentheses, the free-form string first.
function argsCell(m: ModuleDef<unknown>): string {
  const parts = Object.entries(m.spec.args).map(([k, s]) => {
    const name = k === FREE_FORM ? '*free form*' : s.required ? `**\`${k}\`**` : `\`${k}\``;
    return s.choices ? `${name} (${s.choices.join('/')})` : name;
  });
  if (m.spec.open) parts.push('*any variable name*');
  return parts.join(', ');
}

/** The markdown table: one row per module. */
export function moduleTable(): string {
  const rows = allModules().map((m) => `| \`${m.name}\` | ${cell(m.doc)} | ${cell(argsCell(m))} | \`${cell(m.example)}\` |`);
  return ['| module | what it does | arguments (**required**) | example |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** README text with the block between the markers replaced by the current table. */
export function withModuleTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} block`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${moduleTable()}\n${readme.slice(end)}`;
}
