// Plays × hosts: batches (serial), forks, linear or free strategy, handlers, failure policy, recap.
import { ConnectError, InputError } from '../errors.js';
import { evalBool } from '../expr/eval.js';
import { groupsMap, hostVars } from '../inventory/vars.js';
import { selectHosts } from '../inventory/select.js';
import type { Inventory } from '../inventory/types.js';
import type { Play, Playbook, Task } from '../playbook/types.js';
import type { Connection } from '../remote/connection.js';
import { batches, forEachLimit } from './batches.js';
import type { EventSink, Recap, TaskResultEvent, TaskStatus } from './events.js';
import { FACTS_SCRIPT, parseFacts } from './facts.js';
import { type HostRun, newHostRun, varsFor } from './host.js';
import { type Connector, ConnectionPool } from './pool.js';
import { type Shard, inShard } from './shard.js';
import { preflight } from './preflight.js';
import { selectedByTags } from './tags.js';
import { NO_LOG_MSG, type TaskEnv, type TaskOutcome, type TaskSpec, errorText, runTask } from './task.js';
import { speculable, speculateHost } from './speculate.js';
import { loadVarsFiles } from './vars-files.js';
import { addSecret, addSecretVars } from '../vault/secrets.js';

export interface RunOptions {
  inventory: Inventory;
  playbook: Playbook;
  limit?: string;
  /** --shard i/n: only the hosts whose name hashes to this shard. */
  shard?: Shard;
  tags: string[];
  skipTags: string[];
  check: boolean;
  diff: boolean;
  extraVars: Record<string, unknown>;
  forks: number;
  startAtTask?: string;
  forceHandlers: boolean;
  taskTimeout?: number;
  connector: Connector;
  /** Checks what would fail every connect (key files, known_hosts) before any host is touched. */
  checkTargets?: (targets: { host: string; vars: Record<string, unknown> }[]) => Promise<void>;
  localConnector: () => Promise<Connection>;
  sink: EventSink;
  signal?: AbortSignal;
}

export interface RunResult {
  recap: Recap;
  exitCode: number;
}

/** Hosts a play targets after --limit, in inventory order. */
export function playHosts(inv: Inventory, play: Play, limit?: string): string[] {
  const hosts = selectHosts(inv, play.hosts);
  if (!limit) return hosts;
  const allowed = new Set(selectHosts(inv, limit));
  return hosts.filter((h) => allowed.has(h));
}

export async function runPlaybook(o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const runs = new Map<string, HostRun>();
  const recap: Recap = {};
  const all = new Set<string>();
  const perPlay = o.playbook.plays.map((p) => inShard(playHosts(o.inventory, p, o.limit), o.shard));
  for (const hs of perPlay) for (const h of hs) all.add(h);
  const playVars = Object.assign({}, ...o.playbook.plays.map((p) => p.vars));
  for (const h of all) {
    runs.set(h, newHostRun(h, hostVars(o.inventory, h)));
    addSecretVars({ ...runs.get(h)!.inventoryVars, ...playVars, ...o.extraVars });
    recap[h] = { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0, ignored: 0 };
  }
  // Everything that can be checked without a host is checked for every play before the first connects.
  for (const [i, p] of o.playbook.plays.entries()) preflight(p, perPlay[i], runs, o);
  if (o.checkTargets) {
    const viaSsh = new Set(o.playbook.plays.flatMap((p, i) => (p.connection === 'local' ? [] : perPlay[i])));
    const targets = [...viaSsh].map((h) => ({ host: h, vars: varsFor(runs.get(h)!, { inventory_hostname: h }, o.extraVars) }));
    await o.checkTargets(targets.filter((t) => t.vars.ansible_connection !== 'local'));
  }

  const pool = new ConnectionPool(async (host, vars) => {
    if (vars.ansible_connection === 'local') return o.localConnector();
    return o.connector(host, vars);
  });
  o.sink.emit({ type: 'run:start', playbook: o.playbook.file, hosts: [...all], check: o.check });
  let startAt = o.startAtTask;
  try {
    for (const [i, play] of o.playbook.plays.entries()) {
      if (o.signal?.aborted) break;
      const res = await runPlay(play, perPlay[i], { o, runs, recap, pool, startAt: () => startAt, started: () => (startAt = undefined) });
      if (res === 'stop') break;
    }
  } finally {
    await pool.closeAll();
  }
  const interrupted = !!o.signal?.aborted;
  const tallies = Object.values(recap);
  const exitCode = interrupted
    ? 130
    : tallies.some((t) => t.failed > 0)
      ? 2
      : tallies.some((t) => t.unreachable > 0)
        ? 3
        : 0;
  o.sink.emit({ type: 'run:end', recap, elapsedMs: Date.now() - started, exitCode, interrupted });
  return { recap, exitCode };
}

