// One item of a task on one host: render → parse → plan (probe) → apply, with until/retries and the *_when
// rules; plans can also be made ahead of their turn (see speculate.ts) and finished later.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConnectError, RunbookError } from '../errors.js';
import { evalBool, evaluate } from '../expr/eval.js';
import { markUnsafe } from '../jinja/runtime.js';
import type { ExecResult, ModuleDef, Plan, Probe, TaskContext } from '../modules/types.js';
import { IDENTIFIER } from '../playbook/schema.js';
import { POLL_ZERO } from '../playbook/task.js';
import type { Task } from '../playbook/types.js';
import type { Connection } from '../remote/connection.js';
import { quote } from '../remote/quote.js';
import { ansibleSettings } from '../shared/ansible-config.js';
import { renderFile, renderValue } from '../template/render.js';
import { type Applied, applyPlan } from './apply.js';
import { templatedBool } from './bool.js';
import { errorText } from './error-text.js';
import type { TaskStatus } from './events.js';
import { EVERYTHING, type Footprint, footprintOf } from './footprint.js';
import { expandLookup } from './loops.js';
import { resolveLocal } from './paths.js';
import { ProbeBatcher } from './probe-batch.js';
import { runSession } from './session.js';
import type { TaskEnv } from './task.js';

export function loopItems(t: Task, vars: Record<string, unknown>, baseDir?: string): unknown[] | undefined {
  if (t.loop === undefined) return undefined;
  // lookup('file', …) in a loop looks where it does in the task's args
  const dirs = lookupDirs(t, { baseDir: baseDir ?? (t.at.file ? dirname(t.at.file) : process.cwd()) });
  let items = renderValue(t.loop, vars, { at: t.at, dirs });
  // with_<lookup>: the rendered terms go through the lookup (a plain string is a literal term, as in Ansible).
  if (t.loopLookup)
    return expandLookup(t.loopLookup, items, {
      at: t.at,
      baseDir: t.loopBaseDir ?? process.cwd(),
      roleDir: t.roleDir,
      groups: vars.groups,
    });
  // A bare expression (`loop: packages`) is evaluated; what a {{ }} template rendered to is not re-read.
  if (typeof items === 'string' && typeof t.loop === 'string' && !t.loop.includes('{{')) {
    const e = evaluate(items, vars, t.at);
    if (Array.isArray(e)) items = e;
  }
  if (!Array.isArray(items))
    throw new RunbookError(
      `loop must be a list, got ${typeof items === 'string' ? `the string ${JSON.stringify(items.slice(0, 60))}` : typeof items}`,
      {
        at: t.at,
        hint: 'give loop a YAML list or a variable that holds one',
      },
    );
  return items;
}

/** Whether a task runs through sudo on this host, and as whom. */
export interface BecomeAs {
  become: boolean;
  /** Absent: root. */
  becomeUser?: string;
}

/**
 * become: the task's, else the play's, else the host's ansible_become (true/yes/1). become_user: the task's, else the play's, else the host's
 * ansible_become_user, else ansible.cfg's become_user, else root; templates in it are rendered per host (and per loop item).
 */
export function becomeOf(t: Task, host: string, vars: Record<string, unknown>, env: TaskEnv): BecomeAs {
  const flag = (v: boolean | string | undefined) => (v === undefined ? undefined : templatedBool(v, vars, t.at, host));
  const become = flag(t.become) ?? (flag(env.become) || varTrue(vars.ansible_become));
  if (!become) return { become };
  const method = vars.ansible_become_method;
  if (method !== undefined && method !== null && String(method).trim() !== 'sudo')
    throw new RunbookError(`ansible_become_method is ${JSON.stringify(method)}: runbook becomes with sudo only`, {
      at: t.at,
      hint: 'set ansible_become_method: sudo (or remove it) for this host, with sudo on the host',
    });
  const raw = t.becomeUser ?? env.becomeUser ?? vars.ansible_become_user ?? ansibleSettings().becomeUser;
  if (raw === undefined || raw === null || raw === '') return { become };
  const user = String(renderValue(raw, vars, { at: t.at, host })).trim();
  if (user === '' || /[\s:'"\\]/.test(user)) {
    throw new RunbookError(`become_user must be a user name, got ${JSON.stringify(user)}`, {
      at: t.at,
      hint: 'set become_user (task or play) or ansible_become_user to the name of the user to become, e.g. postgres',
    });
  }
  return { become, becomeUser: user };
}

// Inventory booleans arrive as YAML booleans, or as strings from INI files and -e.
function varTrue(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v.trim()));
}

