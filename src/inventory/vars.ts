import { didYouMean, InventoryError } from '../errors.js';
import { groupDepths, hostGroupSet, hostsOfGroup, parentsOf } from './membership.js';
import type { Inventory } from './types.js';

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Shared by every lookup that takes a host name from the user.
export function unknownHost(inv: Inventory, host: string): InventoryError {
  const guess = didYouMean(host, inv.hosts.keys());
  return new InventoryError(`unknown host "${host}"`, {
    hint: guess ?? `the inventory (${inv.sources.join(', ')}) has no such host; list hosts with \`runbook inventory --graph\``,
  });
}

function requireHost(inv: Inventory, host: string): void {
  if (!inv.hosts.has(host)) throw unknownHost(inv, host);
}

// group_names magic var: every group of the host, sorted, without the implicit all/ungrouped.
export function groupNames(inv: Inventory, host: string): string[] {
  requireHost(inv, host);
  return [...hostGroupSet(inv, host)].filter((g) => g !== 'all' && g !== 'ungrouped').sort(byCodePoint);
}

// `groups` magic var: each group with all its hosts (through children too), in definition order.
export function groupsMap(inv: Inventory): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of inv.groups.keys()) out[name] = hostsOfGroup(inv, name);
  out.all ??= hostsOfGroup(inv, 'all');
  out.ungrouped ??= [];
  return out;
}

const priority = (vars: Record<string, unknown>): number => {
  const p = Number(vars.ansible_group_priority ?? 1);
  return Number.isFinite(p) ? p : 1;
};

// What the inventory alone says about a host (what `ansible-inventory --host` prints): no magic vars.
// Ansible order: groups by (depth, ansible_group_priority, name), later replaces earlier per top-level key, host vars last.
export function inventoryVars(inv: Inventory, host: string): Record<string, unknown> {
  requireHost(inv, host);
  const parents = parentsOf(inv);
  const depth = groupDepths(inv, parents);
  const groups = [...hostGroupSet(inv, host, parents)].flatMap((n) => inv.groups.get(n) ?? []);
  groups.sort(
    (a, b) => (depth.get(a.name) ?? 0) - (depth.get(b.name) ?? 0) || priority(a.vars) - priority(b.vars) || byCodePoint(a.name, b.name),
  );
  const merged: Record<string, unknown> = {};
  for (const g of groups) Object.assign(merged, g.vars);
  // Ansible turns this one into the group's priority rather than a variable.
  delete merged.ansible_group_priority;
  Object.assign(merged, inv.hosts.get(host)?.vars);
  return structuredClone(merged);
}

// The vars a play sees for a host from the inventory: merged inventory vars plus Ansible's magic host vars.
export function hostVars(inv: Inventory, host: string): Record<string, unknown> {
  return {
    ...inventoryVars(inv, host),
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    group_names: groupNames(inv, host),
  };
}
