// One play map → a validated Play: its keys, its task lists, and notify names that reach a handler.
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { didYouMean } from '../errors.js';
import { isModule } from '../modules/registry.js';
import { checkTemplateSyntax, hasTemplate } from '../template/render.js';
import { PLAY_KEYS, TASK_KEYS, UNSUPPORTED_PLAY_KEYS } from './keywords.js';
import { describe, type Field, fieldsOf, posOf, resolve, type Source } from './positions.js';
import { bool, envMap, expected, fail, number, oneOf, opt, str, strList, tagList, varsMap } from './schema.js';
import { parseEntry } from './block.js';
import { parseRolesField } from './role.js';
import type { ParsedTask, TaskScope } from './task.js';
import type { Play } from './types.js';

// A play is checked whole, tasks and handlers included, so a typo in the last task stops the run at load.
export function parsePlay(src: Source, node: Node | null, baseDir: string): Play {
  const at = posOf(src, node);
  if (!isMap(node)) fail(at, `a play must be a map, not ${describe(node)}`, 'start each play with "- hosts: all"');
  const kw = new Map<string, Field>();
  for (const f of fieldsOf(src, node)) {
    if ((PLAY_KEYS as readonly string[]).includes(f.key)) kw.set(f.key, f);
    else rejectPlayKey(f);
  }
  const hostsF = kw.get('hosts');
  if (!hostsF) fail(at, 'play has no "hosts"', 'add hosts: all, or the inventory group to run on');
  const hosts = strList(src, hostsF, 'hosts: webservers').values.join(',');
  if (hosts === '') expected(hostsF, 'a host pattern or a list of them', 'hosts: webservers');
  const tags = opt(kw, 'tags', (f) => tagList(src, f)) ?? [];
  const play: Play = {
    name: opt(kw, 'name', (f) => str(f, 'name: Configure web servers')) ?? hosts,
    hosts,
    at,
    baseDir,
    vars: opt(kw, 'vars', (f) => varsMap(src, f)) ?? {},
    varsFiles: opt(kw, 'vars_files', (f) => varsFiles(src, f, baseDir)) ?? [],
    gatherFacts: opt(kw, 'gather_facts', bool) ?? true,
    become: opt(kw, 'become', bool) ?? false,
    connection: opt(kw, 'connection', (f) => oneOf(f, ['ssh', 'local'] as const)) ?? 'ssh',
    tasks: [],
    handlers: [],
    serial: opt(kw, 'serial', (f) => serialOf(src, f)) ?? [],
    anyErrorsFatal: opt(kw, 'any_errors_fatal', bool) ?? false,
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
  // Order of a play, as in Ansible: pre_tasks, roles, tasks, post_tasks; role handlers join the play's.
  const roleHandlers: ParsedTask[] = [];
  const taskScope: TaskScope = { handler: false, playTags: tags, baseDir, roleHandlers, rolesSeen: new Set() };
  const pre = opt(kw, 'pre_tasks', (f) => taskList(src, f, taskScope)) ?? [];
  const roles = opt(kw, 'roles', (f) => parseRolesField(src, f, baseDir, taskScope)) ?? { tasks: [], handlers: [] };
  const main = opt(kw, 'tasks', (f) => taskList(src, f, taskScope)) ?? [];
  const post = opt(kw, 'post_tasks', (f) => taskList(src, f, taskScope)) ?? [];
  const tasks = [...pre, ...roles.tasks, ...main, ...post];
  const own = opt(kw, 'handlers', (f) => taskList(src, f, { handler: true, playTags: tags, baseDir })) ?? [];
  const handlers = [...roles.handlers, ...roleHandlers, ...own];
  checkNotify([...tasks, ...handlers], handlers);
  play.tasks = tasks.map((t) => t.task);
  play.handlers = handlers.map((t) => t.task);
  return play;
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

// Relative to the playbook; checked now unless templated (then it is only known per host).
function varsFiles(src: Source, f: Field, baseDir: string): string[] {
  const { values, ats } = strList(src, f, 'vars_files: [vars/common.yml]');
  return values.map((v, i) => {
    if (hasTemplate(v)) {
      checkTemplateSyntax(v, ats[i]);
      return v;
    }
    const path = resolvePath(baseDir, v);
    if (!existsSync(path))
      fail(ats[i], `vars file not found: ${path}`, `vars_files paths are relative to the playbook's directory (${baseDir})`);
    return path;
  });
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
