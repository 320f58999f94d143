// One task map → a validated Task: one module, known keywords, args checked by the module itself.
import { dirname } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { didYouMean, type Location, ModuleUnavailable, PlaybookError } from '../errors.js';
import { checkExpression } from '../expr/eval.js';
import { isModule, lookup, unknownModule } from '../modules/registry.js';
import type { ModuleDef } from '../modules/types.js';
import { moduleArgKeys } from '../schema/module-args.js';
import { checkTemplateSyntax, hasTemplate } from '../template/render.js';
import {
  isCollectionName,
  LOOP_CONTROL_KEYS,
  shortName,
  TASK_KEYS,
  UNSUPPORTED_LOOP_CONTROL_KEYS,
  UNSUPPORTED_TASK_KEYS,
  WITH_LOOKUP_HINT,
  WITH_LOOKUPS,
  type WithLookup,
} from './keywords.js';
import { KvError, parseKv, splitArgs } from './kv.js';
import { describe, type Field, fieldsOf, isEmpty, posOf, type Source, toValue } from './positions.js';
import {
  bool,
  boolOrTemplate,
  checkTemplates,
  conditions,
  envMap,
  expected,
  fail,
  identifier,
  int,
  noLogOf,
  number,
  oneOf,
  opt,
  str,
  strList,
  sudoMethod,
  tagList,
  varsMap,
} from './schema.js';
import type { LoopControl, Task } from './types.js';

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
  /** The defaults and vars of every role the play reads at load, in order (Ansible shows them to all its tasks). */
  playRoles?: { defaults: Record<string, unknown>; vars: Record<string, unknown> }[];
  /** module_defaults of the play and enclosing blocks, imports and roles, by module name (inner merged over outer). */
  moduleDefaults?: ModuleDefaults;
  /** Inside a block, import or include with a `when:`: a task there may run nowhere (see unavailableTask). */
  guarded?: boolean;
}

/** module_defaults: a module's default arguments, by module name (short form). */
export type ModuleDefaults = Record<string, Record<string, unknown>>;