function probeOver(conn: Connection | undefined, as: BecomeAs, timeout?: number): Probe {
  const need = (): Connection => {
    if (!conn) throw new RunbookError('internal: a local module tried to probe a host');
    return conn;
  };
  return {
    run: (cmd) => need().exec(cmd, { ...as, timeout }),
    readFile: (path) => need().readFile(path, as),
  };
}

function contextFor(t: Task, host: string, vars: Record<string, unknown>, env: TaskEnv): TaskContext {
  return {
    host,
    vars,
    check: env.check,
    diff: env.diff,
    baseDir: env.baseDir,
    at: t.at,
    renderFile: (p) => renderFile(resolveLocal(p, env.baseDir, 'templates', t.roleDir), vars, host, { dirs: lookupDirs(t, env) }),
    localPath: (p, folder = 'files') => resolveLocal(p, env.baseDir, folder, t.roleDir),
    readLocal: (p) => {
      const path = resolveLocal(p, env.baseDir, 'files', t.roleDir);
      return readLocalFile(path, t);
    },
    test: (expr) => evalBool(expr, vars, t.at, host, { dirs: lookupDirs(t, env) }),
  };
}

/** Where lookup('file'/'template') and relative template includes look: the role's folder, then the playbook's. */
export function lookupDirs(t: Task, env: { baseDir: string }): string[] {
  return t.roleDir ? [t.roleDir, env.baseDir, dirname(env.baseDir)] : [env.baseDir, dirname(env.baseDir)];
}

function readLocalFile(path: string, t: Task): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new RunbookError(`cannot read ${path}: ${(e as Error).message}`, {
      at: t.at,
      hint: 'put the file next to the playbook or in files/',
    });
  }
}

export interface ItemResult {
  status: TaskStatus;
  result: Record<string, unknown>;
  facts?: Record<string, unknown>;
  msg?: string;
  diff?: Plan['diff'];
  cmd?: string;
  /** steps ran on the host: later items' speculative plans are stale */
  applied?: boolean;
  /** What the applied steps can have changed (footprint.ts); absent with applied: anything. */
  writes?: readonly string[];
}

export interface Planned {
  plan: Plan;
  conn?: Connection;
  check: boolean;
  as: BecomeAs;
  timeout?: number;
  /** `export NAME='value'; ` for the task's environment:, put before every command it runs. */
  envPrefix?: string;
  /** Output lines of the task's commands as they run (the live view at -v). */
  onOutput?: (chunk: string) => void;
  /** network safety: saves/arms the host before the steps run (src/executor/safety/guard.ts). */
  guard?: () => Promise<string | undefined>;
  /** What the plan read on the host and what its steps can change (footprint.ts). */
  footprint: Footprint;
}

