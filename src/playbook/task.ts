// One task map → a validated Task: one module, known keywords, args checked by the module itself.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { type Location, PlaybookError, didYouMean } from '../errors.js';
import { checkExpression } from '../expr/eval.js';
import type { ModuleDef } from '../modules/types.js';
import { isModule, lookup } from '../modules/registry.js';
import { checkTemplateSyntax, hasTemplate } from '../template/render.js';
import { LOOP_CONTROL_KEYS, TASK_KEYS, UNSUPPORTED_LOOP_CONTROL_KEYS, UNSUPPORTED_TASK_KEYS, WITH_LOOKUP_HINT } from './keywords.js';
import { describe, type Field, fieldsOf, posOf, type Source, toValue } from './positions.js';
import { bool, checkTemplates, conditions, envMap, expected, fail, identifier, int, opt, str, strList, tagList, varsMap } from './schema.js';
import type { Task } from './types.js';

/** What a task inherits from where it is written. */
export interface TaskScope {
  handler: boolean;
  playTags: string[];
  /** The playbook's folder (roles are looked up from it). */
  baseDir?: string;
  /** Where import_role/include_role entries in a task list put the role's handlers. */
  roleHandlers?: ParsedTask[];
  /** Roles already read for this play (each runs once unless given other parameters). */
  rolesSeen?: Set<string>;
}

/** The task plus where each notify name is written, so unknown handlers are reported there. */
export interface ParsedTask {
  task: Task;
  notifyAts: Location[];
}

const FQCN = /^ansible\.(builtin|legacy)\./;
const MODULE_HINT =
  'a task has exactly one module (such as shell, copy, template) plus keywords such as name, when, loop, register, notify';

// Tasks are validated whole before any host is touched; the first problem found is thrown.
export function parseTask(src: Source, node: Node | null, scope: TaskScope): ParsedTask {
  const at = posOf(src, node);
  if (!isMap(node)) {
    fail(at, `a task must be a map, not ${describe(node)}`, 'write it as "- name: ..." with a module below it, e.g. "  shell: echo hi"');
  }
  const kw = new Map<string, Field>();
  let moduleField: Field | undefined;
  let unknown: Field | undefined;
  for (const f of fieldsOf(src, node)) {
    if ((TASK_KEYS as readonly string[]).includes(f.key)) kw.set(f.key, f);
    else if (isModuleKey(f.key)) {
      if (moduleField) {
        fail(
          f.keyAt,
          `a task takes one module, but this one has both "${moduleField.key}" and "${f.key}"`,
          'split it into two tasks, one module each',
        );
      }
      moduleField = f;
    } else unknown ??= f;
  }
  if (unknown) rejectKey(unknown, moduleField !== undefined);
  if (!moduleField) {
    fail(at, `task${nameOf(kw)} has no module`, `add one module, e.g. "shell: echo hi"; ${MODULE_HINT}`);
  }
  const listen = kw.get('listen');
  if (listen && !scope.handler) fail(listen.keyAt, '"listen" only works on handlers', 'move this task under handlers:, or remove listen:');
  const loopF = kw.get('loop');
  const withItems = kw.get('with_items');
  if (loopF && withItems) fail(withItems.keyAt, 'a task cannot have both "loop" and "with_items"', 'keep only loop:');

  const { module, args } = moduleArgs(src, moduleField, kw.get('args'));
  const notify = opt(kw, 'notify', (f) => strList(src, f, 'notify: restart nginx'));
  const task: Task = {
    module,
    args,
    at,
    when: opt(kw, 'when', (f) => conditions(src, f)) ?? [],
    loopVar: opt(kw, 'loop_control', (f) => loopVar(src, f)) ?? 'item',
    notify: notify?.values ?? [],
    tags: unique([...scope.playTags, ...(opt(kw, 'tags', (f) => tagList(src, f)) ?? [])]),
    ignoreErrors: opt(kw, 'ignore_errors', bool) ?? false,
    changedWhen: opt(kw, 'changed_when', (f) => conditions(src, f)) ?? [],
    failedWhen: opt(kw, 'failed_when', (f) => conditions(src, f)) ?? [],
    noLog: opt(kw, 'no_log', bool) ?? false,
    until: opt(kw, 'until', (f) => conditions(src, f)) ?? [],
    runOnce: opt(kw, 'run_once', bool) ?? false,
    vars: opt(kw, 'vars', (f) => varsMap(src, f)) ?? {},
    listen: opt(kw, 'listen', (f) => strList(src, f, 'listen: restart web').values) ?? [],
  };
  const optional: Partial<Task> = {
    name: opt(kw, 'name', (f) => templated(f, str(f, 'name: Install nginx'))),
    loop: loopF ? loopOf(src, loopF) : withItems ? loopOf(src, withItems, true) : undefined,
    register: opt(kw, 'register', identifier),
    become: opt(kw, 'become', bool),
    becomeUser: opt(kw, 'become_user', (f) => templated(f, str(f, 'become_user: postgres'))),
    retries: opt(kw, 'retries', (f) => int(f, 0)),
    delay: opt(kw, 'delay', (f) => int(f, 0)),
    delegateTo: opt(kw, 'delegate_to', (f) => templated(f, str(f, 'delegate_to: localhost'))),
    timeout: opt(kw, 'timeout', (f) => int(f, 1)),
    checkMode: opt(kw, 'check_mode', bool),
    environment: opt(kw, 'environment', (f) => envMap(src, f)),
  };
  // Absent optional fields stay absent rather than present-but-undefined.
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(task, { [k]: v });
  return { task, notifyAts: notify?.ats ?? [] };
}