/** The task plus where each notify name is written, so unknown handlers are reported there. */
export interface ParsedTask {
  task: Task;
  notifyAts: Location[];
}

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
    else if (f.key === 'become_method' && sudoMethod(f)) continue;
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
  if (unknown) rejectKey(unknown, moduleField !== undefined || kw.has('action') || kw.has('local_action'));
  const actions = [moduleField, kw.get('action'), kw.get('local_action')].filter((f): f is Field => f !== undefined);
  if (actions.length > 1) {
    fail(
      actions[1].keyAt,
      `conflicting action statements: ${actions.map((f) => f.key).join(', ')}`,
      'a task takes one module: keep one of them',
    );
  }
  if (!actions.length) {
    fail(at, `task${nameOf(kw)} has no module`, `add one module, e.g. "shell: echo hi"; ${MODULE_HINT}`);
  }
  const local = kw.get('local_action');
  if (local && kw.has('delegate_to'))
    fail(
      kw.get('delegate_to')!.keyAt,
      'local_action and delegate_to cannot be combined',
      'local_action already runs on localhost: remove delegate_to, or use the module with delegate_to',
    );
  const listen = kw.get('listen');
  if (listen && !scope.handler) fail(listen.keyAt, '"listen" only works on handlers', 'move this task under handlers:, or remove listen:');
  const loops = [...kw.values()].filter((f) => f.key === 'loop' || f.key.startsWith('with_'));
  if (loops.length > 1)
    fail(loops[1].keyAt, `a task takes one loop, but this one has both "${loops[0].key}" and "${loops[1].key}"`, 'keep only one of them');
  const loopF = loops[0];

  const defaults = mergeDefaults(
    scope.moduleDefaults,
    opt(kw, 'module_defaults', (f) => moduleDefaultsOf(src, f)),
  );
  const { module, args } = moduleArgs(src, actionOf(src, actions[0]), kw.get('args'), defaults);
  const notify = opt(kw, 'notify', (f) => strList(src, f, 'notify: restart nginx'));
  const control = opt(kw, 'loop_control', (f) => loopControlOf(src, f));
  const task: Task = {
    module,
    args,
    at,
    when: opt(kw, 'when', (f) => conditions(src, f)) ?? [],
    loopVar: control?.loopVar ?? 'item',
    notify: notify?.values ?? [],
    tags: unique([...scope.playTags, ...(opt(kw, 'tags', (f) => tagList(src, f)) ?? [])]),
    ignoreErrors: opt(kw, 'ignore_errors', boolOrTemplate) ?? false,
    changedWhen: opt(kw, 'changed_when', (f) => conditions(src, f)) ?? [],
    failedWhen: opt(kw, 'failed_when', (f) => conditions(src, f)) ?? [],
    noLog: opt(kw, 'no_log', noLogOf) ?? false,
    until: opt(kw, 'until', (f) => conditions(src, f)) ?? [],
    runOnce: opt(kw, 'run_once', boolOrTemplate) ?? false,
    vars: opt(kw, 'vars', (f) => varsMap(src, f)) ?? {},
    listen: opt(kw, 'listen', (f) => strList(src, f, 'listen: restart web').values) ?? [],
  };
  const lookupName = loopF?.key.startsWith('with_') ? (loopF.key.slice(5) as WithLookup) : undefined;
  const optional: Partial<Task> = {
    name: opt(kw, 'name', (f) => templated(f, str(f, 'name: Install nginx'))),
    loop: loopF ? (lookupName ? termsOf(src, loopF) : loopOf(src, loopF)) : undefined,
    loopLookup: lookupName,
    loopBaseDir: lookupName === 'fileglob' || lookupName === 'first_found' ? (scope.baseDir ?? dirname(src.file)) : undefined,
    loopControl: control?.rest,
    register: opt(kw, 'register', identifier),
    become: opt(kw, 'become', boolOrTemplate),
    becomeUser: opt(kw, 'become_user', (f) => templated(f, str(f, 'become_user: postgres'))),
    retries: opt(kw, 'retries', (f) => intOrTemplate(f, 0)),
    delay: opt(kw, 'delay', (f) => intOrTemplate(f, 0)),
    // connection: local on a task runs it on the controller, as delegate_to: localhost does.
    delegateTo:
      local || connectionOf(kw) === 'local' ? 'localhost' : opt(kw, 'delegate_to', (f) => templated(f, str(f, 'delegate_to: localhost'))),
    delegateFacts: opt(kw, 'delegate_facts', bool),
    timeout: opt(kw, 'timeout', (f) => intOrTemplate(f, 1)),
    async: opt(kw, 'async', (f) => intOrTemplate(f, 1)),
    poll: opt(kw, 'poll', (f) => {
      const v = intOrTemplate(f, 0);
      if (v === 0) fail(f.at, POLL_ZERO, 'remove poll: 0 (runbook then waits for the task, within async seconds), or set poll above 0');
      return v;
    }),
    checkMode: opt(kw, 'check_mode', bool),
    environment: opt(kw, 'environment', (f) => envMap(src, f)),
    remoteUser: opt(kw, 'remote_user', (f) => remoteUserOf(f)),
    throttle: opt(kw, 'throttle', throttleOf),
    ignoreUnreachable: opt(kw, 'ignore_unreachable', bool),
    network: opt(kw, 'network', bool),
    diff: opt(kw, 'diff', bool),
  };
  opt(kw, 'collections', (f) => collectionsOf(src, f));
  // Absent optional fields stay absent rather than present-but-undefined.
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(task, { [k]: v });
  return { task, notifyAts: notify?.ats ?? [] };
}

/** remote_user: a user name or a template (rendered per host). */
export function remoteUserOf(f: Field): string {
  return templated(f, str(f, 'remote_user: deploy'));
}

