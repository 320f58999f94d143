// One play: vars_files, facts, plans made ahead, batches (serial) × forks, linear or free strategy, handlers,
// and the failure policy (any_errors_fatal, max_fail_percentage).
import { ConnectError } from '../errors.js';
import { lookup } from '../modules/registry.js';
import { evalBool } from '../expr/eval.js';
import { markUnsafe } from '../jinja/runtime.js';
import { groupsMap } from '../inventory/vars.js';
import type { Play, Task } from '../playbook/types.js';
import { addSecret, addSecretVars } from '../vault/secrets.js';
import { batches, forEachLimit } from './batches.js';
import { blockAllows, blockFailure } from './blocks.js';
import { errorText } from './error-text.js';
import type { Recap, TaskResultEvent, TaskStatus } from './events.js';
import { FACTS_SCRIPT, parseFacts } from './facts.js';
import { runHandlers } from './handlers.js';
import { type HostRun, varsFor } from './host.js';
import type { TaskSpec } from './speculate.js';
import { delegateVars, hostvarsView } from './magic.js';
import type { ConnectionPool } from './pool.js';
import type { RunOptions } from './run.js';
import { speculable, speculateHost } from './speculate.js';
import { selectedByTags } from './tags.js';
import { NO_LOG_MSG, type TaskEnv, type TaskOutcome, failureHandled, runTask } from './task.js';
import { loadVarsFiles } from './vars-files.js';
import { withRemoteUser } from './remote-user.js';
import { Semaphore } from './pool.js';
import { renderValue } from '../template/render.js';
import { loadInventory } from '../inventory/load.js';
import { BYPASS_HOST_LOOP, applyControl, replaceInventory } from './control.js';
import { type HostInclusion, type IncludeCache, hostInclusion } from './include.js';
import { newBlockState } from './blocks.js';
import type { MetaAction } from '../modules/control/meta.js';
import type { NetworkGuard } from '../safety/guard.js'; // network safety
import { settleBatch } from '../safety/outcome.js'; // network safety
import { plannedWrites } from '../safety/expect.js'; // network safety

export interface PlayState {
  o: RunOptions;
  runs: Map<string, HostRun>;
  recap: Recap;
  pool: ConnectionPool;
  startAt: () => string | undefined;
  started: () => void;
  /** Set when group_by, add_host or refresh_inventory changed the inventory: later plays select their hosts again. */
  inventoryChanged?: boolean;
  /** network safety (src/safety): saves/arms hosts before network changes, confirms them per batch. */
  guard?: NetworkGuard;
}

