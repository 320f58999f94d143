// Dynamic includes: every include_tasks, and an include_role whose role is chosen per host at run time (a templated
// name, a loop, when:, apply:) stays one task at load; each host reads what it includes when its turn comes, through
// the same loader functions as an import. As in Ansible, the include's own keywords (when, tags, loop, ignore_errors…)
// apply to the include itself; its vars (and loop variable) and apply: keywords reach the included tasks, and so do
// the keywords of the blocks, imports and roles around it.
import { dirname, relative, resolve as resolvePath } from 'node:path';
import { isMap, isScalar, type Node } from 'yaml';
import { didYouMean, type Location } from '../errors.js';
import { hasTemplate } from '../template/render.js';
import { type Inherited, inherit, inheritedOf, taskFileEntries } from './block.js';
import { INHERITED_KEYS, isDynamicKey, ROLE_FROM_ARGS, shortName } from './keywords.js';
import { type Field, fieldsOf, posOf, type Source } from './positions.js';
import { includedRole, type RoleFrom, roleFromKey } from './role.js';
import { expected, fail } from './schema.js';
import { readYamlSource } from './source.js';
import { type ParsedTask, parseTask, type TaskScope } from './task.js';
import type { BlockRef, Task } from './types.js';

const APPLY_KEYS = INHERITED_KEYS.filter((k) => k !== 'name');
/** How deep one task file may include itself at run time before runbook calls it a runaway. */
const MAX_INCLUDE_DEPTH = 64;

/** The include_tasks / include_role entry as one runtime task, or undefined when it is read statically (a plain import). */
export function dynamicInclude(src: Source, node: Node, scope: TaskScope, chain: BlockRef[], files: string[]): ParsedTask | undefined {
  const fields = fieldsOf(src, node);
  const incF = fields.find((f) => shortName(f.key) === 'include_tasks' || shortName(f.key) === 'include_role');
  if (!incF) return undefined;
  const kind = shortName(incF.key) === 'include_tasks' ? 'tasks' : 'role';
  const argFields = isMap(incF.node) ? fieldsOf(src, incF.node) : [];
  const nameF = argFields.find((f) => f.key === (kind === 'tasks' ? 'file' : 'name'));
  const name = isScalar(incF.node) ? incF.node.value : isScalar(nameF?.node) ? nameF.node.value : undefined;
  const applyF = argFields.find((f) => f.key === 'apply');
  // include_role's tasks_from: (vars_from…) as written: a template among them is rendered per host, as the name is
  const roleFrom: RoleFrom = {};
  if (kind === 'role')
    for (const f of argFields)
      if ((ROLE_FROM_ARGS as readonly string[]).includes(f.key) && isScalar(f.node) && typeof f.node.value === 'string')
        roleFrom[roleFromKey(f.key)] = f.node.value;
  const fromTemplated = Object.values(roleFrom).some((v) => hasTemplate(v));
  // every include_tasks is read when it runs, as in Ansible: its keywords (tags, when…) are the include's own, it
  // counts as a task in the recap, and a file may include itself (kubespray's retry: a rescue that includes its own
  // file again) as far as its conditions let it. A plain include_role is still read at load (see README).
  const dynamic =
    kind === 'tasks' ||
    (typeof name === 'string' && hasTemplate(name)) ||
    fromTemplated ||
    fields.some((f) => isDynamicKey(f.key)) ||
    applyF !== undefined;
  if (!dynamic) return undefined;
  if (scope.handler) fail(incF.keyAt, `handlers cannot use ${shortName(incF.key)}`, 'write the handlers out under handlers:');
  const parsed = parseTask(src, node, scope);
  const t = parsed.task;
  if (chain.length) t.blocks = chain;
  const own = String(
    (t.args as Record<string, unknown>)._raw ?? (t.args as Record<string, unknown>)[kind === 'tasks' ? 'file' : 'name'] ?? '',
  );
  t.include = {
    kind,
    name: own,
    from: src.file,
    baseDir: scope.baseDir ?? dirname(src.file),
    playTags: scope.playTags,
    ...(scope.moduleDefaults ? { moduleDefaults: scope.moduleDefaults } : {}),
    files,
    ...(applyF ? { apply: applyOf(src, applyF) } : {}),
    ...(Object.keys(roleFrom).length ? { roleFrom } : {}),
    outer: [],
  };
  // A name known now is read now too, so a mistake in the file stops the run before any host is touched (behind a
  // when:, a module runbook lacks is not a mistake: see TaskScope.guarded).
  if (!hasTemplate(own) && !fromTemplated) expand(t, own, {}, true, roleFrom, nameF?.at ?? incF.at);
  return parsed;
}

