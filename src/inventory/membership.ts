import type { Inventory } from './types.js';

// Child → parents, the direction needed to find every group a host inherits from.
export function parentsOf(inv: Inventory): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const g of inv.groups.values()) {
    for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  }
  return parents;
}

// Groups a host belongs to directly or through children, always including `all`.
export function hostGroupSet(inv: Inventory, host: string, parents = parentsOf(inv)): Set<string> {
  const out = new Set<string>();
  const queue = [...inv.groups.values()].filter((g) => g.hosts.has(host)).map((g) => g.name);
  while (queue.length) {
    const g = queue.shift() as string;
    if (out.has(g)) continue;
    out.add(g);
    queue.push(...(parents.get(g) ?? []));
  }
  return out.add('all');
}

// Hosts of a group in Ansible's order (Group.get_hosts): its own hosts, then its children's level by level (breadth
// first, children in the order they were added), each host once; `all` leaves out an implicit localhost.
export function hostsOfGroup(inv: Inventory, group: string): string[] {
  const found = new Set<string>();
  const seen = new Set<string>([group]);
  const queue = [group];
  while (queue.length) {
    const g = inv.groups.get(queue.shift() as string);
    if (!g) continue;
    for (const h of g.hosts) if (!(group === 'all' && inv.hosts.get(h)?.implicit)) found.add(h);
    for (const c of g.children) {
      if (seen.has(c)) continue;
      seen.add(c);
      queue.push(c);
    }
  }
  return [...found].filter((h) => inv.hosts.has(h));
}

// Ansible's group depth: the longest path from `all`, so a group nested deeper wins when vars merge.
export function groupDepths(inv: Inventory, parents = parentsOf(inv)): Map<string, number> {
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const of = (name: string): number => {
    if (name === 'all') return 0;
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const d = Math.max(0, ...(parents.get(name) ?? []).map(of)) + 1;
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  for (const name of inv.groups.keys()) depth.set(name, of(name));
  return depth;
}
