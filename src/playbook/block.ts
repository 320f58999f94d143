// Task-list entries that hold other tasks, flattened at load time into plain tasks:
// - `block:` / `rescue:` / `always:`: the tasks carry their enclosing blocks (Task.blocks);
// - `import_tasks:` / `include_tasks:`: the tasks of another file, read now (a static import; see below).
// Their keywords are inherited the way Ansible applies them: when: conditions are prepended to each task's,
// tags and vars are merged, the rest apply where a task is silent.
import { dirname, relative, resolve as resolvePath } from 'node:path';
import { isMap, isSeq, type Node } from 'yaml';
import { didYouMean, ModuleUnavailable } from '../errors.js';
import { checkTemplateSyntax, hasTemplate } from '../template/render.js';
import { dynamicInclude } from './dynamic.js';
import { BLOCK_KEYS, IMPORT_KEYS, isDynamicKey, shortName } from './keywords.js';
import { type Field, fieldsOf, isEmpty, posOf, resolve, type Source } from './positions.js';
import { parseRoleTaskEntry } from './role.js';
import {
  bool,
  boolOrTemplate,
  conditions,
  envMap,
  expected,
  fail,
  int,
  noLogOf,
  opt,
  str,
  strList,
  sudoMethod,
  tagList,
  varsMap,
} from './schema.js';
import { readYamlSource } from './source.js';
import {
  collectionsOf,
  intOrTemplate,
  mergeDefaults,
  moduleDefaultsOf,
  type ParsedTask,
  parseTask,
  remoteUserOf,
  type TaskScope,
  throttleOf,
  unavailableTask,
} from './task.js';
import type { BlockRef, Task } from './types.js';

/** Block ids are unique per load; they only need to tell blocks apart within one run. */
let nextId = 1;

/** What a block, an import or a role hands down to the tasks inside it. */
export interface Inherited {
  when: string[];
  tags: string[];
  vars: Record<string, unknown>;
  become?: boolean | string;
  becomeUser?: string;
  environment?: Record<string, unknown>;
  ignoreErrors?: boolean | string;
  noLog?: boolean;
  checkMode?: boolean;
  timeout?: number | string;
  delegateTo?: string;
  runOnce?: boolean | string;
  remoteUser?: string;
  throttle?: number | string;
  ignoreUnreachable?: boolean;
  diff?: boolean;
}

type EntryKind = 'task' | 'block' | 'import' | 'role';

function kindOf(src: Source, node: Node | null): EntryKind {
  if (!isMap(node)) return 'task';
  const keys = fieldsOf(src, node).map((f) => shortName(f.key));
  if (keys.some((k) => k === 'block' || k === 'rescue' || k === 'always')) return 'block';
  if (keys.some((k) => k === 'import_tasks' || k === 'include_tasks')) return 'import';
  if (keys.some((k) => k === 'import_role' || k === 'include_role')) return 'role';
  return 'task';
}

/** One entry of a task list: a task, a block, or an import, flattened into tasks. `files`: the imports being read. */
export function parseEntry(src: Source, item: unknown, scope: TaskScope, chain: BlockRef[] = [], files: string[] = []): ParsedTask[] {
  const node = resolve(src, item);
  const kind = kindOf(src, node);
  if (kind === 'block') return parseBlock(src, node as Node, scope, chain, files);
  const dyn = kind === 'import' || kind === 'role' ? dynamicInclude(src, node as Node, scope, chain, files) : undefined;
  if (dyn) return [dyn];
  if (kind === 'import') return parseImport(src, node as Node, scope, chain, files);
  if (kind === 'role') {
    const role = parseRoleTaskEntry(src, node as Node, scope.baseDir ?? dirname(src.file), scope);
    scope.roleHandlers?.push(...role.handlers);
    if (chain.length) for (const p of role.tasks) p.task.blocks = [...chain, ...(p.task.blocks ?? [])];
    return role.tasks;
  }
  let parsed: ParsedTask;
  try {
    parsed = parseTask(src, node, scope);
  } catch (e) {
    const stub = e instanceof ModuleUnavailable ? unavailableTask(src, node as Node, scope, e) : undefined;
    if (!stub) throw e;
    parsed = stub;
  }
  if (chain.length) parsed.task.blocks = chain;
  return [parsed];
}

// The keywords a block or an import hands down.
export function inheritedOf(src: Source, kw: Map<string, Field>): Inherited {
  return {
    when: opt(kw, 'when', (f) => conditions(src, f)) ?? [],
    tags: opt(kw, 'tags', (f) => tagList(src, f)) ?? [],
    vars: opt(kw, 'vars', (f) => varsMap(src, f)) ?? {},
    become: opt(kw, 'become', boolOrTemplate),
    becomeUser: opt(kw, 'become_user', (f) => templated(f, str(f, 'become_user: postgres'))),
    environment: opt(kw, 'environment', (f) => envMap(src, f)),
    ignoreErrors: opt(kw, 'ignore_errors', boolOrTemplate),
    noLog: opt(kw, 'no_log', noLogOf),
    checkMode: opt(kw, 'check_mode', bool),
    timeout: opt(kw, 'timeout', (f) => intOrTemplate(f, 1)),
    delegateTo: opt(kw, 'delegate_to', (f) => templated(f, str(f, 'delegate_to: localhost'))),
    runOnce: opt(kw, 'run_once', boolOrTemplate),
    remoteUser: opt(kw, 'remote_user', remoteUserOf),
    throttle: opt(kw, 'throttle', throttleOf),
    ignoreUnreachable: opt(kw, 'ignore_unreachable', bool),
    diff: opt(kw, 'diff', bool),
  };
}