function nameOf(kw: Map<string, Field>): string {
  const n = kw.get('name')?.node;
  return isScalar(n) && typeof n.value === 'string' ? ` "${n.value}"` : '';
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function templated(f: Field, s: string): string {
  if (hasTemplate(s)) checkTemplateSyntax(s, f.at);
  return s;
}

function isModuleKey(key: string): boolean {
  return isModule(key) || (FQCN.test(key) && isModule(key.replace(FQCN, '')));
}

function moduleDef(key: string, at: Location): ModuleDef<unknown> {
  return lookup(isModule(key) ? key : key.replace(FQCN, ''), at);
}

// An unknown key is most often a misspelt keyword or module; suggest whichever it is closer to.
function rejectKey(f: Field, hasModule: boolean): never {
  const unsupported = UNSUPPORTED_TASK_KEYS[f.key];
  if (unsupported) fail(f.keyAt, `"${f.key}" is not supported yet`, unsupported);
  if (f.key.startsWith('with_')) fail(f.keyAt, `"${f.key}" is not supported yet`, WITH_LOOKUP_HINT);
  const keyword = FQCN.test(f.key) ? undefined : suggested(didYouMean(f.key, TASK_KEYS));
  const module = suggested(moduleHint(f));
  // Both close: the nearer wins; on a tie, a missing module makes the module name the likelier intent.
  const both = hasModule ? [keyword, module] : [module, keyword];
  const best = keyword && module ? suggested(didYouMean(f.key, both as string[])) : (module ?? keyword);
  if (best !== undefined && best === module) fail(f.keyAt, `unknown module "${f.key}"`, `did you mean "${module}"?`);
  if (best !== undefined) fail(f.keyAt, `unknown key "${f.key}" in task`, `did you mean "${best}"?`);
  return fail(f.keyAt, `unknown key "${f.key}" in task`, `if it is a module, runbook has none by that name; ${MODULE_HINT}`);
}

function moduleHint(f: Field): string | undefined {
  try {
    moduleDef(f.key, f.keyAt);
  } catch (e) {
    if (e instanceof PlaybookError) return e.hint;
  }
  return undefined;
}

// The name inside a `did you mean "x"?` hint.
function suggested(hint: string | undefined): string | undefined {
  return hint ? /"([^"]+)"/.exec(hint)?.[1] : undefined;
}

