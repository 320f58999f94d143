// One task on one host: render → parse → plan (probe) → apply, with loop, until/retries and the *_when rules.
import { readFileSync } from 'node:fs';
import { ConnectError, RunbookError, formatLocation } from '../errors.js';
import { evalBool, evaluate } from '../expr/eval.js';
import { lookup } from '../modules/registry.js';
import type { ExecResult, ModuleDef, Plan, Probe, TaskContext } from '../modules/types.js';
import type { Task } from '../playbook/types.js';
import type { Connection } from '../remote/connection.js';
import { renderFile, renderValue } from '../template/render.js';
import type { TaskResultEvent, TaskStatus } from './events.js';
import { resolveLocal } from './paths.js';
import { applyPlan } from './apply.js';

export interface TaskEnv {
  play: string;
  baseDir: string;
  check: boolean;
  diff: boolean;
  become: boolean;
  defaultTimeout?: number;
  /** Connection for the host the task runs on (after delegate_to). Rejects with ConnectError. */
  connect(host: string): Promise<Connection>;
  emit(e: TaskResultEvent): void;
}

export interface TaskOutcome {
  status: TaskStatus;
  /** What `register:` stores. */
  result: Record<string, unknown>;
  facts?: Record<string, unknown>;
  ignored: boolean;
  msg?: string;
}

export const NO_LOG_MSG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

export function loopItems(t: Task, vars: Record<string, unknown>): unknown[] | undefined {
  if (t.loop === undefined) return undefined;
  let items = renderValue(t.loop, vars, { at: t.at });
  // A bare expression (`loop: packages`) is evaluated; what a {{ }} template rendered to is not re-read.
  if (typeof items === 'string' && typeof t.loop === 'string' && !t.loop.includes('{{')) {
    const e = evaluate(items, vars, t.at);
    if (Array.isArray(e)) items = e;
  }
  if (!Array.isArray(items))
    throw new RunbookError(`loop must be a list, got ${typeof items === 'string' ? `the string ${JSON.stringify(items.slice(0, 60))}` : typeof items}`, {
      at: t.at,
      hint: 'give loop a YAML list or a variable that holds one',
    });
  return items;
}

function label(item: unknown): string {
  return typeof item === 'string' ? item : JSON.stringify(item);
}

