// Before any host is touched: render every task's args and templates, and run static asserts, for every host.
import { formatLocation, InputError, RunbookError } from '../errors.js';
import { evalBool, evalBoolIfCan } from '../expr/eval.js';
import { groupsMap, hostVars } from '../inventory/vars.js';
import { lookup } from '../modules/registry.js';
import type { Play, Task } from '../playbook/types.js';
import { renderFile, renderValue } from '../template/render.js';
import { rescuable } from './blocks.js';
import type { HostRun } from './host.js';
import { varsFor } from './host.js';
import { lookupDirs, loopItems } from './item.js';
import { resolveLocal } from './paths.js';
import type { RunOptions } from './run.js';
import { laterDefined, mentionsRuntime, runtimeNames, undefinedName } from './runtime-names.js';
import { loadVarsFiles } from './vars-files.js';

function asInput(e: unknown, host: string, t: Task): never {
  if (e instanceof InputError) throw e;
  if (e instanceof RunbookError) throw new InputError(`${e.message} (host ${host})`, { at: e.at ?? t.at, hint: e.hint });
  throw e;
}

/** hostvars as the inventory defines them: a task reading one is checked here only if it evaluates. */
function staticHostvars(o: RunOptions): Record<string, Record<string, unknown>> {
  const view: Record<string, Record<string, unknown>> = {};
  // Built once per host: a mesh's templates read every peer's vars for every host.
  const built = new Map<string, Record<string, unknown>>();
  const get = (name: string): Record<string, unknown> => {
    let v = built.get(name);
    if (!v) built.set(name, (v = hostVars(o.inventory, name)));
    return v;
  };
  for (const name of o.inventory.hosts.keys()) Object.defineProperty(view, name, { enumerable: true, get: () => get(name) });
  return view;
}

export function preflight(play: Play, hosts: string[], runs: Map<string, HostRun>, o: RunOptions): void {
  const names = runtimeNames(play);
  const failedAsserts: string[] = [];
  let failedTask: { task: Task; why: string } | undefined;
  const groups = groupsMap(o.inventory);
  const hostvars = staticHostvars(o);
  // What each task's text says is the same for every host: read it once.
  const checked = play.tasks.flatMap((t) => {
    const text = JSON.stringify([t.args, t.when, t.loop ?? null, t.delegateTo ?? null]);
    if (mentionsRuntime(text, names)) return [];
    // Facts and registered results of other hosts are not known yet: such a task is checked only if it evaluates.
    const own = Object.keys(t.vars).length > 0 || Object.keys(t.roleDefaults ?? {}).length > 0;
    return [{ t, soft: /\bhostvars\b/.test(text), own }];
  });
  // The same for every host, within one check: where a task's file is found, and whether a template's text names a
  // runtime variable (a search of the disk and a RegExp per name, per host, before).
  const found = new Map<string, string>();
  const local = (t: Task, path: string, folder: 'templates' | 'files') => {
    const key = `${t.roleDir ?? ''}\0${folder}\0${path}`;
    let p = found.get(key);
    if (p === undefined) found.set(key, (p = resolveLocal(path, play.baseDir, folder, t.roleDir)));
    return p;
  };
  const runtimeText = new Map<string, boolean>();
  const mentions = (text: string) => {
    let m = runtimeText.get(text);
    if (m === undefined) runtimeText.set(text, (m = mentionsRuntime(text, names)));
    return m;
  };
  for (const h of hosts) {
    const r = runs.get(h)!;
    const magic = {
      inventory_hostname: h,
      ansible_check_mode: o.check,
      ansible_play_name: play.name,
      playbook_dir: play.baseDir,
      groups,
      hostvars,
    };
    // A vars file named by a fact is read once the facts are in: until then any variable may be one of its.
    const later = { names, deferred: 0 };
    const playVars = {
      ...play.vars,
      ...(play.varsFiles.length ? loadVarsFiles(play, play.baseDir, varsFor(r, magic, o.extraVars), h, later) : {}),
    };
    const undefinedNow = (e: unknown) => laterDefined(e, names) || (later.deferred > 0 && undefinedName(e) !== undefined);
    const base = varsFor({ ...r, playVars }, magic, o.extraVars);
    for (const { t, soft, own } of checked) {
      // base already holds -e on top: a task with no vars of its own reads it as it is
      const vars = own ? { ...t.roleDefaults, ...base, ...t.vars, ...o.extraVars } : base;
      // A loop's when is asked per item, after its items are made (as Ansible does, and as the run does): its loop is
      // checked whatever the when says (asked without an item, `when: item != …` failed for every host, uselessly).
      if (t.when.length && t.loop === undefined && !evalBoolIfCan(t.when, vars)) continue;
      if (t.loop !== undefined) {
        try {
          loopItems(t, vars, play.baseDir);
        } catch (e) {
          if (undefinedNow(e)) continue;
          asInput(e, h, t);
        }
        continue;
      }
      try {
        const def = lookup(t.module, t.at);
        const args = renderValue(t.args, vars, { at: t.at, host: h, dirs: lookupDirs(t, play) });
        const parsed = def.parse(args, t.at);
        // What only a module knows to look for (a template that must exist and render, a false assert) is its hook's.
        const verdict = def.preflight?.(parsed, {
          host: h,
          vars,
          at: t.at,
          resolveLocal: (path, folder) => local(t, path, folder),
          renderFile: (path, text) => {
            if (!mentions(text)) renderFile(path, vars, h, { dirs: lookupDirs(t, play) });
          },
          test: (expr) => evalBool(expr, vars, t.at, h, { dirs: lookupDirs(t, play) }),
        });
        // a failure the play takes care of (ignore_errors, failed_when, a block's rescue) is no reason to stop the run
        if (verdict && t.ignoreErrors === false && !t.failedWhen.length && !rescuable(t)) {
          failedAsserts.push(h);
          failedTask = { task: t, why: verdict.failed };
        }
      } catch (e) {
        if (soft || undefinedNow(e)) continue;
        asInput(e, h, t);
      }
    }
  }
  if (failedAsserts.length && failedTask) {
    const { task, why } = failedTask;
    throw new InputError(`${task.name ?? task.module} failed before any host was touched, on ${failedAsserts.join(', ')}: ${why}`, {
      at: task.at,
      hint: `fix the inventory or vars; checked at ${formatLocation(task.at)}`,
    });
  }
}
