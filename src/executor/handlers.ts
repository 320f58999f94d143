// Handlers run once per host at the end of a play (and at each meta: flush_handlers), in definition order, only where a
// changed task notified them.
import type { Play, Task } from '../playbook/types.js';
import { forEachLimit } from './batches.js';
import type { RunState } from './run-state.js';
import type { TaskOutcome } from './task.js';

export async function runHandlers(
  play: Play,
  batch: string[],
  st: RunState,
  runOne: (t: Task, h: string) => Promise<TaskOutcome | undefined>,
  aborted: () => boolean,
) {
  const eligible = (h: string) => {
    const r = st.runs.get(h)!;
    return !r.unreachable && (!r.failed || st.o.forceHandlers) && r.notified.size > 0;
  };
  const done = new Map<string, Set<string>>();
  const flushed = batch.filter(eligible);
  for (let round = 0; round < 5; round++) {
    let ran = false;
    for (const hd of play.handlers) {
      if (aborted()) return;
      const names = [hd.name ?? '', ...hd.listen];
      const hosts = batch.filter(
        (h) => eligible(h) && names.some((n) => st.runs.get(h)!.notified.has(n)) && !done.get(h)?.has(hd.name ?? ''),
      );
      if (!hosts.length) continue;
      ran = true;
      await forEachLimit(hosts, st.o.forks, async (h) => {
        (done.get(h) ?? done.set(h, new Set()).get(h)!).add(hd.name ?? '');
        await runOne(hd, h);
      });
    }
    if (!ran) break;
  }
  // Notifications are used up (a later flush, or the end of the play, runs only what is notified after this one).
  for (const h of flushed) st.runs.get(h)!.notified.clear();
}