// Module args as written (a map, or { _raw } for free-form), merged over `args:`, parsed once now.
function moduleArgs(src: Source, f: Field, argsField: Field | undefined): { module: string; args: unknown } {
  const def = moduleDef(f.key, f.keyAt);
  let extra: Record<string, unknown> = {};
  if (argsField?.node) {
    if (!isMap(argsField.node)) expected(argsField, 'a map of module arguments', 'args: { chdir: /srv/app }');
    checkTemplates(src, argsField.node);
    extra = toValue(src, argsField.node) as Record<string, unknown>;
  }
  let own: Record<string, unknown>;
  const v = isScalar(f.node) ? f.node.value : undefined;
  if (f.node === null) own = {};
  else if (isMap(f.node)) own = toValue(src, f.node) as Record<string, unknown>;
  else if (typeof v === 'string' && def.freeForm) own = { _raw: v };
  else if (typeof v === 'string') {
    fail(f.at, `module "${def.name}" takes a map of arguments, not a string`, `write the arguments as a map: ${f.key}: ${kvAsMap(v)}`);
  } else {
    const what = def.freeForm ? 'a command string or a map of arguments' : 'a map of arguments';
    fail(
      f.at,
      `module "${def.name}" takes ${what}, not ${describe(f.node)}`,
      `for example: ${f.key}: ${def.freeForm ? 'echo hello' : '{ name: value }'}`,
    );
  }
  checkTemplates(src, f.node);
  const args = { ...extra, ...own };
  def.parse(structuredClone(args), f.keyAt);
  return { module: def.name, args };
}

// Ansible's old `copy: src=a dest=b` form, shown back as the map runbook wants.
function kvAsMap(s: string): string {
  const pairs = s
    .trim()
    .split(/\s+/)
    .map((kv) => kv.split('='));
  if (!pairs.every((p) => p.length >= 2 && p[0] !== '')) return '{ key: value, ... }';
  return `{ ${pairs.map(([k, ...rest]) => `${k}: ${rest.join('=')}`).join(', ')} }`;
}

// loop: a literal list, or one string (a {{ }} template or a bare expression) that yields a list.
function loopOf(src: Source, f: Field, flatten = false): unknown {
  if (isSeq(f.node)) {
    checkTemplates(src, f.node);
    const list = toValue(src, f.node) as unknown[];
    return flatten ? list.flat(1) : list;
  }
  const v = isScalar(f.node) ? f.node.value : undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    expected(f, 'a list, or a string that gives a list', `${f.key}: [a, b] or ${f.key}: "{{ packages }}"`);
  }
  if (hasTemplate(v)) checkTemplateSyntax(v, f.at);
  else checkExpression(v, f.at);
  return v;
}

function loopVar(src: Source, f: Field): string | undefined {
  if (f.node === null) return undefined;
  if (!isMap(f.node)) expected(f, 'a map', 'loop_control: { loop_var: pkg }');
  let name: string | undefined;
  for (const c of fieldsOf(src, f.node)) {
    if (c.key === 'loop_var') name = identifier(c);
    else if (c.key === 'label') continue;
    else if (UNSUPPORTED_LOOP_CONTROL_KEYS[c.key]) {
      fail(c.keyAt, `loop_control "${c.key}" is not supported yet`, UNSUPPORTED_LOOP_CONTROL_KEYS[c.key]);
    } else {
      fail(
        c.keyAt,
        `unknown key "${c.key}" in loop_control`,
        didYouMean(c.key, LOOP_CONTROL_KEYS) ?? 'loop_control takes loop_var and label',
      );
    }
  }
  return name;
}

/** A task with every keyword at its default: what `runbook exec` runs. */
export function bareTask(module: string, args: unknown, at: Location, name?: string): Task {
  return {
    name,
    module,
    args,
    at,
    when: [],
    loopVar: 'item',
    notify: [],
    tags: [],
    ignoreErrors: false,
    changedWhen: [],
    failedWhen: [],
    noLog: false,
    until: [],
    runOnce: false,
    vars: {},
    listen: [],
  };
}