/** The play's and the task's environment: rendered for this host, as a shell prefix (undefined when empty). */
export function envPrefixOf(t: Task, host: string, vars: Record<string, unknown>, env: TaskEnv): string | undefined {
  if (!env.environment && !t.environment) return undefined;
  const given = { ...env.environment, ...t.environment };
  // a templated environment (schema.ts envMap) is rendered to its map here and merged in its place
  const all: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    if (!k.startsWith('{{')) {
      all[k] = v;
      continue;
    }
    const m = renderValue(v, vars, { at: t.at, host });
    if (m === '' || m === null || m === undefined) continue;
    if (typeof m !== 'object' || Array.isArray(m))
      throw new RunbookError(`environment ${k} rendered to ${JSON.stringify(m)?.slice(0, 80)}, not a map of variables`, {
        at: t.at,
        hint: 'make the variable a map, e.g. proxy_env: { http_proxy: "http://proxy:3128" }',
      });
    for (const [name, value] of Object.entries(m as Record<string, unknown>)) {
      if (!IDENTIFIER.test(name))
        throw new RunbookError(`environment ${k} gave "${name}", which is no environment variable name`, {
          at: t.at,
          hint: 'use letters, digits and underscores',
        });
      all[name] = value;
    }
  }
  const names = Object.keys(all);
  if (!names.length) return undefined;
  const rendered = renderValue(all, vars, { at: t.at, host }) as Record<string, unknown>;
  const parts = names.map((k) => {
    const v = rendered[k];
    if (v !== null && typeof v === 'object') {
      throw new RunbookError(`environment variable ${k} rendered to a ${Array.isArray(v) ? 'list' : 'map'}, not a value`, {
        at: t.at,
        hint: 'give it a string, or join the list into one: {{join xs ","}}',
      });
    }
    return `export ${k}=${quote(v === null || v === undefined ? '' : String(v))}; `;
  });
  return parts.join('');
}

// Every command of the task, its probes included, runs with the environment (each in its own shell).
function withEnv(p: Probe, prefix: string | undefined): Probe {
  return prefix ? { run: (cmd) => p.run(prefix + cmd), readFile: (path) => p.readFile(path) } : p;
}

/** Render, parse, connect and plan one item: read-only, so loop items can plan together. */
export async function planItem(
  def: ModuleDef<unknown>,
  t: Task,
  host: string,
  vars: Record<string, unknown>,
  env: TaskEnv,
  probe?: Probe,
): Promise<Planned> {
  const args = renderValue(t.args, vars, { at: t.at, host, dirs: lookupDirs(t, env) });
  const parsed = def.parse(args, t.at);
  const as = becomeOf(t, host, vars, env);
  const timeout = asyncBudget(t, vars, host) ?? taskTimeout(t, vars, host) ?? env.defaultTimeout;
  const target = t.delegateTo ? String(renderValue(t.delegateTo, vars, { at: t.at, host })) : host;
  const check = t.checkMode ?? env.check;
  const conn = def.local ? undefined : await env.connect(target);
  const envPrefix = envPrefixOf(t, host, vars, env);
  // Probes a module issues together (a stat and a read) share one round trip at its turn too.
  const own = probe ?? (conn ? new ProbeBatcher(conn, { ...as, timeout }) : probeOver(conn, as, timeout));
  const plan = await def.plan(parsed, withEnv(own, envPrefix), contextFor(t, host, vars, check === env.check ? env : { ...env, check }));
  const onOutput = env.output && !t.noLog ? lineSink((line) => env.output!(host, line)) : undefined;
  // network safety: only on the host itself (not delegated), with the rendered args and the plan
  const guard =
    env.beforeApply && conn && target === host
      ? () =>
          env.beforeApply!({ host, task: { name: t.name ?? t.module, module: t.module, network: t.network }, args: parsed, plan, conn, as })
      : undefined;
  // A delegated task changes another host: counted as changing anything, as before footprints.
  const declared = target === host ? footprintOf(t.module, parsed) : EVERYTHING;
  const footprint = target === host && plan.writes ? { reads: declared.reads, writes: plan.writes } : declared;
  return { plan, conn, check, as, timeout, envPrefix, onOutput, guard, footprint };
}

/** Turn a plan into a result, applying its steps unless in check mode. */
/** Whole lines only: a secret split across two chunks would escape the masking of each. */
function lineSink(emit: (line: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const parts = (partial + chunk).split(/\r?\n|\r/);
    partial = parts.pop() ?? '';
    if (partial.length > 4096) partial = partial.slice(-4096);
    for (const l of parts) if (l.trim()) emit(l);
  };
}

