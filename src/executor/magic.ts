// Variables that describe the run itself: hostvars of every inventory host, and where delegate_to connects.
import { InputError } from '../errors.js';
import { hostVars } from '../inventory/vars.js';
import type { Inventory } from '../inventory/types.js';
import type { HostRun } from './host.js';

/** Every inventory host, also those outside --limit (a mesh's peers), computed on access. */
export function hostvarsView(runs: Map<string, HostRun>, inv: Inventory): Record<string, Record<string, unknown>> {
  const view: Record<string, Record<string, unknown>> = {};
  for (const name of inv.hosts.keys())
    Object.defineProperty(view, name, {
      enumerable: true,
      get: () => {
        const r = runs.get(name);
        return r ? { ...r.inventoryVars, ...r.playVars, ...r.includeVars, ...r.facts, ...r.registered } : hostVars(inv, name);
      },
    });
  return view;
}

export function delegateVars(inv: Inventory, target: string): Record<string, unknown> {
  if (inv.hosts.has(target)) return hostVars(inv, target);
  if (target === 'localhost' || target === '127.0.0.1') return { ansible_connection: 'local' };
  throw new InputError(`delegate_to: unknown host "${target}"`, { hint: 'delegate to a host of the inventory or localhost' });
}
