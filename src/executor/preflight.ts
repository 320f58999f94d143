// Before any host is touched: render every task's args and templates, and run static asserts, for every host.
import { existsSync, readFileSync } from 'node:fs';
import { InputError, RunbookError, formatLocation } from '../errors.js';
import { evalBool } from '../expr/eval.js';
import { groupsMap, hostVars } from '../inventory/vars.js';
import { lookup } from '../modules/registry.js';
import type { Play, Task } from '../playbook/types.js';
import { renderFile, renderValue } from '../template/render.js';
import type { HostRun } from './host.js';
import { varsFor } from './host.js';
import { resolveLocal } from './paths.js';
import type { RunOptions } from './run.js';
import { loopItems } from './item.js';
import { mentionsRuntime, runtimeNames } from './runtime-names.js';
import { loadVarsFiles } from './vars-files.js';

function asInput(e: unknown, host: string, t: Task): never {
  if (e instanceof InputError) throw e;
  if (e instanceof RunbookError) throw new InputError(`${e.message} (host ${host})`, { at: e.at ?? t.at, hint: e.hint });
  throw e;
}

/** hostvars as the inventory defines them: a task reading one is checked here only if it evaluates. */
function staticHostvars(o: RunOptions): Record<string, Record<string, unknown>> {
  const view: Record<string, Record<string, unknown>> = {};
  for (const name of o.inventory.hosts.keys()) Object.defineProperty(view, name, { enumerable: true, get: () => hostVars(o.inventory, name) });
  return view;
}

export function preflight(play: Play, hosts: string[], runs: Map<string, HostRun>, o: RunOptions): void {
  const names = runtimeNames(play);
  const failedAsserts: string[] = [];
  let assertTask: Task | undefined;
  const groups = groupsMap(o.inventory);
  const hostvars = staticHostvars(o);
  for (const h of hosts) {
    const r = runs.get(h)!;
    const magic = { inventory_hostname: h, ansible_check_mode: o.check, playbook_dir: play.baseDir, groups, hostvars };
    const playVars = { ...play.vars, ...(play.varsFiles.length ? loadVarsFiles(play, play.baseDir, varsFor(r, magic, o.extraVars), h) : {}) };
    const base = varsFor({ ...r, playVars }, magic, o.extraVars);
    for (const t of play.tasks) {
      const vars = { ...t.roleDefaults, ...base, ...t.vars, ...o.extraVars };
      const text = JSON.stringify([t.args, t.when, t.loop ?? null, t.delegateTo ?? null]);
      if (mentionsRuntime(text, names)) continue;
      // Facts and registered results of other hosts are not known yet: such a task is checked only if it evaluates.
      const soft = /\bhostvars\b/.test(text);
      try {
        if (t.when.length && !evalBool(t.when, vars, t.at)) continue;
      } catch {
        continue;
      }
      if (t.loop !== undefined) {
        try {
          loopItems(t, vars);
        } catch (e) {
          asInput(e, h, t);
        }
        continue;
      }
      try {
        const def = lookup(t.module, t.at);
        const args = renderValue(t.args, vars, { at: t.at, host: h });
        const parsed = def.parse(args, t.at) as Record<string, unknown>;
        if (t.module === 'template' || t.module === 'ansible.builtin.template') {
          const path = resolveLocal(String(parsed.src), play.baseDir, 'templates', t.roleDir);
          let src = '';
          try {
            src = readFileSync(path, 'utf8');
          } catch {
            throw new InputError(`template not found: ${String(parsed.src)} (looked for ${path})`, {
              at: t.at,
              hint: 'put it in templates/ beside the playbooks/ folder, or give a path relative to the playbook',
            });
          }
          if (!mentionsRuntime(src, names)) renderFile(path, vars, h);
        }
        if ((t.module === 'copy' || t.module === 'ansible.builtin.copy') && typeof parsed.src === 'string' && !parsed.remote_src) {
          const path = resolveLocal(parsed.src, play.baseDir, 'files', t.roleDir);
          if (!existsSync(path))
            throw new InputError(`copy: source file not found: ${parsed.src} (looked for ${path})`, {
              at: t.at,
              hint: 'put it in files/ beside the playbooks/ folder, or give a path relative to the playbook',
            });
        }
        if (t.module === 'assert' && !evalAssert(parsed, vars, t)) {
          failedAsserts.push(h);
          assertTask = t;
        }
      } catch (e) {
        if (soft) continue;
        asInput(e, h, t);
      }
    }
  }
  if (failedAsserts.length && assertTask) {
    const a = assertTask.args as Record<string, unknown>;
    const why = typeof a.fail_msg === 'string' ? a.fail_msg : typeof a.msg === 'string' ? a.msg : 'assertion failed';
    throw new InputError(`${assertTask.name ?? 'assert'} failed before any host was touched, on ${failedAsserts.join(', ')}: ${why}`, {
      at: assertTask.at,
      hint: `fix the inventory or vars; checked at ${formatLocation(assertTask.at)}`,
    });
  }
}

function evalAssert(p: Record<string, unknown>, vars: Record<string, unknown>, t: Task): boolean {
  const that = Array.isArray(p.that) ? (p.that as string[]) : [String(p.that)];
  return that.every((e) => evalBool(e, vars, t.at));
}
