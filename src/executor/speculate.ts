// A no-op rerun should cost a few round trips, not one per task: right after facts, every task that depends
// on nothing the run produces is planned at once (probes coalesced), and used while nothing has been applied.
import { evalBool } from '../expr/eval.js';
import { lookup } from '../modules/registry.js';
import type { Play, Task } from '../playbook/types.js';
import type { Connection } from '../remote/connection.js';
import { ProbeBatcher } from './probe-batch.js';
import { mentionsRuntime, runtimeNames } from './runtime-names.js';
import { type TaskSpec, speculate, speculateItems } from './item.js';
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
      !mentionsRuntime(JSON.stringify([t.args, t.when, t.vars, t.loop ?? null]), names, true),
  );
}

/** Plans `tasks` for one host now; a task whose `when` is false or cannot be evaluated yet is left out. */
export function speculateHost(
  tasks: Task[],
  host: string,
  conn: Connection,
  varsOf: (t: Task) => Record<string, unknown>,
  env: TaskEnv,
): Map<Task, TaskSpec> {
  const out = new Map<Task, TaskSpec>();
  if (tasks.length < 2) return out;
  const batchers = new Map<boolean, ProbeBatcher>();
  for (const t of tasks) {
    const vars = varsOf(t);
    const become = t.become ?? env.become;
    let b = batchers.get(become);
    if (!b) batchers.set(become, (b = new ProbeBatcher(conn, { become, timeout: env.defaultTimeout })));
    try {
      if (t.loop !== undefined) out.set(t, speculateItems(t, host, vars, env, b));
      else if (!t.when.length || evalBool(t.when, vars, t.at)) out.set(t, speculate(t, host, vars, env, b));
    } catch {
      // a `when` or loop that cannot be evaluated yet: planned at its turn
    }
  }
  return out;
}
