// block / rescue / always on one host. Tasks are flattened at load time and carry their enclosing blocks
// (Task.blocks, outermost first); this decides, per host, which of them run and what a failure does:
// - a failure in a block's `block:` part skips the rest of that part; its `rescue:` part then runs, and a
//   failure it rescues leaves the host healthy (counted as rescued, not failed);
// - a failure nothing rescues fails the host, which still runs the `always:` parts of the blocks it was in;
// - `always:` runs for every host that entered the block, failed or not (an unreachable host runs nothing).
import type { BlockRef, Task } from '../playbook/types.js';

export interface BlockState {
  /** Block id → the part of that block where a task failed on this host. */
  failedIn: Map<number, BlockRef['section']>;
  /** Blocks whose always: part this host is owed after a failure inside them. */
  alwaysPending: Set<number>;
}

export function newBlockState(): BlockState {
  return { failedIn: new Map(), alwaysPending: new Set() };
}

/** Whether a failure of this task is caught by a rescue: part (of the nearest block whose block: part holds it). */
export function rescuable(t: Task): boolean {
  return (t.blocks ?? []).some((r) => r.section === 'block' && r.hasRescue);
}

function open(r: BlockRef, s: BlockState): boolean {
  const f = s.failedIn.get(r.id);
  if (r.section === 'block') return f === undefined;
  if (r.section === 'rescue') return f === 'block';
  return f !== 'always';
}

/**
 * Whether `t` runs on a host in state `s`; `hostFailed`: the host has a failure no rescue caught. A task in the
 * always: part of a block the failure happened in runs even where an outer block: part is closed by that failure.
 */
export function blockAllows(t: Task, s: BlockState, hostFailed: boolean): boolean {
  const chain = t.blocks ?? [];
  if (!hostFailed && chain.every((r) => open(r, s))) return true;
  return chain.some((r, i) => r.section === 'always' && s.alwaysPending.has(r.id) && chain.slice(i + 1).every((x) => open(x, s)));
}

/**
 * Records that `t` failed on the host (and was not ignored), from the innermost block out: each block notes the
 * part that failed and owes its always: part. Returns true when a rescue: part catches the failure; false when
 * the host has failed (it then runs only the always: parts it is owed).
 */
export function blockFailure(t: Task, s: BlockState): boolean {
  const chain = t.blocks ?? [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const r = chain[i] as BlockRef;
    s.failedIn.set(r.id, r.section);
    if (r.section === 'always') s.alwaysPending.delete(r.id);
    else if (r.hasAlways) s.alwaysPending.add(r.id);
    if (r.section === 'block' && r.hasRescue) return true;
  }
  return false;
}