export async function runPlay(play: Play, hosts: string[], st: PlayState): Promise<'stop' | undefined> {
  const { o, runs, recap } = st;
  o.sink.emit({ type: 'play:start', play: play.name, hosts, tasks: play.tasks.length });
  const live = hosts.filter((h) => !runs.get(h)!.failed && !runs.get(h)!.unreachable);
  let groups = groupsMap(o.inventory);
  let hostvars = hostvarsView(runs, o.inventory);
  const inventoryChanged = () => {
    st.inventoryChanged = true;
    groups = groupsMap(o.inventory);
    hostvars = hostvarsView(runs, o.inventory);
  };
  // Handlers of roles included at run time join the play's (a copy: the loaded play stays as written).
  const handlers = [...play.handlers];
  const playNow: Play = { ...play, handlers };
  const magicFor = (h: string) => ({
    groups,
    hostvars,
    play_hosts: live,
    ansible_play_hosts: live,
    ansible_play_hosts_all: hosts,
    ansible_check_mode: o.check,
    playbook_dir: play.baseDir,
    inventory_hostname: h,
  });
  for (const h of live) {
    const r = runs.get(h)!;
    r.playVars = { ...play.vars };
    r.notified.clear();
    if (play.varsFiles.length)
      Object.assign(r.playVars, loadVarsFiles(play, play.baseDir, varsFor(r, magicFor(h), o.extraVars), h));
  }
  // handled: a failure that ignore_errors or a block's rescue: part took care of (it does not fail the host)
  const tally = (host: string, status: TaskStatus, handled?: 'ignored' | 'rescued', msg?: string) => {
    const t = recap[host];
    if (status === 'changed') t.changed++;
    // As Ansible's recap: a failure ignore_errors let pass counts as ok too (ok=1 ignored=1); a rescued one does not.
    if (status === 'ok' || status === 'changed' || (status === 'failed' && handled === 'ignored')) t.ok++;
    if (status === 'skipped') t.skipped++;
    if (status === 'failed') {
      if (handled) t[handled]++;
      else t.failed++;
    }
    if (status === 'unreachable') t.unreachable++;
    if ((status === 'failed' && !handled) || status === 'unreachable') t.firstError ??= msg?.split('\n')[0];
    o.sink.emit({ type: 'host:tally', host, tally: { ...t } });
  };
  const env = (h: string): TaskEnv => ({
    play: play.name,
    baseDir: play.baseDir,
    check: o.check,
    diff: play.diff ?? o.diff,
    become: play.become,
    environment: play.environment,
    becomeUser: play.becomeUser,
    defaultTimeout: o.taskTimeout,
    connect: (target, user) => {
      const vars = target === h ? varsFor(runs.get(h)!, magicFor(h), o.extraVars) : delegateVars(o.inventory, target);
      return play.connection === 'local' && target === h ? o.localConnector() : st.pool.get(target, withRemoteUser(vars, user));
    },
    emit: (e: TaskResultEvent) => o.sink.emit(e),
    output: o.sink.wantsOutput ? (host: string, line: string) => o.sink.emit({ type: 'task:output', host, chunk: line }) : undefined,
    beforeApply: st.guard && !o.check ? (i) => st.guard!.beforeApply(i) : undefined, // network safety
  });
  const unreachable = (h: string, task: string, at: string, e: unknown) => {
    const r = runs.get(h)!;
    r.unreachable = true;
    const msg = errorText(e);
    o.sink.emit({ type: 'host:unreachable', host: h, msg });
    o.sink.emit({ type: 'task:result', host: h, play: play.name, task, at, status: 'unreachable', msg, durationMs: 0, startedAt: Date.now() });
    tally(h, 'unreachable', undefined, msg);
  };

  // The host's connection variables with the play's remote_user (a template) where no variable names the user.
  const hostConnVars = (h: string) => {
    const vars = varsFor(runs.get(h)!, magicFor(h), o.extraVars);
    const user = play.remoteUser === undefined ? undefined : String(renderValue(play.remoteUser, vars, { at: play.at, host: h })).trim();
    return withRemoteUser(vars, user || undefined);
  };

  const gather = async (h: string) => {
    const r = runs.get(h)!;
    if (!play.gatherFacts || r.factsGathered || play.connection === 'local') return;
    const t0 = Date.now();
    try {
      const conn = await st.pool.get(h, hostConnVars(h));
      const res = await conn.exec(FACTS_SCRIPT);
      Object.assign(r.facts, parseFacts(res));
      r.factsGathered = true;
      o.sink.emit({ type: 'task:result', host: h, play: play.name, task: 'Gathering Facts', at: '', status: 'ok', durationMs: Date.now() - t0, startedAt: t0 });
      tally(h, 'ok');
    } catch (e) {
      unreachable(h, 'Gathering Facts', '', e);
    }
  };

  const runOne = async (task: Task, h: string): Promise<TaskOutcome | undefined> => {
    const r = runs.get(h)!;
    const vars = varsFor(r, magicFor(h), o.extraVars, task.vars, task.roleDefaults);
    const at = task.at ? `${task.at.file}:${task.at.line ?? ''}` : '';
    const name = task.name ?? task.module;
    const t0 = Date.now();
    o.sink.emit({ type: 'task:start', host: h, play: play.name, task: name, at, startedAt: t0 });
    let out: TaskOutcome;
    try {
      if (task.when.length && task.loop === undefined && !evalBool(task.when, vars, task.at)) {
        o.sink.emit({ type: 'task:result', host: h, play: play.name, task: name, at, status: 'skipped', msg: 'conditional result was False', durationMs: 0, startedAt: t0 });
        tally(h, 'skipped');
        if (task.register) r.registered[task.register] = { changed: false, skipped: true, skip_reason: 'Conditional result was False' };
        return undefined;
      }
      out = task.include ? includeOutcome(task, h, vars, name, at, t0) : await runTask(task, h, vars, env(h), specs.get(h)?.get(task), play.remoteUser);
      // Something changed on the host: plans made ahead of their turn may be stale from here on.
      if (out.applied) specs.delete(h);
    } catch (e) {
      if (e instanceof ConnectError) {
        if (task.ignoreUnreachable ?? play.ignoreUnreachable) {
          // ignore_unreachable: reported, counted as ignored, and the host stays in the play (the next task reconnects).
          const msg = errorText(e);
          o.sink.emit({ type: 'task:result', host: h, play: play.name, task: name, at, status: 'unreachable', ignored: true, msg, durationMs: Date.now() - t0, startedAt: t0 });
          tally(h, 'failed', 'ignored', msg);
          st.pool.forget(h);
          if (task.register) r.registered[task.register] = { unreachable: true, changed: false, msg };
          return undefined;
        }
        st.guard?.lost(h, name); // network safety: the host restores itself; settleBatch checks
        unreachable(h, name, at, e);
        return undefined;
      }
      const msg = task.noLog ? NO_LOG_MSG : errorText(e);
      out = { status: 'failed', result: { failed: true, changed: false, msg }, ignored: task.ignoreErrors, msg };
      o.sink.emit({ type: 'task:result', host: h, play: play.name, task: name, at, status: 'failed', ...failureHandled(task), msg, durationMs: Date.now() - t0, startedAt: t0 });
    }
    // A failure a rescue: part catches leaves the host healthy; any other fails it (it still runs owed always: parts).
    let rescued = false;
    if (out.status === 'failed' && !out.ignored) {
      rescued = blockFailure(task, r.blocks);
      if (rescued) {
        r.registered.ansible_failed_task = { name, action: task.module, at };
        r.registered.ansible_failed_result = out.result;
      } else r.failed = true;
    }
    tally(h, out.status, out.ignored ? 'ignored' : rescued ? 'rescued' : undefined, out.msg);
    if (task.register) r.registered[task.register] = markUnsafe(out.result);
    // What a no_log task printed stays hidden when a later task shows the registered result.
    if (task.noLog) addSecret([out.result.stdout, out.result.stderr, out.result.results]);
    if (out.facts) {
      addSecretVars(out.facts, vars);
      Object.assign(r.facts, out.facts);
    }
    if (out.status === 'changed') for (const n of task.notify) r.notified.add(n);
    if (out.status !== 'failed' && out.status !== 'skipped' && applyControl(task.module, out.result, r, o.inventory, vars)) inventoryChanged();
    return out;
  };

  // A dynamic include on one host: what it brings is kept for the play loop, the result says what was included.
  const inclusions = new Map<Task, Map<string, HostInclusion>>();
  const includeCaches = new Map<Task, IncludeCache>();
  const includeOutcome = (task: Task, h: string, vars: Record<string, unknown>, name: string, at: string, t0: number): TaskOutcome => {
    if (!includeCaches.has(task)) includeCaches.set(task, new Map());
    const inc = hostInclusion(task, h, vars, includeCaches.get(task)!, handlers);
    (inclusions.get(task) ?? inclusions.set(task, new Map()).get(task)!).set(h, inc);
    const status: TaskStatus = inc.sources.length ? 'ok' : 'skipped';
    const msg = inc.sources.length ? `included: ${[...new Set(inc.sources)].join(', ')}` : 'no item was included';
    o.sink.emit({ type: 'task:result', host: h, play: play.name, task: name, at, status, msg, durationMs: Date.now() - t0, startedAt: t0 });
    // As Ansible's recap: one ok per file included (a loop of 3 includes 3 times); the caller counts the first.
    for (let i = 1; i < inc.sources.length; i++) tally(h, 'ok');
    return { status, result: { changed: false, include: [...new Set(inc.sources)] }, ignored: false };
  };
  // Hosts that included the same tasks run them together (in the order the hosts came), each group after the other.
  const includeGroups = (task: Task, hosts: string[]): [string[], Task[]][] => {
    const byKey = new Map<string, [string[], Task[]]>();
    for (const h of hosts) {
      const inc = inclusions.get(task)?.get(h);
      if (!inc?.tasks.length || !ok(h)) continue;
      const g = byKey.get(inc.key) ?? byKey.set(inc.key, [[], inc.tasks.filter((t) => selectedByTags(t, o.tags, o.skipTags))]).get(inc.key)!;
      g[0].push(h);
    }
    inclusions.delete(task);
    return [...byKey.values()];
  };

  const tasks = play.tasks.filter((t) => selectedByTags(t, o.tags, o.skipTags));
  const ahead = speculable(play, tasks);
  const specs = new Map<string, Map<Task, TaskSpec>>();
  const planAhead = async (h: string) => {
    const r = runs.get(h)!;
    if (!ahead.length || r.failed || r.unreachable) return;
    try {
      const conn = await st.pool.get(h, hostConnVars(h));
      specs.set(h, speculateHost(ahead, h, conn, (t) => varsFor(r, magicFor(h), o.extraVars, t.vars, t.roleDefaults), env(h)));
      if (st.guard) st.guard.expectWrites(h, plannedWrites(specs.get(h), tasks)); // network safety: files copied with the first save
    } catch {
      // unreachable: its first task reports it
    }
  };
  const ok = (h: string) => !runs.get(h)!.failed && !runs.get(h)!.unreachable;
  // meta: end_host takes a host out of the rest of the play; end_batch and end_play stop more.
  const ended = new Set<string>();
  let batchOver = false;
  let playOver = false;
  // Whether task t runs on host h now: healthy hosts, and failed ones for the always: parts they are owed.
  const runnable = (t: Task, h: string) => !ended.has(h) && !runs.get(h)!.unreachable && blockAllows(t, runs.get(h)!.blocks, runs.get(h)!.failed);
  const flush = (batch: string[]) => runHandlers(playNow, batch.filter((h) => !ended.has(h)), st, runOne, aborted);
  const aborted = () => !!o.signal?.aborted;
  // throttle: at most this many hosts in the task at once (task, block or play keyword).
  const throttleOf = (t: Task) => t.throttle ?? play.throttle;
  const throttles = new Map<Task, Semaphore>();
  const throttled = (t: Task, h: string) => {
    const n = throttleOf(t);
    if (!n) return runOne(t, h);
    let sem = throttles.get(t);
    if (!sem) throttles.set(t, (sem = new Semaphore(n)));
    return sem.use(() => runOne(t, h));
  };
  // meta: the play acts on it for the hosts that reach it (end_play, end_batch, refresh_inventory: once for all).
  const runMeta = async (t: Task, hosts: string[], batch: string[]) => {
    const action = lookup(t.module, t.at).parse(t.args, t.at) as MetaAction;
    const when = (h: string) => !t.when.length || evalBool(t.when, varsFor(runs.get(h)!, magicFor(h), o.extraVars, t.vars, t.roleDefaults), t.at);
    const chosen = action === 'end_play' || action === 'end_batch' || action === 'refresh_inventory' ? (when(hosts[0]!) ? hosts.slice(0, 1) : []) : hosts.filter(when);
    if (!chosen.length) return;
    if (action === 'flush_handlers') await flush(batch);
    else if (action === 'end_play') playOver = true;
    else if (action === 'end_batch') batchOver = true;
    else if (action === 'end_host') for (const h of chosen) ended.add(h);
    else if (action === 'refresh_inventory') {
      replaceInventory(o.inventory, loadInventory(o.inventory.sources, o.playbook.baseDir));
      inventoryChanged();
    } else
      for (const h of chosen) {
        const r = runs.get(h)!;
        if (action === 'clear_facts') {
          for (const k of Object.keys(r.facts)) delete r.facts[k];
          r.factsGathered = false;
        } else if (action === 'clear_host_errors') {
          for (const b of batch) {
            const rb = runs.get(b)!;
            if (rb.unreachable) st.pool.forget(b);
            Object.assign(rb, { failed: false, unreachable: false, blocks: newBlockState() });
          }
        } else if (action === 'reset_connection') {
          const conn = await st.pool.get(h, hostConnVars(h)).catch(() => undefined);
          st.pool.forget(h);
          await conn?.close().catch(() => undefined);
        }
      }
  };
  let fatal = false;
  let currentBatch: string[] = [];
  const stopped = () => aborted() || fatal || batchOver || playOver;
  const runLinear = async (list: Task[], batch: string[]): Promise<void> => {
    for (const t of list) {
      if (stopped()) return;
      if (skipUntilStart(t, st)) continue;
      const active = batch.filter((h) => runnable(t, h));
      if (!active.length) continue;
      if (t.module === 'meta') {
        await runMeta(t, active, currentBatch);
        continue;
      }
      if (t.runOnce || BYPASS_HOST_LOOP.has(t.module)) {
        const out = await runOne(t, active[0]);
        for (const h of active.slice(1)) {
          if (out && t.register) runs.get(h)!.registered[t.register] = markUnsafe(out.result);
          if (out?.facts) Object.assign(runs.get(h)!.facts, out.facts);
        }
      } else await forEachLimit(active, Math.min(o.forks, throttleOf(t) ?? o.forks), async (h) => void (await runOne(t, h)));
      if (play.anyErrorsFatal && currentBatch.some((h) => runs.get(h)!.failed)) fatal = true;
      if (t.include) for (const [hosts, tasks] of includeGroups(t, active)) await runLinear(tasks, hosts);
    }
  };
  // The free strategy: each host on its own through the list (includes in place, add_host once).
  const onceDone = new Set<Task>();
  const runFree = async (list: Task[], h: string, batch: string[]): Promise<void> => {
    for (const t of list) {
      if (aborted() || batchOver || playOver || !runnable(t, h) || skipUntilStart(t, st)) continue;
      if (t.module === 'meta') await runMeta(t, [h], batch);
      else if (BYPASS_HOST_LOOP.has(t.module)) {
        if (!onceDone.has(t)) {
          onceDone.add(t);
          await throttled(t, h);
        }
      } else {
        await throttled(t, h);
        if (t.include) for (const [, tasks] of includeGroups(t, [h])) await runFree(tasks, h, batch);
      }
    }
  };
  let stopReason: string | undefined;
  const bs = batches(live, play.serial);
  for (const [bi, batch] of bs.entries()) {
    if (aborted() || stopReason || playOver) break;
    batchOver = false;
    await forEachLimit(batch, o.forks, async (h) => {
      await gather(h);
      await planAhead(h);
    });
    fatal = false;
    currentBatch = batch;
    if (play.strategy === 'free') await forEachLimit(batch, o.forks, (h) => runFree(tasks, h, batch));
    else await runLinear(tasks, batch);
    // end_play and end_batch end without the handlers, as Ansible's do.
    if (!playOver && !batchOver) await flush(batch);
    // network safety: prove each armed host's path with a new connection and disarm, or see it rolled back
    if (st.guard) await settleBatch(st.guard, batch, { play: play.name, recap, runs, sink: o.sink, fresh: (h) => o.connector(h, hostConnVars(h)), interrupted: aborted() });
    const failedN = batch.filter((h) => runs.get(h)!.failed || runs.get(h)!.unreachable).length;
    if (fatal) stopReason = 'any_errors_fatal: a host failed, the play stops for every host';
    else if (play.maxFailPercentage !== undefined && (failedN / batch.length) * 100 > play.maxFailPercentage && bi < bs.length - 1)
      stopReason = `max_fail_percentage ${play.maxFailPercentage}% exceeded in batch ${bi + 1} (${failedN}/${batch.length} hosts failed): later batches not started`;
    else if (play.serial.length && failedN === batch.length && bi < bs.length - 1)
      stopReason = `every host of batch ${bi + 1} failed: later batches not started`;
  }
  o.sink.emit({ type: 'play:end', play: play.name, stoppedReason: stopReason });
  if (stopReason) {
    for (const h of hosts) if (ok(h) && recap[h]) recap[h].firstError ??= stopReason;
    return 'stop';
  }
}

function skipUntilStart(t: Task, st: PlayState): boolean {
  const want = st.startAt();
  if (!want) return false;
  if ((t.name ?? '') === want) {
    st.started();
    return false;
  }
  return true;
}

