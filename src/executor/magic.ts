// Variables that describe the run itself: hostvars of every inventory host, and where delegate_to connects.
import { InputError } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import { hostVars } from '../inventory/vars.js';
import type { HostRun } from './host.js';

/** One host's merged vars as last built, and the layers (and their version) it was built from. */
interface Built {
  of: Pick<HostRun, 'inventoryVars' | 'playVars' | 'includeVars' | 'facts' | 'registered' | 'version'>;
  vars: Record<string, unknown>;
}

// Compared field by field: this runs for every peer a mesh template reads, for every host.
const builtFrom = (b: Built['of'], r: HostRun): boolean =>
  b.inventoryVars === r.inventoryVars &&
  b.playVars === r.playVars &&
  b.includeVars === r.includeVars &&
  b.facts === r.facts &&
  b.registered === r.registered &&
  b.version === r.version;

/**
 * Every inventory host, also those outside --limit (a mesh's peers), computed on access. A mesh reads every peer's
 * vars for every host, so each host's merge is kept until one of its layers is replaced or touched (host.ts).
 */
export function hostvarsView(runs: Map<string, HostRun>, inv: Inventory): Record<string, Record<string, unknown>> {
  const view: Record<string, Record<string, unknown>> = {};
  const built = new Map<string, Built>();
  // Hosts without a run read the inventory alone; the view is made again when the inventory changes (play.ts).
  const fromInventory = new Map<string, Record<string, unknown>>();
  const merged = (name: string): Record<string, unknown> => {
    const r = runs.get(name);
    if (!r) {
      let v = fromInventory.get(name);
      if (!v) fromInventory.set(name, (v = hostVars(inv, name)));
      return v;
    }
    const hit = built.get(name);
    if (hit && builtFrom(hit.of, r)) return hit.vars;
    const { inventoryVars, playVars, includeVars, facts, registered, version } = r;
    const vars = { ...inventoryVars, ...playVars, ...includeVars, ...facts, ...registered };
    built.set(name, { of: { inventoryVars, playVars, includeVars, facts, registered, version }, vars });
    return vars;
  };
  for (const name of inv.hosts.keys()) Object.defineProperty(view, name, { enumerable: true, get: () => merged(name) });
  return view;
}

export function delegateVars(inv: Inventory, target: string): Record<string, unknown> {
  if (inv.hosts.has(target)) return hostVars(inv, target);
  if (target === 'localhost' || target === '127.0.0.1') return { ansible_connection: 'local' };
  throw new InputError(`delegate_to: unknown host "${target}"`, { hint: 'delegate to a host of the inventory or localhost' });
}
