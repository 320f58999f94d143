// What the run-control modules change besides a host: the in-memory inventory (group_by, add_host) and the host's
// include_vars layer. The module plans only describe it (Ansible's result keys); the play applies it here.
import type { Inventory } from '../inventory/types.js';
import { addSecretVars } from '../vault/secrets.js';
import { type HostRun, touched } from './host.js';

/** Modules that run once for the task, not once per host (Ansible's bypass_host_loop); loops are honoured. */
export const BYPASS_HOST_LOOP = new Set(['add_host']);

function groupOf(inv: Inventory, name: string) {
  let g = inv.groups.get(name);
  if (!g) {
    g = { name, hosts: new Set(), children: new Set(), vars: {} };
    inv.groups.set(name, g);
    if (name !== 'all') inv.groups.get('all')?.children.add(name);
  }
  return g;
}

/** group_by: the host joins `group`, which joins each parent (made where missing). Returns whether anything was new. */
export function addToGroup(inv: Inventory, host: string, group: string, parents: string[]): boolean {
  const had = inv.groups.has(group) && inv.groups.get(group)!.hosts.has(host);
  groupOf(inv, group).hosts.add(host);
  inv.groups.get('ungrouped')?.hosts.delete(host);
  for (const p of parents) if (p !== group && p !== 'all') groupOf(inv, p).children.add(group);
  return !had;
}

/** add_host: a host (new, or an existing one given more groups and variables) in the in-memory inventory. */
export function addHost(inv: Inventory, name: string, groups: string[], vars: Record<string, unknown>): void {
  const h = inv.hosts.get(name);
  if (h && !h.implicit) Object.assign(h.vars, vars);
  else inv.hosts.set(name, { name, vars: { ...vars } });
  if (groups.length) inv.groups.get('ungrouped')?.hosts.delete(name);
  else if (!h) inv.groups.get('ungrouped')?.hosts.add(name);
  for (const g of groups) groupOf(inv, g).hosts.add(name);
}

function resultsOf(result: Record<string, unknown>): Record<string, unknown>[] {
  const items = result.results;
  return Array.isArray(items) ? (items as Record<string, unknown>[]).filter((r) => !r.failed && !r.skipped) : [result];
}

/**
 * Applies what a run-control task reported (once per host it ran for; add_host once per task). Returns true when
 * the inventory changed (later plays' hosts and the `groups` variable must be worked out again).
 */
export function applyControl(
  module: string,
  result: Record<string, unknown>,
  run: HostRun,
  inv: Inventory,
  vars: Record<string, unknown>,
): boolean {
  let changed = false;
  for (const r of resultsOf(result)) {
    if (module === 'include_vars' && r.ansible_facts && typeof r.ansible_facts === 'object') {
      const loaded = r.ansible_facts as Record<string, unknown>;
      addSecretVars(loaded, { ...vars, ...loaded });
      Object.assign(run.includeVars, loaded);
      touched(run);
    } else if (module === 'group_by' && typeof r.add_group === 'string') {
      addToGroup(inv, run.name, r.add_group, (r.parent_groups as string[] | undefined) ?? []);
      changed = true;
    } else if (module === 'add_host' && r.add_host && typeof r.add_host === 'object') {
      const a = r.add_host as { host_name: string; groups: string[]; host_vars: Record<string, unknown> };
      addHost(inv, a.host_name, a.groups, a.host_vars);
      changed = true;
    }
  }
  return changed;
}

/** refresh_inventory: the inventory read again from its sources, in place (runtime hosts and groups are gone, as in Ansible). */
export function replaceInventory(inv: Inventory, fresh: Inventory): void {
  inv.hosts = fresh.hosts;
  inv.groups = fresh.groups;
}