/** throttle: a whole number of hosts (0 means no limit, as in Ansible), or a template of one rendered when the task starts. */
export function throttleOf(f: Field): number | string | undefined {
  const n = intOrTemplate(f, 0);
  return n === 0 ? undefined : n;
}

/**
 * collections: names of collections (namespace.name). runbook resolves modules by their short name, so the list
 * only has to be well formed; a module of a collection runbook lacks is refused where it is used.
 */
export function collectionsOf(src: Source, f: Field): string[] {
  const { values, ats } = strList(src, f, 'collections: [ansible.builtin]');
  values.forEach((c, i) => {
    if (!/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(c))
      fail(ats[i], `"${c}" is not a collection name`, 'a collection is named namespace.name, e.g. community.general');
  });
  return values;
}

let argKeys: Map<string, { keys: string[]; open: boolean }> | undefined;

/** module_defaults: { module: { arg: value } }, keys short or ansible.builtin.* names; each argument checked against the module. */
export function moduleDefaultsOf(src: Source, f: Field): ModuleDefaults {
  if (isEmpty(f.node)) return {};
  if (isSeq(f.node)) {
    const out: ModuleDefaults = {};
    for (const item of f.node.items) {
      const one = moduleDefaultsOf(src, { ...f, node: item as Node, at: posOf(src, item) });
      for (const [m, a] of Object.entries(one)) out[m] = { ...out[m], ...a };
    }
    return out;
  }
  if (!isMap(f.node)) expected(f, 'a map of module names to their default arguments', 'module_defaults: { shell: { chdir: /srv } }');
  const out: ModuleDefaults = {};
  for (const m of fieldsOf(src, f.node)) {
    if (m.key.startsWith('group/')) {
      fail(
        m.keyAt,
        `module_defaults for an action group ("${m.key}") are not supported`,
        'name each module instead, e.g. module_defaults: { shell: { chdir: /srv } }',
      );
    }
    if (!isMap(m.node) && !isEmpty(m.node)) expected(m, "a map of the module's arguments", `${m.key}: { chdir: /srv }`);
    checkTemplates(src, m.node);
    const args = (isEmpty(m.node) ? {} : toValue(src, m.node)) as Record<string, unknown>;
    const name = shortName(m.key);
    // A module runbook lacks gets no defaults: a task that used it would be refused anyway.
    if (!isModule(name)) continue;
    const def = lookup(name, m.keyAt);
    argKeys ??= new Map(moduleArgKeys().map((k) => [k.name, k]));
    const known = argKeys.get(def.name);
    if (known && !known.open) {
      for (const k of Object.keys(args)) {
        if (!known.keys.includes(k))
          fail(
            m.keyAt,
            `unknown argument "${k}" for module "${def.name}" in module_defaults`,
            didYouMean(k, known.keys) ?? `${def.name} takes: ${known.keys.join(', ')}`,
          );
      }
    }
    out[def.name] = { ...out[def.name], ...args };
  }
  return out;
}

/** Inner module_defaults merged over outer ones, argument by argument. */
export function mergeDefaults(outer: ModuleDefaults | undefined, inner: ModuleDefaults | undefined): ModuleDefaults | undefined {
  if (!inner) return outer;
  if (!outer) return inner;
  const out: ModuleDefaults = { ...outer };
  for (const [m, a] of Object.entries(inner)) out[m] = { ...out[m], ...a };
  return out;
}

function connectionOf(kw: Map<string, Field>): string | undefined {
  return opt(kw, 'connection', (f) => oneOf(f, ['local', 'ssh', 'smart', 'paramiko'] as const));
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
  return isModule(shortName(key));
}

