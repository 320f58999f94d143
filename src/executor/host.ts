// Per-host state for one run: the vars layers in precedence order, and what happened so far.
import type { Connection } from '../remote/connection.js';
import { type BlockState, newBlockState } from './blocks.js';

export interface HostRun {
  name: string;
  /** inventory vars (group all < parent < child < host) */
  inventoryVars: Record<string, unknown>;
  /** play vars + vars_files, set per play */
  playVars: Record<string, unknown>;
  /** include_vars: for the rest of the run, above task vars and below facts */
  includeVars: Record<string, unknown>;
  /** gathered facts and set_fact */
  facts: Record<string, unknown>;
  /** register: results */
  registered: Record<string, unknown>;
  factsGathered: boolean;
  /** The parts of the facts gathered so far (gather_subset: min, hardware, network). */
  factsParts: string[];
  failed: boolean;
  unreachable: boolean;
  notified: Set<string>;
  /** where this host stands in block/rescue/always */
  blocks: BlockState;
  /** Bumped by `touched` when a layer changes in place, so views built from the layers (hostvars) are built again. */
  version?: number;
}

/** A layer of h (facts, registered, include_vars, play vars) changed in place: its cached views are stale. */
export function touched(h: HostRun): void {
  h.version = (h.version ?? 0) + 1;
}

export function newHostRun(name: string, inventoryVars: Record<string, unknown>): HostRun {
  return {
    name,
    inventoryVars,
    playVars: {},
    includeVars: {},
    facts: {},
    registered: {},
    factsGathered: false,
    factsParts: [],
    failed: false,
    unreachable: false,
    notified: new Set(),
    blocks: newBlockState(),
  };
}

/** Precedence: role defaults < inventory < play vars < vars_files < task vars < include_vars < registered/facts < -e. */
export function varsFor(
  h: HostRun,
  magic: Record<string, unknown>,
  extra: Record<string, unknown>,
  taskVars: Record<string, unknown> = {},
  roleDefaults: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...roleDefaults,
    ...magic,
    ...h.inventoryVars,
    ...h.playVars,
    ...taskVars,
    ...h.includeVars,
    ...h.facts,
    ...h.registered,
    ...extra,
  };
}

export interface LiveHost {
  run: HostRun;
  conn?: Connection;
}