function probeOver(conn: Connection | undefined, become: boolean, timeout?: number): Probe {
  const need = (): Connection => {
    if (!conn) throw new RunbookError('internal: a local module tried to probe a host');
    return conn;
  };
  return {
    run: (cmd) => need().exec(cmd, { become, timeout }),
    readFile: (path) => need().readFile(path, { become }),
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
    renderFile: (p) => renderFile(resolveLocal(p, env.baseDir, 'templates'), vars, host),
    readLocal: (p) => {
      const path = resolveLocal(p, env.baseDir, 'files');
      return readLocalFile(path, t);
    },
    test: (expr) => evalBool(expr, vars, t.at),
  };
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

interface ItemResult {
  status: TaskStatus;
  result: Record<string, unknown>;
  facts?: Record<string, unknown>;
  msg?: string;
  diff?: Plan['diff'];
  cmd?: string;
}

async function runOnce(
  def: ModuleDef<unknown>,
  t: Task,
  host: string,
  vars: Record<string, unknown>,
  env: TaskEnv,
): Promise<ItemResult> {
  const args = renderValue(t.args, vars, { at: t.at, host });
  const parsed = def.parse(args, t.at);
  const become = t.become ?? env.become;
  const timeout = t.timeout ?? env.defaultTimeout;
  const target = t.delegateTo ? String(renderValue(t.delegateTo, vars, { at: t.at, host })) : host;
  const check = t.checkMode ?? env.check;
  const conn = def.local ? undefined : await env.connect(target);
  const plan = await def.plan(parsed, probeOver(conn, become, timeout), contextFor(t, host, vars, { ...env, check }));
  const base: Record<string, unknown> = { changed: false, failed: false, ...(plan.result ?? {}) };
  if (plan.failed) return { status: 'failed', result: { ...base, failed: true, msg: plan.failed }, msg: plan.failed };
  if (plan.skipped)
    return { status: 'skipped', result: { ...base, skipped: true, msg: plan.skipped }, msg: plan.skipped };
  if (!plan.changed || !plan.steps?.length) {
    const status: TaskStatus = plan.changed ? 'changed' : 'ok';
    const msg = (plan.result?.msg as string | undefined) ?? plan.note;
    return { status, result: { ...base, changed: plan.changed, msg }, facts: plan.facts, msg, diff: plan.diff };
  }
  const captures = plan.steps.some((s) => s.kind === 'exec' && s.capture);
  if (check) {
    if (captures)
      return { status: 'skipped', result: { ...base, skipped: true, msg: 'skipped in check mode' }, msg: 'check mode' };
    return { status: 'changed', result: { ...base, changed: true, msg: plan.note }, msg: plan.note, diff: plan.diff };
  }
  const applied = await applyPlan(plan, conn!, { become, timeout });
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
  };
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
function judge(t: Task, r: ItemResult, vars: Record<string, unknown>): ItemResult {
  if (r.status === 'skipped' || (!t.changedWhen.length && !t.failedWhen.length)) return r;
  const scope = { ...vars, ...(t.register ? { [t.register]: r.result } : {}), result: r.result };
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

async function runItem(
  def: ModuleDef<unknown>,
  t: Task,
  host: string,
  vars: Record<string, unknown>,
  env: TaskEnv,
): Promise<ItemResult> {
  const attempts = t.until.length ? (t.retries ?? 3) + 1 : 1;
  let last: ItemResult | undefined;
  for (let i = 1; i <= attempts; i++) {
    try {
      last = judge(t, await runOnce(def, t, host, vars, env), vars);
    } catch (e) {
      if (e instanceof ConnectError) throw e;
      const msg = errorText(e);
      last = { status: 'failed', result: { changed: false, failed: true, msg }, msg };
    }
    if (!t.until.length) break;
    last.result.attempts = i;
    const scope = { ...vars, ...(t.register ? { [t.register]: last.result } : {}), result: last.result };
    let done = false;
    try {
      done = evalBool(t.until, scope, t.at);
    } catch {
      done = false;
    }
    if (done) break;
    if (i < attempts) await sleep((t.delay ?? 5) * 1000);
    else last = { ...last, status: 'failed', msg: `until condition never held after ${attempts} attempts` };
  }
  return last!;
}

export function errorText(e: unknown): string {
  if (e instanceof RunbookError) {
    const loc = e.at ? formatLocation(e.at) : '';
    const where = loc && !e.message.includes(loc) ? `${loc}: ` : '';
    return `${where}${e.message}${e.hint ? ` (${e.hint})` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export async function runTask(t: Task, host: string, vars: Record<string, unknown>, env: TaskEnv): Promise<TaskOutcome> {
  const def = lookup(t.module, t.at);
  const at = formatLocation(t.at);
  const name = t.name ?? t.module;
  const emit = (r: ItemResult, startedAt: number, item?: unknown) => {
    const exec = r.result;
    env.emit({
      type: 'task:result',
      host,
      play: env.play,
      task: name,
      at,
      status: r.status,
      item: item === undefined ? undefined : t.noLog ? '(hidden)' : label(item),
      msg: t.noLog ? (r.status === 'failed' ? NO_LOG_MSG : undefined) : r.msg,
      rc: typeof exec.rc === 'number' ? exec.rc : undefined,
      stdout: t.noLog ? undefined : (exec.stdout as string | undefined),
      stderr: t.noLog ? undefined : (exec.stderr as string | undefined),
      cmd: t.noLog ? undefined : r.cmd,
      diff: t.noLog ? undefined : env.diff ? r.diff : undefined,
      durationMs: Date.now() - startedAt,
      startedAt,
    });
  };
  const items = loopItems(t, vars);
  if (items === undefined) {
    const started = Date.now();
    const r = await runItem(def, t, host, vars, env);
    emit(r, started);
    return outcome(t, r.status, r.result, r.facts, r.msg);
  }
  const results: Record<string, unknown>[] = [];
  let changed = false;
  let failed = false;
  let facts: Record<string, unknown> | undefined;
  for (const item of items) {
    const started = Date.now();
    const itemVars = { ...vars, [t.loopVar]: item };
    // Like Ansible, `when` on a looped task is evaluated per item.
    const r: ItemResult =
      t.when.length && !evalBool(t.when, itemVars, t.at)
        ? { status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' } }
        : await runItem(def, t, host, itemVars, env);
    emit(r, started, item);
    results.push({ ...r.result, item, [t.loopVar]: item });
    changed ||= r.status === 'changed';
    failed ||= r.status === 'failed';
    if (r.facts) facts = { ...facts, ...r.facts };
  }
  const allSkipped = items.length > 0 && results.every((r) => r.skipped);
  const status: TaskStatus = failed ? 'failed' : changed ? 'changed' : allSkipped || !items.length ? 'skipped' : 'ok';
  return outcome(t, status, { changed, failed, results, msg: failed ? 'one or more items failed' : undefined }, facts);
}

function outcome(
  t: Task,
  status: TaskStatus,
  result: Record<string, unknown>,
  facts?: Record<string, unknown>,
  msg?: string,
): TaskOutcome {
  const ignored = status === 'failed' && t.ignoreErrors;
  return { status, result, facts, ignored, msg: t.noLog && status === 'failed' ? NO_LOG_MSG : msg };
}
