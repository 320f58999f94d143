import { formatLocation, InventoryError, type Location } from '../errors.js';
import type { Group, HostEntry, Inventory } from './types.js';

interface Definition {
  value: unknown;
  at?: Location;
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// Every parser writes through one builder so merging, conflict checks and reconciliation live in one place.
export class InventoryBuilder {
  readonly inv: Inventory;
  /** Inline definitions seen in the current file, to catch the same var set twice with different values. */
  private defined = new Map<string, Definition>();
  private edgeAt = new Map<string, Location | undefined>();

  constructor(sources: string[]) {
    this.inv = { sources, hosts: new Map(), groups: new Map() };
    this.group('all');
    this.group('ungrouped');
  }

  /** Conflicts are only ambiguous inside one file; across files the later source wins, as in Ansible. */
  beginFile(): void {
    this.defined.clear();
  }

  group(name: string, at?: Location): Group {
    let g = this.inv.groups.get(name);
    if (!g) {
      g = { name, hosts: new Set(), children: new Set(), vars: {}, at };
      this.inv.groups.set(name, g);
    } else if (!g.at && at) {
      g.at = at;
    }
    return g;
  }

  host(name: string, at?: Location): HostEntry {
    let h = this.inv.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, at };
      this.inv.hosts.set(name, h);
    } else if (!h.at && at) {
      h.at = at;
    }
    return h;
  }

  addHost(group: string, host: string, at?: Location): HostEntry {
    const h = this.host(host, at);
    this.group(group).hosts.add(host);
    return h;
  }

  addChild(parent: string, child: string, at?: Location): void {
    this.group(child, at);
    this.group(parent).children.add(child);
    const key = `${parent}\0${child}`;
    if (!this.edgeAt.has(key)) this.edgeAt.set(key, at);
  }

  setHostVar(host: string, key: string, value: unknown, at?: Location): void {
    this.check(`host "${host}"`, `host\0${host}\0${key}`, key, value, at, `host_vars/${host}.yaml`);
    this.host(host).vars[key] = value;
  }

  setGroupVar(group: string, key: string, value: unknown, at?: Location): void {
    this.check(`group "${group}"`, `group\0${group}\0${key}`, key, value, at, `group_vars/${group}.yaml`);
    this.group(group).vars[key] = value;
  }

  private check(what: string, id: string, key: string, value: unknown, at: Location | undefined, home: string): void {
    const prev = this.defined.get(id);
    if (prev && !sameValue(prev.value, value)) {
      throw new InventoryError(
        `${what} sets "${key}" twice with different values: ` +
          `${JSON.stringify(prev.value)} at ${formatLocation(prev.at)} and ${JSON.stringify(value)} at ${formatLocation(at)}`,
        {
          at,
          hint: `keep a single definition of "${key}" for ${what} (or move it to ${home}); which one wins would depend on file order`,
        },
      );
    }
    this.defined.set(id, { value, at });
  }

  /** Ansible's reconcile step: orphan groups hang under `all`, group-less hosts land in `ungrouped`. */
  finish(): Inventory {
    const { groups, hosts } = this.inv;
    const all = groups.get('all') as Group;
    const ungrouped = groups.get('ungrouped') as Group;
    const hasParent = new Set<string>();
    for (const g of groups.values()) for (const c of g.children) hasParent.add(c);
    for (const g of groups.values()) {
      if (g.name !== 'all' && !hasParent.has(g.name)) this.addChild('all', g.name);
    }
    const member = new Map<string, number>();
    for (const g of groups.values()) {
      if (g.name === 'all' || g.name === 'ungrouped') continue;
      for (const h of g.hosts) member.set(h, (member.get(h) ?? 0) + 1);
    }
    for (const h of hosts.keys()) {
      if (member.has(h)) ungrouped.hosts.delete(h);
      else if (!ungrouped.hosts.has(h)) ungrouped.hosts.add(h);
    }
    // Keep `ungrouped` in definition order even after hosts were moved around by later sources.
    ungrouped.hosts = new Set([...hosts.keys()].filter((h) => ungrouped.hosts.has(h)));
    all.children = new Set(['ungrouped', ...[...all.children].filter((c) => c !== 'ungrouped')]);
    this.checkCycles();
    return this.inv;
  }

  private checkCycles(): void {
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (name: string): void => {
      state.set(name, 'open');
      path.push(name);
      for (const child of this.inv.groups.get(name)?.children ?? []) {
        if (state.get(child) === 'open') {
          const cycle = [...path.slice(path.indexOf(child)), child];
          const at = this.edgeAt.get(`${name}\0${child}`) ?? this.inv.groups.get(name)?.at;
          throw new InventoryError(`group cycle in children: ${cycle.join(' -> ')}`, {
            at,
            hint: `a group cannot contain itself; remove "${child}" from the children of "${name}"`,
          });
        }
        if (!state.has(child)) visit(child);
      }
      path.pop();
      state.set(name, 'done');
    };
    for (const name of this.inv.groups.keys()) if (!state.has(name)) visit(name);
  }
}
