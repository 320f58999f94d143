import { redact, redactDeep } from '../vault/secrets.js';
import type { Group, Inventory } from './types.js';
import { hostVars, inventoryVars, unknownHost } from './vars.js';

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** ansible-inventory dumps with sorted keys; doing the same keeps outputs diffable against it. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(obj)
      .sort(byCodePoint)
      .map((k) => [k, sortKeys(obj[k])]),
  );
}

// --graph sorts children by name; --list keeps the order they were added in (both as ansible-inventory does).
const childGroups = (inv: Inventory, g: Group, sorted = true): Group[] =>
  (sorted ? [...g.children].sort(byCodePoint) : [...g.children]).flatMap((c) => inv.groups.get(c) ?? []);

function list(inv: Inventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const visit = (g: Group): void => {
    seen.add(g.name);
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (g.name !== 'all' && g.hosts.size) entry.hosts = [...g.hosts];
    const kids = childGroups(inv, g, false);
    if (kids.length) entry.children = kids.map((k) => k.name);
    if (entry.hosts || entry.children) out[g.name] = entry;
    for (const k of kids) if (!seen.has(k.name)) visit(k);
  };
  const all = inv.groups.get('all');
  if (all) visit(all);
  const hostvars: Record<string, unknown> = {};
  for (const h of inv.hosts.keys()) {
    const vars = inventoryVars(inv, h);
    if (Object.keys(vars).length) hostvars[h] = vars;
  }
  return { _meta: { hostvars }, ...out };
}

function graph(inv: Inventory, g: Group, depth: number, lines: string[]): void {
  const indent = (name: string, d: number): string => (d ? `${'  |'.repeat(d)}--${name}` : name);
  lines.push(indent(`@${g.name}:`, depth));
  for (const k of childGroups(inv, g)) graph(inv, k, depth + 1, lines);
  if (g.name !== 'all') for (const h of [...g.hosts].sort(byCodePoint)) lines.push(indent(h, depth + 1));
}

// Backs `runbook inventory`: --list (ansible-inventory --list JSON), --graph (its tree), --host (one host's resolved vars).
// --list shows inventory vars only, like Ansible; --host adds the magic vars a play sees (inventory_hostname, group_names).
// Secrets are masked value by value before JSON is written, so a secret number becomes "********" and the JSON stays valid.
export function describeInventory(inv: Inventory, mode: 'list' | 'graph', host?: string): string {
  if (host !== undefined) {
    if (!inv.hosts.has(host)) throw unknownHost(inv, host);
    return JSON.stringify(redactDeep(sortKeys(hostVars(inv, host))), null, 2);
  }
  if (mode === 'list') return JSON.stringify(redactDeep(sortKeys(list(inv))), null, 2);
  const lines: string[] = [];
  const all = inv.groups.get('all');
  if (all) graph(inv, all, 0, lines);
  return redact(lines.join('\n'));
}
