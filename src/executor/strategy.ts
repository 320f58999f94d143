// How a batch of hosts goes through a list of tasks. linear: every host finishes a task before any starts the
// next (includes run per group of hosts that included the same tasks); free: each host on its own.
import { markUnsafe } from '../jinja/runtime.js';
import type { Task } from '../playbook/types.js';
import { forEachLimit } from './batches.js';
import { templatedBool } from './bool.js';
import { BYPASS_HOST_LOOP } from './control.js';
import { touched } from './host.js';
import type { PlayRun } from './play.js';
import { runMeta } from './play-meta.js';

export async function runLinear(p: PlayRun, list: Task[], batch: string[]): Promise<void> {
  for (const t of list) {
    if (p.stopped()) return;
    if (p.st.skipUntilStart(t)) continue;
    const active = batch.filter((h) => p.runnable(t, h));
    if (!active.length) continue;
    if (t.module === 'meta') {
      await runMeta(p, t, active, p.currentBatch);
      continue;
    }
    // run_once: a template is rendered with the first host's vars, once for the task, as Ansible's linear strategy does
    if (BYPASS_HOST_LOOP.has(t.module) || templatedBool(t.runOnce, p.host(active[0]!).vars(t), t.at)) await runOnce(p, t, active);
    else
      await forEachLimit(
        active,
        Math.min(p.st.o.forks, p.throttleOf(t, active[0]!) ?? p.st.o.forks),
        async (h) => void (await p.host(h).runTask(t)),
      );
    if (p.anyErrorsFatal && p.currentBatch.some((h) => p.st.host(h).failed)) p.fatal = true;
    if (t.include) for (const [hosts, tasks] of p.includes.groups(t, active, (h) => p.st.healthy(h))) await runLinear(p, tasks, hosts);
  }
}

// run_once (and add_host): the first host runs it, the others get its registered result and facts.
async function runOnce(p: PlayRun, t: Task, active: string[]): Promise<void> {
  const out = await p.host(active[0]!).runTask(t);
  for (const h of active.slice(1)) {
    const r = p.st.host(h);
    if (out && t.register) r.registered[t.register] = markUnsafe(out.result);
    if (out?.facts) Object.assign(r.facts, out.facts);
    touched(r);
  }
}

/** The free strategy: one host through the list (includes in place, add_host once for all hosts). */
export async function runFree(p: PlayRun, list: Task[], h: string, batch: string[]): Promise<void> {
  for (const t of list) {
    if (p.st.aborted() || p.batchOver || p.playOver || !p.runnable(t, h) || p.st.skipUntilStart(t)) continue;
    if (t.module === 'meta') await runMeta(p, t, [h], batch);
    else if (BYPASS_HOST_LOOP.has(t.module)) {
      if (!p.onceDone.has(t)) {
        p.onceDone.add(t);
        await p.throttled(t, h);
      }
    } else {
      await p.throttled(t, h);
      if (t.include) for (const [, tasks] of p.includes.groups(t, [h], (x) => p.st.healthy(x))) await runFree(p, tasks, h, batch);
    }
  }
}