function moduleDef(key: string, at: Location): ModuleDef<unknown> {
  if (isCollectionName(key)) {
    const coll = key.split('.').slice(0, 2).join('.');
    throw new ModuleUnavailable(`module "${key}" is from the collection ${coll}, which runbook does not have`, {
      at,
      hint: `runbook's modules are ansible.builtin ones and its own (${MODULE_LIST_HINT}); write the task with one of them`,
    });
  }
  return lookup(shortName(key), at);
}

const MODULE_LIST_HINT = 'see README "Modules"';

// An unknown key is most often a misspelt keyword or module; suggest whichever it is closer to.
function rejectKey(f: Field, hasModule: boolean): never {
  const unsupported = UNSUPPORTED_TASK_KEYS[shortName(f.key)];
  if (unsupported) fail(f.keyAt, `"${f.key}" is not supported`, unsupported);
  if (f.key.startsWith('with_')) fail(f.keyAt, `"${f.key}" is not supported`, WITH_LOOKUP_HINT);
  if (isCollectionName(f.key)) moduleDef(f.key, f.keyAt);
  const keyword = shortName(f.key) !== f.key ? undefined : suggested(didYouMean(f.key, TASK_KEYS));
  const module = suggested(moduleHint(f));
  // Both close: the nearer wins; on a tie, a missing module makes the module name the likelier intent.
  const both = hasModule ? [keyword, module] : [module, keyword];
  const best = keyword && module ? suggested(didYouMean(f.key, both as string[])) : (module ?? keyword);
  if (best !== undefined && best === module) throw unknownModule(f.key, f.keyAt, `did you mean "${module}"?`);
  if (best !== undefined) fail(f.keyAt, `unknown key "${f.key}" in task`, `did you mean "${best}"?`);
  // A task with no module of runbook's: most likely one runbook does not have, not a misspelt keyword.
  const hint = `if it is a module, runbook has none by that name; ${MODULE_HINT}`;
  if (!hasModule) throw new ModuleUnavailable(`unknown key "${f.key}" in task`, { at: f.keyAt, hint });
  return fail(f.keyAt, `unknown key "${f.key}" in task`, hint);
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

/** The module a task names and its arguments as written: under the module key, or in action:/local_action:. */
interface Action {
  key: string;
  keyAt: Location;
  at: Location;
  node: Node | null;
  /** The arguments: a map, a free-form string, or nothing (null). */
  value: unknown;
}

// `copy: {…}` / `copy: src=a dest=b`; `action: copy src=a dest=b` / `action: {module: copy, src: a}` (also local_action).
function actionOf(src: Source, f: Field): Action {
  if (f.key !== 'action' && f.key !== 'local_action')
    return { key: f.key, keyAt: f.keyAt, at: f.at, node: f.node, value: f.node === null ? null : toValue(src, f.node) };
  const example = `${f.key}: copy src=a dest=b, or ${f.key}: { module: copy, src: a, dest: b }`;
  const v = isEmpty(f.node) ? undefined : toValue(src, f.node);
  if (typeof v === 'string') {
    const tokens = kvSplit(f, v);
    if (!tokens.length) expected(f, 'a module and its arguments', example);
    const rest = tokens.slice(1).join(' ');
    return { key: tokens[0].trim(), keyAt: f.at, at: f.at, node: f.node, value: rest === '' ? null : rest };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return expected(f, 'a module and its arguments', example);
  const { module, ...rest } = v as Record<string, unknown>;
  if (typeof module !== 'string' || module.trim() === '') return expected(f, 'a map with "module:" naming the module', example);
  const [name, ...more] = kvSplit(f, module);
  if (more.length)
    return fail(
      f.at,
      `"module:" of ${f.key} takes the module name only, not "${module}"`,
      'put the arguments beside module:, as keys of the same map',
    );
  return { key: name, keyAt: f.at, at: f.at, node: f.node, value: Object.keys(rest).length ? rest : null };
}

function kvSplit(f: Field, s: string): string[] {
  try {
    return splitArgs(s);
  } catch (e) {
    if (e instanceof KvError)
      fail(f.at, `cannot split "${s.slice(0, 60)}": ${e.message}`, 'balance the quotes and the {{ }} braces, or quote the whole value');
    throw e;
  }
}

// Module args as written (a map, or for free-form { _raw, and inline options }), over `args:` and module_defaults, parsed once now.
function moduleArgs(
  src: Source,
  a: Action,
  argsField: Field | undefined,
  defaults: ModuleDefaults | undefined,
): { module: string; args: unknown } {
  const def = moduleDef(a.key, a.keyAt);
  let extra: Record<string, unknown> = {};
  if (argsField?.node) {
    if (!isMap(argsField.node)) expected(argsField, 'a map of module arguments', 'args: { chdir: /srv/app }');
    checkTemplates(src, argsField.node);
    extra = toValue(src, argsField.node) as Record<string, unknown>;
  }
  let own: Record<string, unknown>;
  const v = a.value;
  if (v === null || v === undefined) own = {};
  else if (typeof v === 'object' && !Array.isArray(v)) own = v as Record<string, unknown>;
  else if (typeof v === 'string') own = freeFormArgs(def, a, v);
  else {
    const what = def.freeForm ? 'a command string or a map of arguments' : 'a map of arguments (or key=value text)';
    fail(
      a.at,
      `module "${def.name}" takes ${what}, not ${describe(a.node)}`,
      `for example: ${a.key}: ${def.freeForm ? 'echo hello' : '{ name: value }'}`,
    );
  }
  checkTemplates(src, a.node);
  const args = { ...defaults?.[def.name], ...extra, ...own };
  def.parse(structuredClone(args), a.keyAt);
  return { module: def.name, args };
}

// Ansible's parse_kv: command/shell keep the text as the command, taking out only their own options (check_raw);
// other modules take key=value pairs only. Values stay strings: each module's parse types them.
function freeFormArgs(def: ModuleDef<unknown>, a: Action, text: string): Record<string, unknown> {
  let kv: Record<string, string>;
  try {
    kv = parseKv(text, !!def.freeForm);
  } catch (e) {
    if (e instanceof KvError)
      fail(
        a.at,
        `cannot split the arguments of "${a.key}": ${e.message}`,
        'balance the quotes and the {{ }} braces, or write the arguments as a map',
      );
    throw e;
  }
  const { _raw_params: raw, ...opts } = kv;
  if (def.freeForm) return raw === undefined ? opts : { _raw: raw, ...opts };
  if (raw !== undefined) {
    fail(
      a.at,
      `module "${def.name}" takes key=value arguments, and "${raw.slice(0, 60)}" is not one`,
      `write the arguments as key=value pairs or as a map: ${a.key}: ${kvAsMap(text)}; only command and shell take free text`,
    );
  }
  return opts;
}

// Ansible's `copy: src=a dest=b` form, shown back as a map.
function kvAsMap(s: string): string {
  const pairs = s
    .trim()
    .split(/\s+/)
    .map((kv) => kv.split('='));
  if (!pairs.every((p) => p.length >= 2 && p[0] !== '')) return '{ key: value, ... }';
  return `{ ${pairs.map(([k, ...rest]) => `${k}: ${rest.join('=')}`).join(', ')} }`;
}

// loop: a literal list, or one string (a {{ }} template or a bare expression) that yields a list.
function loopOf(src: Source, f: Field): unknown {
  if (isSeq(f.node)) {
    checkTemplates(src, f.node);
    return toValue(src, f.node) as unknown[];
  }
  const v = isScalar(f.node) ? f.node.value : undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    expected(f, 'a list, or a string that gives a list', `${f.key}: [a, b] or ${f.key}: "{{ packages }}"`);
  }
  if (hasTemplate(v)) checkTemplateSyntax(v, f.at);
  else checkExpression(v, f.at);
  return v;
}

// with_<lookup>: the lookup's terms as written (templates rendered per host, then expanded in executor/loops.ts).
function termsOf(src: Source, f: Field): unknown {
  if (!WITH_LOOKUPS.includes(f.key.slice(5) as WithLookup)) fail(f.keyAt, `"${f.key}" is not supported`, WITH_LOOKUP_HINT);
  if (isEmpty(f.node)) expected(f, 'the terms of the lookup (a list, a map or a string)', `${f.key}: "{{ my_list }}"`);
  checkTemplates(src, f.node);
  return toValue(src, f.node);
}

function loopControlOf(src: Source, f: Field): { loopVar?: string; rest?: LoopControl } | undefined {
  if (f.node === null) return undefined;
  if (!isMap(f.node)) expected(f, 'a map', 'loop_control: { loop_var: pkg }');
  let loopVar: string | undefined;
  const rest: LoopControl = {};
  for (const c of fieldsOf(src, f.node)) {
    if (c.key === 'loop_var') loopVar = identifier(c);
    else if (c.key === 'label') rest.label = templated(c, str(c, 'label: "{{ item.name }}"'));
    else if (c.key === 'index_var') rest.indexVar = identifier(c);
    else if (c.key === 'pause') rest.pause = number(c, 0, 86400);
    else if (c.key === 'extended') rest.extended = bool(c);
    else if (c.key === 'extended_allitems') rest.extendedAllitems = bool(c);
    else if (UNSUPPORTED_LOOP_CONTROL_KEYS[c.key]) {
      fail(c.keyAt, `loop_control "${c.key}" is not supported`, UNSUPPORTED_LOOP_CONTROL_KEYS[c.key]);
    } else {
      fail(
        c.keyAt,
        `unknown key "${c.key}" in loop_control`,
        didYouMean(c.key, LOOP_CONTROL_KEYS) ?? `loop_control takes ${LOOP_CONTROL_KEYS.join(', ')}`,
      );
    }
  }
  if (loopVar !== undefined && loopVar === rest.indexVar)
    fail(f.at, `loop_var and index_var are both "${loopVar}"`, 'give the index its own name, e.g. index_var: idx');
  return { loopVar, rest: Object.keys(rest).length ? rest : undefined };
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

/**
 * A task whose module runbook does not have (pkgng, a community.* module, a download), written behind a `when:` of
 * its own or of its block or import: roles keep each OS's tasks that way. It loads as a task that fails with that
 * reason on a host where it runs, and is skipped, as in Ansible, where the condition is false. Without a `when:`
 * it would run everywhere, so the error stands.
 */
export function unavailableTask(src: Source, node: Node, scope: TaskScope, e: ModuleUnavailable): ParsedTask | undefined {
  if (!isMap(node)) return undefined;
  const kw = new Map(fieldsOf(src, node).map((f) => [f.key, f]));
  const when = opt(kw, 'when', (f) => conditions(src, f)) ?? [];
  if (!when.length && !scope.guarded) return undefined;
  const name = opt(kw, 'name', (f) => str(f, 'name: Install the packages'));
  const t = bareTask('fail', { msg: `${e.message}${e.hint ? ` (${e.hint})` : ''}` }, e.at ?? posOf(src, node), name);
  t.when = when;
  t.tags = unique([...scope.playTags, ...(opt(kw, 'tags', (f) => tagList(src, f)) ?? [])]);
  return { task: t, notifyAts: [] };
}

/** Why poll: 0 is refused: a job left running on the host, polled later by async_status, is not something runbook keeps. */
export const POLL_ZERO = 'poll: 0 (fire and forget, checked later with async_status) is not supported: runbook waits for every task';

/** A whole number, or a template of one (rendered per host when the task runs). */
export function intOrTemplate(f: Field, min: number): number | string {
  if (isScalar(f.node) && typeof f.node.value === 'string' && hasTemplate(f.node.value)) return templated(f, f.node.value);
  return int(f, min);
}
