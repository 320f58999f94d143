// A dynamic include on one host: its loop (when: per item), the file or role name rendered, what it brings read
// through the loader (src/playbook/dynamic.ts). Hosts that include the same thing with the same loop variables
// share the same tasks, so the linear strategy runs them together.
import { PlaybookError } from '../errors.js';
import { evalBool } from '../expr/eval.js';
import { expandInclude, type Included, unknownNotify } from '../playbook/dynamic.js';
import type { Task } from '../playbook/types.js';
import { renderValue } from '../template/render.js';
import { loopItems } from './item.js';
import { loopVarsOf } from './task.js';

/** What one host includes: a key telling identical inclusions apart, and the tasks in order. */
export interface HostInclusion {
  key: string;
  tasks: Task[];
  /** The files or roles read, for the output ("included: …"). */
  sources: string[];
}

/** Per include run: the same name and loop variables read once, shared by every host that includes them. */
export type IncludeCache = Map<string, Included>;

/**
 * The inclusion of include task `t` on a host with `vars` (its `when` already true when it has no loop). New role
 * handlers are added to `handlers`; a notify that reaches no handler fails the include, naming where it is written.
 */
export function hostInclusion(t: Task, host: string, vars: Record<string, unknown>, cache: IncludeCache, handlers: Task[]): HostInclusion {
  const items = loopItems(t, vars);
  const passes = items === undefined ? [{}] : items.map((_, i) => loopVarsOf(t, items, i));
  const keys: string[] = [];
  const tasks: Task[] = [];
  const sources: string[] = [];
  for (const itemVars of passes) {
    const v = { ...vars, ...itemVars };
    if (items !== undefined && t.when.length && !evalBool(t.when, v, t.at)) continue;
    const name = String(renderValue(t.include!.name, v, { at: t.at, host })).trim();
    if (!name) throw new PlaybookError(`${t.module}: the name rendered empty`, { at: t.at, hint: `check "${t.include!.name}"` });
    const from: Record<string, string> = {};
    for (const [k, tpl] of Object.entries(t.include!.roleFrom ?? {})) {
      from[k] = String(renderValue(tpl, v, { at: t.at, host })).trim();
      if (!from[k]) throw new PlaybookError(`${t.module}: ${k}_from rendered empty`, { at: t.at, hint: `check "${tpl}"` });
    }
    const key = `${name}\0${JSON.stringify(from)}\0${JSON.stringify(itemVars)}`;
    let inc = cache.get(key);
    if (!inc) {
      inc = expandInclude(t, name, itemVars, from);
      for (const h of inc.handlers) {
        const same = (x: Task) => x.at.file === h.task.at.file && x.at.line === h.task.at.line;
        if (!handlers.some(same)) handlers.push(h.task);
      }
      const bad = unknownNotify(inc.tasks, handlers);
      if (bad)
        throw new PlaybookError(`notify "${bad.name}" matches no handler`, {
          at: bad.at,
          hint: 'add a handler by that name (or listen: it) to the play',
        });
      cache.set(key, inc);
    }
    keys.push(key);
    sources.push(inc.source);
    tasks.push(...inc.tasks.map((p) => p.task));
  }
  return { key: keys.join('\n'), tasks, sources };
}
