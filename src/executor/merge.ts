// A loop's items applied as one transaction where the module knows how (ModuleDef.merge): 9 GRE ports in one
// ovs-vsctl, 9 routes in one `ip -batch`. Probes and plans stay per item, and so do results, diffs and the recap.
import { ConnectError } from '../errors.js';
import type { ModuleDef, Plan } from '../modules/types.js';
import type { Task } from '../playbook/types.js';
import { type Applied, applyPlan } from './apply.js';
import { failedItem, finishItem, type ItemResult, judge, type Planned } from './item.js';
import type { Spec } from './speculate.js';

export interface Merged {
  /** Results of the items the merged apply covered, by item index. */
  results: Map<number, ItemResult>;
  /**
   * Items whose plans made before the loop stay good: the merged ones (the module vouched they are independent; when
   * the merged apply failed each applies its own plan in turn, so the failing item is named as before) and the
   * unchanged ones.
   */
  independent: Set<number>;
}

// A plan that applies steps; the others (unchanged, failed, skipped) finish the usual way and touch nothing.
const applies = (p: Plan) => p.changed && !!p.steps?.length && !p.failed && !p.skipped;

// Only plain steps can join: no check mode, no steps that run whatever happens, no session work.
function joinable(pl: Planned): boolean {
  const p = pl.plan;
  return !pl.check && p.batch !== undefined && !p.always?.length && !p.session;
}

// Every item must run as the same user with the same environment, for one command to stand for all.
const sameRun = (a: Planned, b: Planned) =>
  a.conn === b.conn &&
  a.as.become === b.as.become &&
  a.as.becomeUser === b.as.becomeUser &&
  a.timeout === b.timeout &&
  a.envPrefix === b.envPrefix;

/**
 * Applies the changing items of a loop in one go when the module can merge them; undefined when it cannot (fewer
 * than two changing items, a step that cannot join, or the module declined). Never applies anything but the merge.
 */
export async function applyMerged(
  def: ModuleDef<unknown>,
  t: Task,
  specs: (Spec | undefined)[],
  itemVars: (i: number) => Record<string, unknown>,
): Promise<Merged | undefined> {
  if (!def.merge) return undefined;
  const idx: number[] = [];
  const unchanged: number[] = [];
  for (const [i, s] of specs.entries()) {
    if (!s) continue;
    // A failed plan may be one an earlier item's change would have fixed: such loops go item by item, as before.
    if (!('planned' in s) || s.planned.plan.failed || s.planned.plan.skipped) return undefined;
    if (!applies(s.planned.plan)) unchanged.push(i);
    else if (!joinable(s.planned)) return undefined;
    else idx.push(i);
  }
  if (idx.length < 2) return undefined;
  const planned = idx.map((i) => (specs[i] as { planned: Planned }).planned);
  const first = planned[0];
  if (!planned.every((p) => sameRun(first, p))) return undefined;
  const steps = def.merge(planned.map((p) => p.plan.batch));
  if (!steps) return undefined;
  // The unchanged items keep the plans made before anything applied, as when they come before every change.
  const independent = new Set([...idx, ...unchanged]);
  let applied: Applied;
  // network safety: saves and arms the host before the merged change, as before an item's own
  const gate = await first.guard?.();
  try {
    applied = await applyPlan({ changed: true, steps }, first.conn!, {
      gate,
      ...first.as,
      timeout: first.timeout,
      envPrefix: first.envPrefix,
      onOutput: first.onOutput,
    });
  } catch (e) {
    if (e instanceof ConnectError) throw e;
    // Which item failed is found by applying them one by one (their steps are idempotent).
    return { results: new Map(), independent };
  }
  if (applied.captured && applied.captured.code !== 0) return { results: new Map(), independent };
  const results = new Map<number, ItemResult>();
  for (const [k, i] of idx.entries()) {
    try {
      // A captured step (apt's install) gives every item the one run's rc, stdout and stderr.
      results.set(i, judge(t, await finishItem(planned[k], applied), itemVars(i)));
    } catch (e) {
      results.set(i, failedItem(e));
    }
  }
  return { results, independent };
}
