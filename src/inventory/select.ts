import { didYouMean, InventoryError } from '../errors.js';
import { hostsOfGroup } from './membership.js';
import type { Inventory } from './types.js';

interface Term {
  op: '' | '&' | '!';
  text: string;
}

const SUBSCRIPT = /^(.+)\[(?:(-?\d+)|(\d+)[:-](\d*))\]$/;

/** Commas win; otherwise `:` separates terms except inside [..] (ranges, subscripts, IPv6). */
function splitPattern(inv: Inventory, pattern: string): string[] {
  if (inv.hosts.has(pattern)) return [pattern];
  if (pattern.includes(',')) return pattern.split(',');
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of pattern) {
    if (c === '[') depth++;
    if (c === ']') depth = Math.max(0, depth - 1);
    if (c === ':' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  return [...parts, cur];
}

function globToRegExp(glob: string): RegExp {
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else if (close > 0) {
      const body = glob.slice(i + 1, close);
      src += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = close;
    } else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`);
}

function matcher(term: string): (name: string) => boolean {
  if (term.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${term.slice(1)})`);
    } catch (cause) {
      throw new InventoryError(`invalid regular expression in host pattern "${term}"`, { cause, hint: (cause as Error).message });
    }
    return (name) => re.test(name);
  }
  if (/[*?[]/.test(term)) {
    const re = globToRegExp(term);
    return (name) => re.test(name);
  }
  return (name) => name === term;
}

/** Hosts of one term, in definition order; a term that names nothing at all is an error. */
const LOCALHOST = new Set(['localhost', '127.0.0.1', '::1']);

/** Hosts a pattern can reach by group, glob or regex: every host but an implicit localhost (as in Ansible). */
function listed(inv: Inventory): string[] {
  return [...inv.hosts.values()].filter((h) => !h.implicit).map((h) => h.name);
}

function matchTerm(inv: Inventory, term: string, lenient = false): string[] {
  if (term === 'all' || term === '*') return hostsOfGroup(inv, 'all');
  // `hosts: localhost` runs on the controller even when the inventory does not list it (Ansible's implicit localhost).
  if (LOCALHOST.has(term) && !inv.hosts.has(term)) {
    inv.hosts.set(term, { name: term, implicit: true, vars: { ansible_connection: 'local' } });
    return [term];
  }
  const matches = matcher(term);
  const found = new Set<string>();
  const groups = [...inv.groups.keys()].filter(matches);
  for (const g of groups) for (const h of hostsOfGroup(inv, g)) found.add(h);
  let hostHit = false;
  if (groups.length === 0 || term.startsWith('~') || /[.?*[]/.test(term)) {
    for (const h of listed(inv)) {
      if (matches(h)) {
        found.add(h);
        hostHit = true;
      }
    }
  }
  if (groups.length === 0 && !hostHit) {
    if (lenient) return [];
    const guess = didYouMean(term, [...inv.groups.keys(), ...inv.hosts.keys()]);
    const groupList = [...inv.groups.keys()].join(', ');
    throw new InventoryError(`unknown host or group "${term}"`, {
      hint: guess ?? `no host or group in ${inv.sources.join(', ') || 'the inventory'} matches it; groups are: ${groupList}`,
    });
  }
  return [...found];
}

function withSubscript(inv: Inventory, text: string, lenient: boolean): string[] {
  const m = text.startsWith('~') ? null : SUBSCRIPT.exec(text);
  if (!m) return matchTerm(inv, text, lenient);
  const hosts = matchTerm(inv, m[1], lenient);
  if (m[2] !== undefined) {
    const i = Number(m[2]);
    const h = hosts[i < 0 ? hosts.length + i : i];
    return h === undefined ? [] : [h];
  }
  const end = m[4] === '' ? hosts.length - 1 : Number(m[4]);
  return hosts.slice(Number(m[3]), end + 1);
}

// Ansible host patterns: names, groups, globs, ~regex, a:b / a,b unions, &intersections, !exclusions, [i] / [i:j] subscripts.
// Unions are applied first, then intersections, then exclusions. The order is Ansible's: each union term's hosts in turn,
// a group's own hosts before its children's (so `web[0]` and `all[0:2]` pick what Ansible picks).
/** `lenient`: a term that names nothing picks nothing (Ansible's lookup), instead of being an error. */
export function selectHosts(inv: Inventory, pattern: string, lenient = false): string[] {
  const terms: Term[] = splitPattern(inv, pattern.trim())
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => (t[0] === '&' || t[0] === '!' ? { op: t[0], text: t.slice(1).trim() } : { op: '', text: t }));
  if (terms.length === 0) {
    throw new InventoryError('empty host pattern', { hint: 'use "all" to target every host, or name a group or host' });
  }
  const regular = terms.filter((t) => t.op === '');
  if (regular.length === 0) regular.push({ op: '', text: 'all' });
  const selected = new Set<string>();
  for (const t of regular) for (const h of withSubscript(inv, t.text, lenient)) selected.add(h);
  for (const t of terms.filter((x) => x.op === '&')) {
    const keep = new Set(withSubscript(inv, t.text, lenient));
    for (const h of selected) if (!keep.has(h)) selected.delete(h);
  }
  for (const t of terms.filter((x) => x.op === '!')) for (const h of withSubscript(inv, t.text, lenient)) selected.delete(h);
  return [...selected];
}

/**
 * Ansible's inventory_hostnames lookup: the hosts a pattern picks from the `groups` variable alone (a flat inventory
 * made of it, as the lookup makes one), in the order Ansible gives; a pattern that picks nothing gives [].
 */
export function hostsFromGroups(groups: unknown, patterns: string[]): string[] {
  const inv: Inventory = { sources: ['groups'], hosts: new Map(), groups: new Map() };
  if (groups && typeof groups === 'object' && !Array.isArray(groups)) {
    for (const [name, members] of Object.entries(groups as Record<string, unknown>)) {
      const hosts = new Set((Array.isArray(members) ? members : []).map(String));
      inv.groups.set(name, { name, hosts, children: new Set(), vars: {} });
      for (const h of hosts) if (!inv.hosts.has(h)) inv.hosts.set(h, { name: h, vars: {} });
    }
  }
  if (!inv.groups.has('all')) inv.groups.set('all', { name: 'all', hosts: new Set(inv.hosts.keys()), children: new Set(), vars: {} });
  try {
    return selectHosts(inv, patterns.join(':'), true);
  } catch {
    return [];
  }
}