/** `done`: the steps were already applied, merged with other loop items' (merge.ts). */
export async function finishItem(
  { plan, conn, check, as, timeout, envPrefix, onOutput, guard, footprint }: Planned,
  done?: Applied,
): Promise<ItemResult> {
  const base: Record<string, unknown> = { changed: false, failed: false, ...(plan.result ?? {}) };
  if (plan.failed) return { status: 'failed', result: { ...base, failed: true, msg: plan.failed }, msg: plan.failed };
  if (plan.skipped) return { status: 'skipped', result: { ...base, skipped: true, msg: plan.skipped }, msg: plan.skipped };
  // network safety; a merged apply (done) ran the guard before it
  // (the gate it returns keeps every command of the task off a host that has already put itself back)
  const gate =
    guard && !done && !check && (plan.always?.length || plan.session || (plan.changed && plan.steps?.length)) ? await guard() : undefined;
  if (plan.always?.length && !check) await applyPlan({ changed: false, steps: plan.always }, conn!, { ...as, timeout, envPrefix, gate });
  if (plan.session && !check) return runSession(plan, conn!, { ...as, timeout, envPrefix }, base);
  if (!plan.changed || !plan.steps?.length) {
    const status: TaskStatus = plan.changed ? 'changed' : 'ok';
    const msg = (plan.result?.msg as string | undefined) ?? plan.note;
    return { status, result: { ...base, changed: plan.changed, msg }, facts: plan.facts, msg, diff: plan.diff };
  }
  const captures = plan.steps.some((s) => s.kind === 'exec' && s.capture);
  if (check) {
    if (captures) return { status: 'skipped', result: { ...base, skipped: true, msg: 'skipped in check mode' }, msg: 'check mode' };
    return { status: 'changed', result: { ...base, changed: true, msg: plan.note }, msg: plan.note, diff: plan.diff };
  }
  const applied = done ?? (await applyPlan(plan, conn!, { ...as, timeout, envPrefix, onOutput, gate }));
  const res: Record<string, unknown> = { ...base, changed: true, msg: plan.result?.msg ?? plan.note };
  if (applied.captured) Object.assign(res, execFields(applied.captured, applied.cmd));
  const failed = applied.captured ? applied.captured.code !== 0 : false;
  if (failed) {
    res.failed = true;
    res.msg = `non-zero return code (rc=${applied.captured!.code})`;
  }
  return {
    status: failed ? 'failed' : 'changed',
    result: res,
    facts: plan.facts,
    msg: res.msg as string | undefined,
    diff: plan.diff,
    cmd: applied.cmd,
    applied: true,
    writes: footprint.writes,
  };
}

async function runOnce(def: ModuleDef<unknown>, t: Task, host: string, vars: Record<string, unknown>, env: TaskEnv): Promise<ItemResult> {
  return finishItem(await planItem(def, t, host, vars, env));
}

/** A thrown error as an item result; a lost connection stays an exception (the host is unreachable). */
export function failedItem(e: unknown): ItemResult {
  if (e instanceof ConnectError) throw e;
  const msg = errorText(e);
  return { status: 'failed', result: { changed: false, failed: true, msg }, msg };
}

function execFields(r: ExecResult, cmd?: string): Record<string, unknown> {
  const stdout = r.stdout.replace(/\n$/, '');
  const stderr = r.stderr.replace(/\n$/, '');
  return {
    rc: r.code,
    stdout,
    stderr,
    stdout_lines: stdout === '' ? [] : stdout.split('\n'),
    stderr_lines: stderr === '' ? [] : stderr.split('\n'),
    cmd,
  };
}