/** The scope for the tasks inside a block, import or role entry: its module_defaults merged over the outer ones. */
export function innerScope(src: Source, kw: Map<string, Field>, scope: TaskScope): TaskScope {
  opt(kw, 'collections', (f) => collectionsOf(src, f));
  const own = opt(kw, 'module_defaults', (f) => moduleDefaultsOf(src, f));
  const inner = own ? { ...scope, moduleDefaults: mergeDefaults(scope.moduleDefaults, own) } : scope;
  return kw.has('when') && !inner.guarded ? { ...inner, guarded: true } : inner;
}

// import_tasks reads the file now, relative to the file that names it; so does a plain include_tasks (read statically
// it behaves the same). An include_tasks with a templated name, a loop, when: or apply: is dynamic (src/playbook/dynamic.ts).
function parseImport(src: Source, node: Node, scope: TaskScope, chain: BlockRef[], files: string[]): ParsedTask[] {
  const kw = new Map<string, Field>();
  for (const f of fieldsOf(src, node)) {
    const key = shortName(f.key);
    if ((IMPORT_KEYS as readonly string[]).includes(key)) kw.set(key, key === f.key ? f : { ...f, key });
    else rejectImportKey(f);
  }
  const importF = (kw.get('import_tasks') ?? kw.get('include_tasks')) as Field;
  if (kw.has('import_tasks') && kw.has('include_tasks'))
    fail(importF.keyAt, 'an entry takes import_tasks or include_tasks, not both', 'keep one of them');
  // import_tasks under handlers: its tasks are handlers, notified by their own names or listen (as in Ansible);
  // include_tasks there would make the include's name the handler, which runbook does not do
  if (scope.handler && importF.key !== 'import_tasks')
    fail(importF.keyAt, `handlers cannot use ${importF.key}`, 'use import_tasks (its tasks become handlers), or write the handlers out');
  // `import_tasks: {file: x.yml}` is the same as `import_tasks: x.yml`
  const fileF = isMap(importF.node) ? fieldsOf(src, importF.node).find((f) => f.key === 'file') : undefined;
  if (isMap(importF.node)) {
    const other = fieldsOf(src, importF.node).find((f) => f.key !== 'file');
    if (other)
      fail(
        other.keyAt,
        `"${other.key}" is not an argument of ${importF.key}`,
        `${importF.key} takes the file: ${importF.key}: {file: tasks/network.yml}`,
      );
  }
  const name = str(fileF ?? importF, `${importF.key}: tasks/network.yml`);
  if (hasTemplate(name)) {
    fail(
      importF.at,
      `${importF.key} reads its file when the playbook loads, so the file name cannot be a template`,
      'use include_tasks: to choose the file per host at run time',
    );
  }
  const file = resolvePath(dirname(src.file), name);
  if (files.includes(file)) {
    const cycle = [...files.slice(files.indexOf(file)), file].map((f) => relative(process.cwd(), f) || f).join(' → ');
    fail(importF.at, `task files import each other in a cycle: ${cycle}`, 'remove one of the imports');
  }
  const inner = readYamlSource(file, 'task file', {
    at: importF.at,
    hint: `${importF.key} paths are relative to the file that names them (${dirname(src.file)})`,
  });
  const own = inheritedOf(src, kw);
  return taskFileEntries(inner, innerScope(src, kw, scope), chain, [...files, file]).map((parsed) => {
    inherit(parsed.task, own);
    return parsed;
  });
}

/** A task file's list, each entry parsed in place (an empty file holds no tasks). */
export function taskFileEntries(src: Source, scope: TaskScope, chain: BlockRef[], files: string[]): ParsedTask[] {
  const root = resolve(src, src.doc.contents);
  if (isEmpty(root)) return [];
  if (!isSeq(root))
    fail(posOf(src, root), 'a task file must be a list of tasks', 'write each task as an item: "- name: ...", as under tasks: in a play');
  return root.items.flatMap((item) => parseEntry(src, item, scope, chain, files));
}

