// One task on one host: its loop, the per-item `when`, and the events a user sees; items run in item.ts.
import { formatLocation } from '../errors.js';
import { evalBool } from '../expr/eval.js';
import { lookup } from '../modules/registry.js';
import type { Task } from '../playbook/types.js';
import type { Connection } from '../remote/connection.js';
import { renderValue } from '../template/render.js';
import { rescuable } from './blocks.js';
import { templatedBool } from './bool.js';
import type { TaskResultEvent, TaskStatus } from './events.js';
import { type ItemResult, loopItems, runItem } from './item.js';
import { loopInfo } from './loops.js';
import { applyMerged } from './merge.js';
import type { ApplyIntent } from './safety/guard.js';
import { fromSpec, planAllItems, type TaskSpec } from './speculate.js';

export interface TaskEnv {
  play: string;
  baseDir: string;
  check: boolean;
  diff: boolean;
  /** the play's become: true or false, or a template rendered per host */
  become: boolean | string;
  /** The play's become_user (a template, rendered per host). */
  becomeUser?: string;
  defaultTimeout?: number;
  /** The play's environment: (the task's own is merged over it). */
  environment?: Record<string, unknown>;
  /**
   * Connection for the host the task runs on (after delegate_to). Rejects with ConnectError. `user`: the task's
   * remote_user keyword (rendered), used when no variable (ansible_user) names the user.
   */
  connect(host: string, user?: string): Promise<Connection>;
  emit(e: TaskResultEvent): void;
  /** Whole lines of a running command's output, when the output wants them (the live view at -v). */
  output?(host: string, line: string): void;
  /** network safety (src/executor/safety): runs right before a plan's steps are applied on the host. */
  beforeApply?(i: ApplyIntent): Promise<string | undefined>;
}

export interface TaskOutcome {
  status: TaskStatus;
  /** steps ran on the host (plans made ahead of this task may now be stale) */
  applied?: boolean;
  /** What those steps can have changed (footprint.ts); absent with applied: anything. */
  writes?: readonly string[];
  /** What `register:` stores. */
  result: Record<string, unknown>;
  facts?: Record<string, unknown>;
  /** delegate_facts: the facts set, by the host they belong to (the task's delegate_to, per item). */
  delegatedFacts?: Record<string, Record<string, unknown>>;
  ignored: boolean;
  msg?: string;
  /** Shown but not counted in the recap: Ansible counts an include_role's own result nowhere. */
  uncounted?: boolean;
}

export const NO_LOG_MSG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/** How a failure of this task is taken care of, as the result event says it: ignore_errors, or a block's rescue:. */
export function failureHandled(t: Task, vars: Record<string, unknown>): { ignored?: true; rescued?: true } {
  return ignoresErrors(t, vars) ? { ignored: true } : rescuable(t) ? { rescued: true } : {};
}

/** ignore_errors for this host: true or false, or its template rendered with the host's vars (Ansible's boolean). */
export function ignoresErrors(t: Task, vars: Record<string, unknown>): boolean {
  try {
    return templatedBool(t.ignoreErrors, vars, t.at);
  } catch {
    return false; // the task fails as it was going to; a template that cannot render ignores nothing
  }
}