function applyOf(src: Source, f: Field): Inherited {
  if (!isMap(f.node)) return expected(f, 'a map of task keywords', 'apply: { tags: [net], become: true }');
  const kw = new Map<string, Field>();
  for (const c of fieldsOf(src, f.node)) {
    if (!(APPLY_KEYS as readonly string[]).includes(c.key))
      fail(c.keyAt, `"${c.key}" cannot go in apply:`, didYouMean(c.key, APPLY_KEYS) ?? `apply: takes ${APPLY_KEYS.join(', ')}`);
    kw.set(c.key, c);
  }
  return inheritedOf(src, kw);
}

/** What one host includes: the tasks (their keywords settled) and, for a role, its handlers. */
export interface Included {
  /** The task file or role folder: hosts including the same one with the same variables share these tasks. */
  source: string;
  tasks: ParsedTask[];
  handlers: ParsedTask[];
}

/**
 * Reads what include task `t` names once rendered (`name`), for one host and one loop item (`itemVars`: the loop
 * variables, given to the included tasks as include parameters). Errors name the include's file:line or the file read.
 */
export function expandInclude(t: Task, name: string, itemVars: Record<string, unknown>, from: RoleFrom = {}): Included {
  return expand(t, name, itemVars, false, from);
}

/** `at`: where a file that cannot be read is reported (at load, the file name as written). */
function expand(t: Task, name: string, itemVars: Record<string, unknown>, probe: boolean, from: RoleFrom, at: Location = t.at): Included {
  const inc = t.include!;
  const scope: TaskScope = {
    handler: false,
    playTags: inc.playTags,
    baseDir: inc.baseDir,
    roleHandlers: [],
    rolesSeen: new Set(),
    ...(inc.moduleDefaults ? { moduleDefaults: inc.moduleDefaults } : {}),
    // an include behind a when: guards its tasks, as a block's or an import's when: does
    ...(t.when.length ? { guarded: true } : {}),
  };
  let out: Included;
  if (inc.kind === 'tasks') {
    const file = resolvePath(dirname(inc.from), name);
    // checked at load: the file is being read further up, so it is checked already
    if (probe && inc.files.includes(file)) return { source: file, tasks: [], handlers: [] };
    // at run time an include may recurse (Ansible's include_tasks does), within a bound
    if (inc.files.filter((f) => f === file).length >= MAX_INCLUDE_DEPTH) {
      const chain = [...inc.files.slice(inc.files.indexOf(file)), file].map((f) => relative(process.cwd(), f) || f);
      fail(
        t.at,
        `include_tasks nests ${MAX_INCLUDE_DEPTH} deep: ${chain.slice(0, 3).join(' → ')} → …`,
        'give the recursion a when: that stops it (e.g. a retry count)',
      );
    }
    const src = readYamlSource(file, 'task file', {
      at,
      hint: `include_tasks paths are relative to the file that names them (${dirname(inc.from)})`,
    });
    out = { source: file, tasks: taskFileEntries(src, scope, t.blocks ?? [], [...inc.files, file]), handlers: [] };
  } else {
    const role = includedRole(readYamlSource(inc.from, 'task file'), name, t.at, inc.baseDir, scope, { from });
    const files = Object.entries(from).map(([k, v]) => ` ${k}_from ${v}`);
    out = { source: `role:${name}${files.join('')}`, tasks: role.tasks, handlers: role.handlers };
  }
  out.handlers.push(...(scope.roleHandlers ?? []));
  if (probe) return out;
  for (const p of out.tasks) settle(p.task, t, itemVars);
  return out;
}

// An included task's keywords: apply: first (innermost), then the include's vars and loop item, then the enclosing keywords.
function settle(task: Task, t: Task, itemVars: Record<string, unknown>): void {
  const inc = t.include!;
  const none: Inherited = { when: [], tags: [], vars: {} };
  if (inc.apply) inherit(task, inc.apply);
  inherit(task, { ...none, vars: { ...t.vars, ...itemVars } });
  for (const b of inc.outer) inherit(task, { ...b, vars: {} });
  task.roleDir ??= t.roleDir;
  if (t.roleDefaults) task.roleDefaults = { ...t.roleDefaults, ...task.roleDefaults };
}

/** A notify of an included task that reaches no handler of the play (Ansible only warns; runbook stops that host). */
export function unknownNotify(included: ParsedTask[], handlers: Task[]): { name: string; at: Location } | undefined {
  const names = new Set(handlers.flatMap((h) => [...(h.name ? [h.name] : []), ...h.listen]));
  for (const { task, notifyAts } of included) {
    for (const [i, n] of task.notify.entries()) if (!names.has(n) && !hasTemplate(n)) return { name: n, at: notifyAts[i] ?? task.at };
  }
  return undefined;
}

export { posOf };
