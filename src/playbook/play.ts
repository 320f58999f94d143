// One play map → a validated Play: its keys, its task lists, and notify names that reach a handler.
import { existsSync } from 'node:fs';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Location } from '../errors.js';
import { didYouMean } from '../errors.js';
import { badSubset, FACT_SUBSETS } from '../facts/facts.js';
import { ansibleSettings } from '../shared/ansible-config.js';
import { isModule } from '../modules/registry.js';
import { checkTemplateSyntax, hasTemplate } from '../template/render.js';
import { inherit, parseEntry } from './block.js';
import { HOST_ORDERS, PLAY_KEYS, TASK_KEYS, UNSUPPORTED_PLAY_KEYS, VARS_PROMPT_KEYS } from './keywords.js';
import { describe, type Field, fieldsOf, posOf, resolve, type Source } from './positions.js';
import { parseRolesField } from './role.js';
import {
  bool,
  boolOrTemplate,
  envMap,
  expected,
  fail,
  identifier,
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
import { collectionsOf, moduleDefaultsOf, type ParsedTask, remoteUserOf, type TaskScope, throttleOf } from './task.js';
import type { Play, Task, VarsPrompt } from './types.js';
import { varsFilePath } from './vars-path.js';

// A play is checked whole, tasks and handlers included, so a typo in the last task stops the run at load.
export function parsePlay(src: Source, node: Node | null, baseDir: string): Play {
  const at = posOf(src, node);
  if (!isMap(node)) fail(at, `a play must be a map, not ${describe(node)}`, 'start each play with "- hosts: all"');
  const kw = new Map<string, Field>();
  for (const f of fieldsOf(src, node)) {
    if ((PLAY_KEYS as readonly string[]).includes(f.key)) kw.set(f.key, f);
    else if (f.key === 'become_method' && sudoMethod(f)) continue;
    else rejectPlayKey(f);
  }
  const hostsF = kw.get('hosts');
  if (!hostsF) fail(at, 'play has no "hosts"', 'add hosts: all, or the inventory group to run on');
  const hosts = strList(src, hostsF, 'hosts: webservers').values.join(',');
  if (hosts === '') expected(hostsF, 'a host pattern or a list of them', 'hosts: webservers');
  if (hasTemplate(hosts)) checkTemplateSyntax(hosts, hostsF.at);
  const tags = opt(kw, 'tags', (f) => tagList(src, f)) ?? [];
  const play: Play = {
    name: opt(kw, 'name', (f) => str(f, 'name: Configure web servers')) ?? hosts,
    hosts,
    at,
    baseDir,
    vars: opt(kw, 'vars', (f) => varsMap(src, f)) ?? {},
    varsFiles: opt(kw, 'vars_files', (f) => varsFiles(src, f, baseDir)) ?? [],
    // ansible.cfg's gathering (explicit: off unless asked) and become are the defaults, as in Ansible
    gatherFacts: opt(kw, 'gather_facts', bool) ?? ansibleSettings().gathering !== 'explicit',
    become: opt(kw, 'become', boolOrTemplate) ?? ansibleSettings().become ?? false,
    connection: opt(kw, 'connection', (f) => oneOf(f, ['ssh', 'local'] as const)) ?? 'ssh',
    tasks: [],
    handlers: [],
    serial: opt(kw, 'serial', (f) => serialOf(src, f)) ?? [],
    // a template (kubespray's "{{ any_errors_fatal | default(true) }}") is rendered when the play starts
    anyErrorsFatal: opt(kw, 'any_errors_fatal', boolOrTemplate) ?? false,
    strategy: opt(kw, 'strategy', (f) => oneOf(f, ['linear', 'free'] as const)) ?? 'linear',
    tags,
  };
  const becomeUser = opt(kw, 'become_user', (f) => str(f, 'become_user: postgres'));
  if (becomeUser !== undefined) {
    if (hasTemplate(becomeUser)) checkTemplateSyntax(becomeUser, kw.get('become_user')!.at);
    play.becomeUser = becomeUser;
  }
  const environment = opt(kw, 'environment', (f) => envMap(src, f));
  if (environment) play.environment = environment;
  const maxFail = opt(kw, 'max_fail_percentage', (f) => number(f, 0, 100));
  if (maxFail !== undefined) play.maxFailPercentage = maxFail;
  const optional: Partial<Play> = {
    remoteUser: opt(kw, 'remote_user', remoteUserOf),
    throttle: opt(kw, 'throttle', throttleOf),
    ignoreUnreachable: opt(kw, 'ignore_unreachable', bool),
    diff: opt(kw, 'diff', bool),
    order: opt(kw, 'order', (f) => oneOf(f, HOST_ORDERS)),
    varsPrompt: opt(kw, 'vars_prompt', (f) => varsPromptOf(src, f)),
    gatherSubset: opt(kw, 'gather_subset', (f) => gatherSubsetOf(src, f)),
    gatherTimeout: opt(kw, 'gather_timeout', (f) => number(f, 1, 3600)),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(play, { [k]: v });
  opt(kw, 'collections', (f) => collectionsOf(src, f));
  const moduleDefaults = opt(kw, 'module_defaults', (f) => moduleDefaultsOf(src, f));
  // Order of a play, as in Ansible: pre_tasks, roles, tasks, post_tasks; role handlers join the play's.
  const roleHandlers: ParsedTask[] = [];
  const playRoles: NonNullable<TaskScope['playRoles']> = [];
  const taskScope: TaskScope = { handler: false, playTags: tags, baseDir, roleHandlers, rolesSeen: new Set(), moduleDefaults, playRoles };
  const pre = opt(kw, 'pre_tasks', (f) => taskList(src, f, taskScope)) ?? [];
  const roles = opt(kw, 'roles', (f) => parseRolesField(src, f, baseDir, taskScope)) ?? { tasks: [], handlers: [] };
  const main = opt(kw, 'tasks', (f) => taskList(src, f, taskScope)) ?? [];
  const post = opt(kw, 'post_tasks', (f) => taskList(src, f, taskScope)) ?? [];
  const tasks = [...pre, ...roles.tasks, ...main, ...post];
  // run_once, ignore_errors, no_log and check_mode on the play go to every one of its tasks (a task's own wins).
  const down = {
    when: [],
    tags: [],
    vars: {},
    runOnce: opt(kw, 'run_once', boolOrTemplate),
    ignoreErrors: opt(kw, 'ignore_errors', boolOrTemplate),
    noLog: opt(kw, 'no_log', noLogOf),
    checkMode: opt(kw, 'check_mode', bool),
  };
  if (down.runOnce !== undefined || down.ignoreErrors !== undefined || down.noLog !== undefined || down.checkMode !== undefined)
    for (const t of tasks) inherit(t.task, down);
  const own = opt(kw, 'handlers', (f) => taskList(src, f, { handler: true, playTags: tags, baseDir, moduleDefaults })) ?? [];
  const handlers = [...roles.handlers, ...roleHandlers, ...own];
  checkNotify([...tasks, ...handlers], handlers);
  play.tasks = tasks.map((t) => t.task);
  play.handlers = handlers.map((t) => t.task);
  exposeRoleVars([...play.tasks, ...play.handlers], playRoles);
  return play;
}

/**
 * As Ansible (private_role_vars off, its default): the defaults and vars of every role a play reads at load reach all
 * its tasks — a role's own stay above the others', and a role's tasks see its dependencies' (kubespray's
 * validate_inventory reads kubespray_defaults'). Defaults stay the lowest layer; role vars sit with the task's vars.
 */
function exposeRoleVars(tasks: Task[], roles: NonNullable<TaskScope['playRoles']>): void {
  const defaults = Object.assign({}, ...roles.map((r) => r.defaults));
  const vars = Object.assign({}, ...roles.map((r) => r.vars));
  const some = (o: object) => Object.keys(o).length > 0;
  if (!some(defaults) && !some(vars)) return;
  for (const t of tasks) {
    if (some(defaults)) t.roleDefaults = { ...defaults, ...t.roleDefaults };
    if (some(vars)) t.vars = { ...vars, ...t.vars };
  }
}

// vars_prompt: [{ name, prompt, default, private, confirm }]; asked before the run (src/playbook/prompt.ts).
function varsPromptOf(src: Source, f: Field): VarsPrompt[] {
  if (f.node === null) return [];
  if (!isSeq(f.node)) expected(f, 'a list of prompts', 'vars_prompt: [ { name: release, prompt: "Release?", default: "1.0" } ]');
  return f.node.items.map((item) => {
    const node = resolve(src, item);
    const at = posOf(src, item);
    if (!isMap(node))
      fail(at, `each vars_prompt entry must be a map, not ${describe(node)}`, 'for example: - { name: release, prompt: "Release?" }');
    const kw = new Map<string, Field>();
    for (const c of fieldsOf(src, node)) {
      if (!(VARS_PROMPT_KEYS as readonly string[]).includes(c.key))
        fail(
          c.keyAt,
          `unknown key "${c.key}" in vars_prompt`,
          didYouMean(c.key, VARS_PROMPT_KEYS) ?? `vars_prompt takes ${VARS_PROMPT_KEYS.join(', ')}`,
        );
      kw.set(c.key, c);
    }
    for (const k of ['encrypt', 'salt', 'salt_size'] as const) {
      const c = kw.get(k);
      if (c)
        fail(
          c.keyAt,
          `vars_prompt "${k}" is not supported`,
          'runbook does not hash prompted values: remove it, and hash the value in the task that needs it',
        );
    }
    const unsafe = opt(kw, 'unsafe', bool);
    if (unsafe) fail(kw.get('unsafe')!.keyAt, 'vars_prompt "unsafe: true" is not supported', 'remove it; do not type {{ }} in the answer');
    const nameF = kw.get('name');
    if (!nameF) fail(at, 'this vars_prompt entry has no name', 'add name: the variable that receives the answer');
    const name = identifier(nameF);
    const p: VarsPrompt = {
      name,
      prompt: opt(kw, 'prompt', (c) => str(c, 'prompt: "Release?"')) ?? name,
      private: opt(kw, 'private', bool) ?? true,
      confirm: opt(kw, 'confirm', bool) ?? false,
      at,
    };
    const d = kw.get('default');
    if (d && !isEmptyValue(d)) p.default = isScalar(d.node) ? d.node.value : str(d, 'default: "1.0"');
    return p;
  });
}

function isEmptyValue(f: Field): boolean {
  return f.node === null || (isScalar(f.node) && f.node.value === null);
}

function rejectPlayKey(f: Field): never {
  const unsupported = UNSUPPORTED_PLAY_KEYS[f.key];
  if (unsupported) fail(f.keyAt, `"${f.key}" is not supported yet`, unsupported);
  const playKey = didYouMean(f.key, PLAY_KEYS);
  if (playKey) fail(f.keyAt, `unknown play key "${f.key}"`, playKey);
  if ((TASK_KEYS as readonly string[]).includes(f.key) || isModule(f.key)) {
    fail(f.keyAt, `"${f.key}" belongs in a task, not directly in the play`, 'indent it under tasks: as part of a "- name: ..." entry');
  }
  return fail(f.keyAt, `unknown play key "${f.key}"`, `a play takes: ${PLAY_KEYS.join(', ')}`);
}

function taskList(src: Source, f: Field, scope: TaskScope): ParsedTask[] {
  if (f.node === null) return [];
  if (!isSeq(f.node)) expected(f, 'a list of tasks', `${f.key}: [ { name: hello, shell: echo hi } ]`);
  return f.node.items.flatMap((item) => parseEntry(src, item, scope));
}

// A notify that reaches no handler would silently do nothing; Ansible only notices at run time.
function checkNotify(all: ParsedTask[], handlers: ParsedTask[]): void {
  const names = new Set(handlers.flatMap(({ task }) => [...(task.name ? [task.name] : []), ...task.listen]));
  for (const { task, notifyAts } of all) {
    task.notify.forEach((n, i) => {
      if (names.has(n) || hasTemplate(n)) return;
      const dym = didYouMean(n, names);
      const known = [...names].map((h) => `"${h}"`).join(', ');
      const hint =
        names.size === 0
          ? `this play has no handlers; add a handlers: entry named "${n}"`
          : `${dym ? `${dym} ` : ''}handlers in this play: ${known}`;
      fail(notifyAts[i], `notify "${n}" matches no handler`, hint);
    });
  }
}

// Relative to the playbook (or its vars/ folder); checked now unless templated (then it is only known per host). An
// entry that is a list names candidates, the first found is read, as in Ansible: ["vars/{{ ansible_os_family }}.yml",
// "vars/default.yml"].
function varsFiles(src: Source, f: Field, baseDir: string): (string | string[])[] {
  if (f.node === null) return [];
  const items = isSeq(f.node) ? f.node.items : [f.node];
  return items.map((item) => {
    const node = resolve(src, item);
    if (isSeq(node)) {
      const list = strList(src, { ...f, node }, 'vars_files: [["vars/{{ ansible_os_family }}.yml", vars/default.yml]]');
      if (!list.values.length)
        fail(posOf(src, item), 'a list in "vars_files" needs at least one file', 'for example: [vars/a.yml, vars/b.yml]');
      const checked = list.values.map((v, i) => checkedVarsFile(v, list.ats[i]!, baseDir, false));
      if (checked.every((v) => !hasTemplate(v) && !existsSync(v)))
        fail(
          posOf(src, item),
          `none of these vars files is found: ${checked.join(', ')}`,
          `vars_files paths are relative to the playbook's directory (${baseDir})`,
        );
      return checked;
    }
    const one = strList(src, { ...f, node }, 'vars_files: [vars/common.yml]');
    return checkedVarsFile(one.values[0]!, one.ats[0]!, baseDir, true);
  });
}

function checkedVarsFile(v: string, at: Location, baseDir: string, mustExist: boolean): string {
  if (hasTemplate(v)) {
    checkTemplateSyntax(v, at);
    return v;
  }
  const path = varsFilePath(baseDir, v);
  if (mustExist && !existsSync(path))
    fail(at, `vars file not found: ${path}`, `vars_files paths are relative to the playbook's directory (${baseDir})`);
  return path;
}

// serial: 2, serial: "30%", or a list of those cycled batch by batch.
function serialOf(src: Source, f: Field): (number | string)[] {
  if (f.node === null || (isSeq(f.node) && f.node.items.length === 0))
    expected(f, 'a host count, a percentage, or a list of those', 'serial: [1, "30%"]');
  const items = isSeq(f.node) ? f.node.items : [f.node];
  return items.map((item) => {
    const node = resolve(src, item);
    const v = isScalar(node) ? node.value : undefined;
    const text = typeof v === 'string' ? v.trim() : undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
    if (text && /^\d+$/.test(text) && Number(text) >= 1) return Number(text);
    const pct = text ? /^(\d+(?:\.\d+)?)\s*%$/.exec(text) : null;
    if (pct && Number(pct[1]) > 0 && Number(pct[1]) <= 100) return `${pct[1]}%`;
    return fail(
      posOf(src, item),
      `"serial" takes a host count of at least 1 or a percentage up to "100%", not ${describe(node)}`,
      'for example: serial: 2, serial: "30%" or serial: [1, "50%"]',
    );
  });
}

/**
 * gather_subset: a list (or one string) of Ansible's subset and collector names, `!` to leave one out. A play's string
 * is one entry in Ansible, not split at commas: `"!all,!min,network"` is an unknown name left out, so Ansible gathers
 * min, not what the line says. Refused here with the list to write instead, as an unknown name is.
 */
function gatherSubsetOf(src: Source, f: Field): string[] {
  const got = strList(src, f, 'gather_subset: [min, network]');
  got.values.forEach((entry, i) => {
    if (entry.includes(','))
      fail(
        got.ats[i]!,
        `gather_subset: "${entry}" is one name to Ansible: a play's string is not split at commas (Ansible would gather min)`,
        `write a list: gather_subset: [${entry
          .split(',')
          .map((e) => JSON.stringify(e.trim()))
          .join(', ')}]`,
      );
    if (badSubset(entry))
      fail(
        got.ats[i]!,
        `gather_subset: "${entry}" is not a subset Ansible knows`,
        `use ${FACT_SUBSETS.join(', ')} or a collector name (or !name to leave one out)`,
      );
  });
  return got.values.map((e) => e.trim());
}
