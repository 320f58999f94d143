// A no-op rerun should cost a few round trips, not one per task: right after facts, every task that depends
// on nothing the run produces is planned at once (probes coalesced), and used while nothing has been applied.
import { evalBool } from '../expr/eval.js';
import { lookup } from '../modules/registry.js';
import type { ModuleDef, Probe } from '../modules/types.js';
import type { Play, Task } from '../playbook/types.js';
import type { Connection } from '../remote/connection.js';
import { becomeOf, failedItem, finishItem, type ItemResult, judge, loopItems, type Planned, planItem } from './item.js';
import { ProbeBatcher } from './probe-batch.js';
import { mentionsRuntime, runtimeNames } from './runtime-names.js';
import type { TaskEnv } from './task.js';

/** Tasks whose plan can be made before their turn: no retry, delegation or run-time inputs. */
export function speculable(play: Play, tasks: Task[]): Task[] {
  const names = runtimeNames(play);
  return tasks.filter(
    (t) =>
      !t.until.length &&
      !t.delegateTo &&
      !t.runOnce &&
      !lookup(t.module, t.at).local &&
      !lookup(t.module, t.at).atTurn &&
      !mentionsRuntime(
        JSON.stringify([
          t.args,
          t.when,
          t.vars,
          t.loop ?? null,
          t.becomeUser ?? play.becomeUser ?? null,
          t.environment ?? null,
          play.environment ?? null,
        ]),
        names,
        true,
      ),
  );
}

/**
 * Plans `tasks` for one host now; a task whose `when` is false or cannot be evaluated yet is left out. `sent`
 * resolves once their probes have left for the host.
 */
export function speculateHost(
  tasks: Task[],
  host: string,
  conn: Connection,
  varsOf: (t: Task) => Record<string, unknown>,
  env: TaskEnv,
): { specs: Map<Task, TaskSpec>; sent: Promise<void> } {
  const out = new Map<Task, TaskSpec>();
  if (tasks.length < 2) return { specs: out, sent: Promise.resolve() };
  // One batcher per way of becoming: probes as root and as another user cannot share a round trip.
  const batchers = new Map<string, ProbeBatcher>();
  for (const t of tasks) {
    const vars = varsOf(t);
    try {
      const as = becomeOf(t, host, vars, env);
      const key = as.become ? `+${as.becomeUser ?? ''}` : '-';
      let b = batchers.get(key);
      if (!b) batchers.set(key, (b = new ProbeBatcher(conn, { ...as, timeout: env.defaultTimeout })));
      if (t.loop !== undefined) out.set(t, speculateItems(t, host, vars, env, b));
      else if (!t.when.length || evalBool(t.when, vars, t.at)) out.set(t, speculate(t, host, vars, env, b));
    } catch {
      // a `when` or loop that cannot be evaluated yet: planned at its turn
    }
  }
  // The plans ask for their probes a few promise steps from now. Left to the batchers' own turn of the event loop,
  // the probes waited behind whatever the loop ran first: for the last host to gather facts, every other host's turn
  // of the tasks before (a linear play starts them the moment that host's facts are in), 25-130 ms at 20 hosts.
  // Sent once the queues have stopped growing for three promise steps (a plan that asks later, after a round trip
  // of its own, still goes with its batcher's next flush), before the caller goes on.
  const sent = (async () => {
    let last = -1;
    for (let i = 0, still = 0; i < 64 && still < 3; i++) {
      await null;
      let n = 0;
      for (const b of batchers.values()) n += b.queued;
      still = n === last ? still + 1 : 0;
      last = n;
    }
    for (const b of batchers.values()) b.flushNow();
  })();
  return { specs: out, sent };
}

/** A plan made ahead of its turn, or why it could not be made. */
export type Spec = { planned: Planned } | { error: unknown };
/** Plans made ahead for a whole task: one, or one per loop item (undefined where `when` is false). */
export type TaskSpec = Promise<Spec> | Promise<(Spec | undefined)[]>;

/** Plans a task ahead through `probe` (a batcher shared with the host's other tasks); never rejects. */
export function speculate(t: Task, host: string, vars: Record<string, unknown>, env: TaskEnv, probe: Probe): Promise<Spec> {
  return planItem(lookup(t.module, t.at), t, host, vars, env, probe).then(
    (planned) => ({ planned }),
    (error: unknown) => ({ error }),
  );
}

export async function fromSpec(s: Spec, t: Task, vars: Record<string, unknown>): Promise<ItemResult> {
  try {
    return 'error' in s ? failedItem(s.error) : judge(t, await finishItem(s.planned), vars);
  } catch (e) {
    return failedItem(e);
  }
}

/**
 * Plans every wanted item at once, their probes coalesced into one round trip per wave. Used until an item
 * applies something (later plans may then be stale and are made again); not for until/delegate_to/local tasks.
 */
/** Plans every item of a looped task through `probe`, for the play-level plan-ahead. */
export function speculateItems(
  t: Task,
  host: string,
  vars: Record<string, unknown>,
  env: TaskEnv,
  probe: Probe,
): Promise<(Spec | undefined)[]> {
  const items = loopItems(t, vars, env.baseDir) ?? [];
  return Promise.all(
    items.map((item) => {
      const v = { ...vars, [t.loopVar]: item };
      return !t.when.length || evalBool(t.when, v, t.at) ? speculate(t, host, v, env, probe) : undefined;
    }),
  );
}

export async function planAllItems(
  def: ModuleDef<unknown>,
  t: Task,
  host: string,
  itemVars: Record<string, unknown>[],
  wanted: boolean[],
  env: TaskEnv,
): Promise<(Spec | undefined)[] | undefined> {
  if (wanted.filter(Boolean).length < 2 || t.until.length || t.delegateTo || def.local || def.atTurn) return undefined;
  // a templated timeout is rendered per item as the items run
  if (typeof t.timeout === 'string') return undefined;
  // Items that become different users (a templated become_user) are planned one by one.
  const ases = itemVars.flatMap((v, i) => (wanted[i] ? [becomeOf(t, host, v, env)] : []));
  if (new Set(ases.map((a) => `${a.become}:${a.becomeUser ?? ''}`)).size > 1) return undefined;
  const conn = await env.connect(host);
  const batcher = new ProbeBatcher(conn, { ...ases[0], timeout: t.timeout ?? env.defaultTimeout });
  return Promise.all(itemVars.map((v, i) => (wanted[i] ? speculate(t, host, v, env, batcher) : undefined)));
}