interface PlayState {
  o: RunOptions;
  runs: Map<string, HostRun>;
  recap: Recap;
  pool: ConnectionPool;
  startAt: () => string | undefined;
  started: () => void;
}

async function runPlay(play: Play, hosts: string[], st: PlayState): Promise<'stop' | undefined> {
  const { o, runs, recap } = st;
  o.sink.emit({ type: 'play:start', play: play.name, hosts });
  const live = hosts.filter((h) => !runs.get(h)!.failed && !runs.get(h)!.unreachable);
  const groups = groupsMap(o.inventory);
  const hostvars = hostvarsView(runs, o.inventory);
  const magicFor = (h: string) => ({
    groups,
    hostvars,
    play_hosts: live,
    ansible_play_hosts: live,
    ansible_play_hosts_all: hosts,
    ansible_check_mode: o.check,
    playbook_dir: o.playbook.baseDir,
    inventory_hostname: h,
  });
  for (const h of live) {
    const r = runs.get(h)!;
    r.playVars = { ...play.vars };
    r.notified.clear();
    if (play.varsFiles.length)
      Object.assign(r.playVars, loadVarsFiles(play, o.playbook.baseDir, varsFor(r, magicFor(h), o.extraVars), h));
  }
  const tally = (host: string, status: TaskStatus, ignored = false, msg?: string) => {
    const t = recap[host];
    if (status === 'changed') t.changed++;
    if (status === 'ok' || status === 'changed') t.ok++;
    if (status === 'skipped') t.skipped++;
    if (status === 'failed') {
      if (ignored) t.ignored++;
      else t.failed++;
    }
    if (status === 'unreachable') t.unreachable++;
    if ((status === 'failed' && !ignored) || status === 'unreachable') t.firstError ??= msg?.split('\n')[0];
    o.sink.emit({ type: 'host:tally', host, tally: { ...t } });
  };
  const env = (h: string): TaskEnv => ({
    play: play.name,
    baseDir: o.playbook.baseDir,
    check: o.check,
    diff: o.diff,
    become: play.become,
    defaultTimeout: o.taskTimeout,
    connect: (target) => {
      const vars = target === h ? varsFor(runs.get(h)!, magicFor(h), o.extraVars) : delegateVars(o.inventory, target);
      return play.connection === 'local' && target === h ? o.localConnector() : st.pool.get(target, vars);
    },
    emit: (e: TaskResultEvent) => o.sink.emit(e),
  });
  const unreachable = (h: string, task: string, at: string, e: unknown) => {
    const r = runs.get(h)!;
    r.unreachable = true;
    const msg = errorText(e);
    o.sink.emit({ type: 'host:unreachable', host: h, msg });
    o.sink.emit({ type: 'task:result', host: h, play: play.name, task, at, status: 'unreachable', msg, durationMs: 0, startedAt: Date.now() });
    tally(h, 'unreachable', false, msg);
  };

  const gather = async (h: string) => {
    const r = runs.get(h)!;
    if (!play.gatherFacts || r.factsGathered || play.connection === 'local') return;
    const t0 = Date.now();
    try {
      const conn = await st.pool.get(h, varsFor(r, magicFor(h), o.extraVars));
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
    const vars = varsFor(r, magicFor(h), o.extraVars, task.vars);
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
      out = await runTask(task, h, vars, env(h), specs.get(h)?.get(task));
      // Something changed on the host: plans made ahead of their turn may be stale from here on.
      if (out.applied) specs.delete(h);
    } catch (e) {
      if (e instanceof ConnectError) {
        unreachable(h, name, at, e);
        return undefined;
      }
      const msg = task.noLog ? NO_LOG_MSG : errorText(e);
      out = { status: 'failed', result: { failed: true, changed: false, msg }, ignored: task.ignoreErrors, msg };
      o.sink.emit({ type: 'task:result', host: h, play: play.name, task: name, at, status: 'failed', msg, durationMs: Date.now() - t0, startedAt: t0 });
    }
    tally(h, out.status, out.ignored, out.msg);
    if (task.register) r.registered[task.register] = out.result;
    // What a no_log task printed stays hidden when a later task shows the registered result.
    if (task.noLog) addSecret([out.result.stdout, out.result.stderr, out.result.results]);
    if (out.facts) {
      addSecretVars(out.facts, vars);
      Object.assign(r.facts, out.facts);
    }
    if (out.status === 'failed' && !out.ignored) r.failed = true;
    if (out.status === 'changed') for (const n of task.notify) r.notified.add(n);
    return out;
  };

  const tasks = play.tasks.filter((t) => selectedByTags(t, o.tags, o.skipTags));
  const ahead = speculable(play, tasks);
  const specs = new Map<string, Map<Task, TaskSpec>>();
  const planAhead = async (h: string) => {
    const r = runs.get(h)!;
    if (!ahead.length || r.failed || r.unreachable) return;
    try {
      const conn = await st.pool.get(h, varsFor(r, magicFor(h), o.extraVars));
      specs.set(h, speculateHost(ahead, h, conn, (t) => varsFor(r, magicFor(h), o.extraVars, t.vars), env(h)));
    } catch {
      // unreachable: its first task reports it
    }
  };
  const ok = (h: string) => !runs.get(h)!.failed && !runs.get(h)!.unreachable;
  const aborted = () => !!o.signal?.aborted;
  let stopReason: string | undefined;
  const bs = batches(live, play.serial);
  for (const [bi, batch] of bs.entries()) {
    if (aborted() || stopReason) break;
    await forEachLimit(batch, o.forks, async (h) => {
      await gather(h);
      await planAhead(h);
    });
    let fatal = false;
    if (play.strategy === 'free') {
      await forEachLimit(batch, o.forks, async (h) => {
        for (const t of tasks) {
          if (aborted() || !ok(h) || skipUntilStart(t, st)) continue;
          await runOne(t, h);
        }
      });
    } else {
      for (const t of tasks) {
        if (aborted() || fatal) break;
        if (skipUntilStart(t, st)) continue;
        const active = batch.filter(ok);
        if (!active.length) break;
        if (t.runOnce) {
          const out = await runOne(t, active[0]);
          for (const h of active.slice(1)) {
            if (out && t.register) runs.get(h)!.registered[t.register] = out.result;
            if (out?.facts) Object.assign(runs.get(h)!.facts, out.facts);
          }
        } else await forEachLimit(active, o.forks, async (h) => void (await runOne(t, h)));
        if (play.anyErrorsFatal && batch.some((h) => runs.get(h)!.failed)) fatal = true;
      }
    }
    await runHandlers(play, batch, st, runOne, aborted);
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

async function runHandlers(
  play: Play,
  batch: string[],
  st: PlayState,
  runOne: (t: Task, h: string) => Promise<TaskOutcome | undefined>,
  aborted: () => boolean,
) {
  const eligible = (h: string) => {
    const r = st.runs.get(h)!;
    return !r.unreachable && (!r.failed || st.o.forceHandlers) && r.notified.size > 0;
  };
  const done = new Map<string, Set<string>>();
  for (let round = 0; round < 5; round++) {
    let ran = false;
    for (const hd of play.handlers) {
      if (aborted()) return;
      const names = [hd.name ?? '', ...hd.listen];
      const hosts = batch.filter((h) => eligible(h) && names.some((n) => st.runs.get(h)!.notified.has(n)) && !done.get(h)?.has(hd.name ?? ''));
      if (!hosts.length) continue;
      ran = true;
      await forEachLimit(hosts, st.o.forks, async (h) => {
        (done.get(h) ?? done.set(h, new Set()).get(h)!).add(hd.name ?? '');
        await runOne(hd, h);
      });
    }
    if (!ran) break;
  }
}


/** Every inventory host, also those outside --limit (a mesh's peers), computed on access. */
function hostvarsView(runs: Map<string, HostRun>, inv: Inventory): Record<string, Record<string, unknown>> {
  const view: Record<string, Record<string, unknown>> = {};
  for (const name of inv.hosts.keys())
    Object.defineProperty(view, name, {
      enumerable: true,
      get: () => {
        const r = runs.get(name);
        return r ? { ...r.inventoryVars, ...r.playVars, ...r.facts, ...r.registered } : hostVars(inv, name);
      },
    });
  return view;
}

function delegateVars(inv: Inventory, target: string): Record<string, unknown> {
  if (inv.hosts.has(target)) return hostVars(inv, target);
  if (target === 'localhost' || target === '127.0.0.1') return { ansible_connection: 'local' };
  throw new InputError(`delegate_to: unknown host "${target}"`, { hint: 'delegate to a host of the inventory or localhost' });
}