/** Applies changed_when / failed_when, which see the result under its register name. */
export function judge(t: Task, r: ItemResult, vars: Record<string, unknown>): ItemResult {
  if (r.status === 'skipped' || (!t.changedWhen.length && !t.failedWhen.length)) return r;
  const scope = { ...vars, ...(t.register ? { [t.register]: markUnsafe(r.result) } : {}), result: r.result };
  let status = r.status;
  if (t.changedWhen.length) {
    const ch = evalBool(t.changedWhen, scope, t.at);
    r.result.changed = ch;
    if (status !== 'failed') status = ch ? 'changed' : 'ok';
  }
  if (t.failedWhen.length) {
    const f = evalBool(t.failedWhen, scope, t.at);
    r.result.failed = f;
    if (f) status = 'failed';
    else if (status === 'failed') status = r.result.changed ? 'changed' : 'ok';
  }
  return { ...r, status };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runItem(
  def: ModuleDef<unknown>,
  t: Task,
  host: string,
  vars: Record<string, unknown>,
  env: TaskEnv,
): Promise<ItemResult> {
  let attempts = 1;
  let delay = 0;
  if (t.until.length) {
    try {
      attempts = wholeNumber(t, t.retries ?? 3, 'retries', 0, vars, host) + 1;
      delay = wholeNumber(t, t.delay ?? 5, 'delay', 0, vars, host);
    } catch (e) {
      return failedItem(e);
    }
  }
  let last: ItemResult | undefined;
  for (let i = 1; i <= attempts; i++) {
    try {
      last = judge(t, await runOnce(def, t, host, vars, env), vars);
    } catch (e) {
      last = failedItem(e);
    }
    if (!t.until.length) break;
    last.result.attempts = i;
    const scope = { ...vars, ...(t.register ? { [t.register]: markUnsafe(last.result) } : {}), result: last.result };
    let done = false;
    try {
      done = evalBool(t.until, scope, t.at);
    } catch {
      done = false;
    }
    if (done) break;
    if (i < attempts) await sleep(delay * 1000);
    else last = { ...last, status: 'failed', msg: `until condition never held after ${attempts} attempts` };
  }
  return last!;
}

/** A task keyword that takes a whole number or a template of one (async, poll, retries, delay), for this host. */
const UNITS: Record<string, string> = { retries: '', throttle: ' of hosts' };

export function wholeNumber(t: Task, v: number | string, key: string, min: number, vars: Record<string, unknown>, host: string): number {
  const n = typeof v === 'number' ? v : Number(String(renderValue(v, vars, { at: t.at, host })).trim());
  if (!Number.isInteger(n) || n < min)
    throw new RunbookError(`${key} must be a whole number${UNITS[key] ?? ' of seconds'}, at least ${min}: got ${JSON.stringify(v)}`, {
      at: t.at,
      hint: `e.g. ${key}: ${key === 'async' ? 600 : 3}`,
    });
  return n;
}

/** The task's timeout: in seconds, for this host. */
export const taskTimeout = (t: Task, vars: Record<string, unknown>, host: string): number | undefined =>
  t.timeout === undefined ? undefined : wholeNumber(t, t.timeout, 'timeout', 1, vars, host);

/**
 * async: N (with poll above 0) is Ansible's "may run N seconds, checked every poll seconds": runbook waits for the
 * task on its connection, so N is the task's timeout (the smaller, with a timeout: as well). A poll that renders 0
 * (fire and forget) fails the task.
 */
export function asyncBudget(t: Task, vars: Record<string, unknown>, host: string): number | undefined {
  if (t.async === undefined) return undefined;
  const num = (v: number | string, key: string, min: number) => wholeNumber(t, v, key, min, vars, host);
  if (t.poll !== undefined && num(t.poll, 'poll', 0) === 0)
    throw new RunbookError(POLL_ZERO, { at: t.at, hint: 'remove poll: 0, or set poll above 0' });
  const budget = num(t.async, 'async', 1);
  const timeout = taskTimeout(t, vars, host);
  return timeout === undefined ? budget : Math.min(timeout, budget);
}