function label(item: unknown): string {
  return typeof item === 'string' ? item : JSON.stringify(item);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The variables one loop item adds: loop_var, ansible_loop_var, index_var, ansible_loop (loop_control.extended). */
export function loopVarsOf(t: Task, items: unknown[], i: number): Record<string, unknown> {
  const lc = t.loopControl;
  const out: Record<string, unknown> = { [t.loopVar]: items[i], ansible_loop_var: t.loopVar };
  if (lc?.indexVar) Object.assign(out, { [lc.indexVar]: i, ansible_index_var: lc.indexVar });
  if (lc?.extended) out.ansible_loop = loopInfo(items, i, lc.extendedAllitems !== false);
  return out;
}

/** The task's env with its own keywords applied: diff:, and remote_user for the connection. */
export function taskEnv(t: Task, host: string, vars: Record<string, unknown>, env: TaskEnv, remoteUser?: string): TaskEnv {
  const out = t.diff === undefined ? env : { ...env, diff: t.diff };
  const raw = t.remoteUser ?? remoteUser;
  if (raw === undefined) return out;
  const user = String(renderValue(raw, vars, { at: t.at, host })).trim();
  return { ...out, connect: (target) => env.connect(target, user || undefined) };
}

export async function runTask(
  t: Task,
  host: string,
  vars: Record<string, unknown>,
  env: TaskEnv,
  ahead?: TaskSpec,
  playRemoteUser?: string,
): Promise<TaskOutcome> {
  const def = lookup(t.module, t.at);
  env = taskEnv(t, host, vars, env, playRemoteUser);
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
      ...(r.status === 'failed' ? failureHandled(t, vars) : {}),
      item: item === undefined ? undefined : t.noLog ? '(hidden)' : itemLabel(item),
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
  const items = loopItems(t, vars, env.baseDir);
  if (items === undefined) {
    const started = Date.now();
    const spec = ahead ? await ahead : undefined;
    const r = spec && !Array.isArray(spec) ? await fromSpec(spec, t, vars) : await runItem(def, t, host, vars, env);
    emit(r, started);
    const to = factsTo(t);
    if (r.facts && to)
      return {
        ...outcome(t, vars, r.status, r.result, undefined, r.msg),
        delegatedFacts: { [to(vars, host)]: r.facts },
        applied: r.applied,
        writes: r.writes,
      };
    return { ...outcome(t, vars, r.status, r.result, r.facts, r.msg), applied: r.applied, writes: r.writes };
  }
  const results: Record<string, unknown>[] = [];
  let changed = false;
  let failed = false;
  let facts: Record<string, unknown> | undefined;
  const delegated: Record<string, Record<string, unknown>> = {};
  const factsOwner = factsTo(t);
  // An item's vars (a copy of the task's, ~60 keys) are made only where something reads them: a no-op rerun of a
  // loop planned ahead reads none.
  const made: Record<string, unknown>[] = [];
  const varsAt = (i: number) => (made[i] ??= { ...vars, ...loopVarsOf(t, items, i) });
  // judge reads the vars only for changed_when/failed_when.
  const judged = t.changedWhen.length || t.failedWhen.length ? varsAt : () => vars;
  // loop_control.label: shown instead of the item (rendered with the item's variables).
  const labels = new Map<unknown, string>();
  if (t.loopControl?.label !== undefined) {
    for (const [i, item] of items.entries()) labels.set(item, String(renderValue(t.loopControl.label, varsAt(i), { at: t.at, host })));
  }
  const itemLabel = (item: unknown) => labels.get(item) ?? label(item);
  // Plans made ahead saw only the loop variable; index_var/extended items, and paused loops, plan in their turn.
  const lc = t.loopControl;
  const wantsAhead = ahead && !lc?.indexVar && !lc?.extended && !lc?.pause;
  // Like Ansible, `when` on a looped task is evaluated per item; a plan made ahead of every item did so already
  // (undefined where it was false), on the vars its plans were made with and are used on.
  const wantedNow = () => items.map((_, i) => !t.when.length || evalBool(t.when, varsAt(i), t.at));
  let wanted = wantsAhead ? undefined : wantedNow();
  const early = wantsAhead ? await ahead : undefined;
  const planned = Array.isArray(early) && early.length === items.length ? early : undefined;
  wanted ??= planned ? planned.map((s) => s !== undefined) : wantedNow();
  const speculative = lc?.pause
    ? undefined
    : (planned ??
      (await planAllItems(
        def,
        t,
        host,
        items.map((_, i) => varsAt(i)),
        wanted,
        env,
      )));
  // Items whose changes the module merges into one transaction are applied here, before the first result shows.
  const mergeStarted = Date.now();
  const merged = speculative ? await applyMerged(def, t, speculative, judged) : undefined;
  let stale = false;
  const writes = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (i > 0 && lc?.pause) await sleep(lc.pause * 1000);
    // The merged apply's time counts in the first item's duration (the JSON report's per-task timing).
    const started = merged?.results.size && i === 0 ? mergeStarted : Date.now();
    let r: ItemResult;
    if (!wanted[i]) r = { status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' } };
    else if (merged?.results.has(i)) r = merged.results.get(i)!;
    else if (speculative && (!stale || merged?.independent.has(i))) {
      r = await fromSpec(speculative[i]!, t, judged(i));
    } else r = await runItem(def, t, host, varsAt(i), env);
    stale ||= !!r.applied;
    if (r.applied) for (const w of r.writes ?? ['*']) writes.add(w);
    emit(r, started, item);
    results.push({ ...r.result, item, ...loopVarsOf(t, items, i) });
    changed ||= r.status === 'changed';
    failed ||= r.status === 'failed';
    if (r.facts && factsOwner) {
      const to = factsOwner(varsAt(i), host);
      delegated[to] = { ...delegated[to], ...r.facts };
    } else if (r.facts) facts = { ...facts, ...r.facts };
  }
  const allSkipped = items.length > 0 && results.every((r) => r.skipped);
  const status: TaskStatus = failed ? 'failed' : changed ? 'changed' : allSkipped || !items.length ? 'skipped' : 'ok';
  return {
    ...outcome(t, vars, status, { changed, failed, results, msg: failed ? 'one or more items failed' : undefined }, facts),
    ...(Object.keys(delegated).length ? { delegatedFacts: delegated } : {}),
    applied: stale,
    writes: [...writes],
  };
}

/** delegate_facts with delegate_to: the host the facts of a run with `vars` belong to; undefined when they stay. */
function factsTo(t: Task): ((vars: Record<string, unknown>, host: string) => string) | undefined {
  if (!t.delegateFacts || !t.delegateTo) return undefined;
  return (vars, host) => String(renderValue(t.delegateTo, vars, { at: t.at, host })).trim();
}

function outcome(
  t: Task,
  vars: Record<string, unknown>,
  status: TaskStatus,
  result: Record<string, unknown>,
  facts?: Record<string, unknown>,
  msg?: string,
): TaskOutcome {
  const ignored = status === 'failed' && ignoresErrors(t, vars);
  return { status, result, facts, ignored, msg: t.noLog && status === 'failed' ? NO_LOG_MSG : msg };
}