function parseBlock(src: Source, node: Node, scope: TaskScope, chain: BlockRef[], files: string[]): ParsedTask[] {
  const kw = new Map<string, Field>();
  for (const f of fieldsOf(src, node)) {
    if ((BLOCK_KEYS as readonly string[]).includes(f.key) || f.key === 'notify') kw.set(f.key, f);
    else if (f.key === 'become_method' && sudoMethod(f)) continue;
    else rejectBlockKey(f);
  }
  const blockF = kw.get('block');
  if (!blockF) {
    const part = kw.get('rescue') ?? kw.get('always');
    return fail(
      (part as Field).keyAt,
      `"${part?.key}" without "block"`,
      `write ${part?.key}: in the same entry as the block: it belongs to`,
    );
  }
  if (scope.handler) fail(blockF.keyAt, 'handlers cannot be blocks', 'write each handler as a single task; a handler may notify another');
  const name = opt(kw, 'name', (f) => str(f, 'name: Configure the bridge'));
  const own = inheritedOf(src, kw);
  // notify on a block (as Ansible has it): for each task inside that names no handler of its own
  const notify = opt(kw, 'notify', (f) => strList(src, f, 'notify: restart nginx'));
  const hasRescue = kw.has('rescue');
  const hasAlways = kw.has('always');
  const id = nextId++;
  const out: ParsedTask[] = [];
  for (const section of ['block', 'rescue', 'always'] as const) {
    const f = kw.get(section);
    if (!f) continue;
    if (!isSeq(f.node)) expected(f, 'a list of tasks', `${section}: [ { name: say hello, shell: echo hello } ]`);
    if (section === 'block' && f.node.items.length === 0)
      fail(f.at, 'a block needs at least one task', 'add tasks under block:, or remove the block');
    const ref: BlockRef = { id, section, hasRescue, hasAlways, ...(name ? { name } : {}) };
    const inner = innerScope(src, kw, scope);
    for (const item of f.node.items) {
      for (const parsed of parseEntry(src, item, inner, [...chain, ref], files)) {
        inherit(parsed.task, own);
        if (notify && !parsed.task.notify.length && !parsed.task.include) {
          parsed.task.notify = [...notify.values];
          parsed.notifyAts = [...notify.ats];
        }
        out.push(parsed);
      }
    }
  }
  return out;
}

function templated(f: Field, s: string): string {
  if (hasTemplate(s)) checkTemplateSyntax(s, f.at);
  return s;
}

// Inner values win: a task's own keyword beats its block's, an inner block's beats an outer one's.
export function inherit(t: Task, b: Inherited): void {
  // A dynamic include hands these down to the tasks it includes at run time.
  t.include?.outer.push(b);
  t.when = [...b.when, ...t.when];
  t.tags = [...new Set([...b.tags, ...t.tags])];
  t.vars = { ...b.vars, ...t.vars };
  if (t.become === undefined && b.become !== undefined) t.become = b.become;
  if (t.becomeUser === undefined && b.becomeUser !== undefined) t.becomeUser = b.becomeUser;
  if (b.environment) t.environment = { ...b.environment, ...t.environment };
  if (b.ignoreErrors === true) t.ignoreErrors = true;
  else if (typeof b.ignoreErrors === 'string' && t.ignoreErrors === false) t.ignoreErrors = b.ignoreErrors;
  if (b.noLog) t.noLog = true;
  if (t.checkMode === undefined && b.checkMode !== undefined) t.checkMode = b.checkMode;
  if (t.timeout === undefined && b.timeout !== undefined) t.timeout = b.timeout;
  if (t.delegateTo === undefined && b.delegateTo !== undefined) t.delegateTo = b.delegateTo;
  if (b.runOnce !== undefined && b.runOnce !== false && t.runOnce === false) t.runOnce = b.runOnce;
  if (t.remoteUser === undefined && b.remoteUser !== undefined) t.remoteUser = b.remoteUser;
  if (t.throttle === undefined && b.throttle !== undefined) t.throttle = b.throttle;
  if (t.ignoreUnreachable === undefined && b.ignoreUnreachable !== undefined) t.ignoreUnreachable = b.ignoreUnreachable;
  if (t.diff === undefined && b.diff !== undefined) t.diff = b.diff;
}

function rejectBlockKey(f: Field): never {
  if (f.key === 'loop' || f.key.startsWith('with_')) {
    fail(f.keyAt, `"${f.key}" cannot go on a block`, 'Ansible does not loop blocks either: put the loop on the tasks inside');
  }
  if (f.key === 'register') {
    fail(f.keyAt, `"${f.key}" cannot go on a block`, `put ${f.key}: on the tasks inside the block`);
  }
  const near = didYouMean(f.key, BLOCK_KEYS);
  return fail(
    f.keyAt,
    `unknown key "${f.key}" in a block`,
    near ?? `a block takes: ${BLOCK_KEYS.join(', ')}; a module belongs in a task inside block:`,
  );
}

function rejectImportKey(f: Field): never {
  if (isDynamicKey(f.key)) {
    fail(
      f.keyAt,
      `"${f.key}" on import_tasks is not supported`,
      'import_tasks reads its file at load time: use include_tasks to loop or decide at run time',
    );
  }
  const near = didYouMean(f.key, IMPORT_KEYS);
  return fail(f.keyAt, `unknown key "${f.key}" in an import`, near ?? `an import takes: ${IMPORT_KEYS.join(', ')}`);
}
