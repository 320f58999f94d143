// One play, in phases: start (vars_files) → per batch (serial): gather facts → plan ahead → tasks (linear or free
// strategy) → handlers → confirm (any_errors_fatal, max_fail_percentage: whether later batches start) → end.
import { RunbookError } from '../errors.js';
import { groupsMap } from '../inventory/vars.js';
import { toBool } from '../modules/args.js';
import type { Play, Task } from '../playbook/types.js';
import { renderValue } from '../template/render.js';
import { batches, forEachLimit } from './batches.js';
import { blockAllows } from './blocks.js';
import { runHandlers } from './handlers.js';
import { HostProgress } from './host-progress.js';
import { wholeNumber } from './item.js';
import { hostvarsView } from './magic.js';
import { PlayIncludes } from './play-includes.js';
import { Semaphore } from './pool.js';
import type { RunState } from './run-state.js';
import { runtimeNames } from './runtime-names.js';
import { settleBatch } from './safety/outcome.js';
import { speculable } from './speculate.js';
import { runFree, runLinear } from './strategy.js';
import { selectedByTags } from './tags.js';
import type { TaskOutcome } from './task.js';
import { loadVarsFiles } from './vars-files.js';

/** @deprecated the run's state is a RunState; kept for callers that named it so. */
export type PlayState = RunState;

export async function runPlay(play: Play, hosts: string[], st: RunState): Promise<'stop' | undefined> {
  return new PlayRun(play, hosts, st).run();
}

export class PlayRun {
  /** Hosts neither failed nor unreachable when the play starts. */
  readonly live: string[];
  /** The play's handlers; handlers of roles included at run time join them (the loaded play stays as written). */
  readonly handlers: Task[];
  readonly includes: PlayIncludes;
  /** The play's tasks after --tags/--skip-tags, and those of them whose plan can be made ahead. */
  readonly tasks: Task[];
  private readonly ahead: Task[];
  private groups: ReturnType<typeof groupsMap>;
  private hostvars: ReturnType<typeof hostvarsView>;
  private readonly magic = new Map<string, Record<string, unknown>>();
  private readonly progress = new Map<string, HostProgress>();
  private readonly throttles = new Map<Task, Semaphore>();
  /** Hosts with a vars_files entry left for after their facts; the play's runtime names, found once. */
  private readonly deferredVarsFiles = new Set<string>();
  private runtime?: Set<string>;
  /** meta: end_host takes a host out of the rest of the play; end_batch and end_play stop more. */
  readonly ended = new Set<string>();
  batchOver = false;
  playOver = false;
  /** any_errors_fatal: a host of the batch failed. */
  fatal = false;
  /** The play's any_errors_fatal, a template rendered once with the play's vars and -e, as Ansible does. */
  readonly anyErrorsFatal: boolean;
  currentBatch: string[] = [];
  /** Tasks run once for all hosts under the free strategy (add_host). */
  readonly onceDone = new Set<Task>();

  constructor(
    readonly play: Play,
    readonly hosts: string[],
    readonly st: RunState,
  ) {
    const { o } = st;
    const aef = play.anyErrorsFatal;
    this.anyErrorsFatal = typeof aef === 'boolean' ? aef : playBool('any_errors_fatal', aef, { ...play.vars, ...o.extraVars }, play);
    this.live = hosts.filter((h) => st.healthy(h));
    this.groups = groupsMap(o.inventory);
    this.hostvars = hostvarsView(st.runs, o.inventory);
    this.handlers = [...play.handlers];
    this.includes = new PlayIncludes(this.handlers, o);
    this.tasks = play.tasks.filter((t) => selectedByTags(t, o.tags, o.skipTags));
    this.ahead = speculable(play, this.tasks);
  }

  host(h: string): HostProgress {
    let p = this.progress.get(h);
    if (!p) this.progress.set(h, (p = new HostProgress(this, h)));
    return p;
  }

  /** The run's magic variables as host h sees them in this play (one object per host until the inventory changes). */
  magicFor(h: string): Record<string, unknown> {
    let m = this.magic.get(h);
    if (!m) this.magic.set(h, (m = this.makeMagic(h)));
    return m;
  }

  private makeMagic(h: string): Record<string, unknown> {
    return {
      groups: this.groups,
      hostvars: this.hostvars,
      play_hosts: this.live,
      ansible_play_hosts: this.live,
      ansible_play_hosts_all: this.hosts,
      ansible_play_name: this.play.name,
      ansible_check_mode: this.st.o.check,
      playbook_dir: this.play.baseDir,
      inventory_hostname: h,
    };
  }

  /** group_by, add_host or refresh_inventory changed the inventory: groups and hostvars are read again. */
  inventoryChanged(): void {
    this.st.inventoryChanged = true;
    this.groups = groupsMap(this.st.o.inventory);
    this.hostvars = hostvarsView(this.st.runs, this.st.o.inventory);
    this.magic.clear();
  }

  /** Whether task t runs on host h now: healthy hosts, and failed ones for the always: parts they are owed. */
  runnable(t: Task, h: string): boolean {
    const r = this.st.host(h);
    return !this.ended.has(h) && !r.unreachable && blockAllows(t, r.blocks, r.failed);
  }

  stopped(): boolean {
    return this.st.aborted() || this.fatal || this.batchOver || this.playOver;
  }

  /**
   * throttle: at most this many hosts in the task at once (task, block or play keyword); a template is rendered with
   * the vars of `h` (the task's first host), as Ansible renders it when it queues the task. 0: no limit.
   */
  throttleOf(t: Task, h: string): number | undefined {
    const v = t.throttle ?? this.play.throttle;
    if (typeof v !== 'string') return v;
    const n = wholeNumber(t, v, 'throttle', 0, this.host(h).vars(t), h);
    return n === 0 ? undefined : n;
  }

  throttled(t: Task, h: string): Promise<TaskOutcome | undefined> {
    if (this.throttles.has(t)) return this.throttles.get(t)!.use(() => this.host(h).runTask(t));
    const n = this.throttleOf(t, h);
    if (!n) return this.host(h).runTask(t);
    let sem = this.throttles.get(t);
    if (!sem) this.throttles.set(t, (sem = new Semaphore(n)));
    return sem.use(() => this.host(h).runTask(t));
  }

  /** Runs the notified handlers of the batch's hosts (end of the batch, or meta: flush_handlers). */
  flush(batch: string[]): Promise<void> {
    const playNow: Play = { ...this.play, handlers: this.handlers };
    return runHandlers(
      playNow,
      batch.filter((h) => !this.ended.has(h)),
      this.st,
      (t, h) => this.host(h).runTask(t),
      () => this.st.aborted(),
    );
  }

  async run(): Promise<'stop' | undefined> {
    this.start();
    const bs = batches(this.live, this.play.serial);
    let stopReason: string | undefined;
    for (const [bi, batch] of bs.entries()) {
      if (this.st.aborted() || stopReason || this.playOver) break;
      await this.runBatch(batch);
      stopReason = this.confirm(batch, bi, bs.length);
    }
    return this.end(stopReason);
  }

  /** play:start, and each live host's play vars (vars:, then vars_files: rendered for the host). */
  private start(): void {
    const { play, st } = this;
    st.o.sink.emit({ type: 'play:start', play: play.name, hosts: this.hosts, tasks: play.tasks.length });
    for (const h of this.live) {
      const r = st.host(h);
      r.playVars = { ...play.vars };
      r.notified.clear();
      // a new object, not an in-place change: hostvars built while the files were read see the files' vars after
      if (play.varsFiles.length) this.readVarsFiles(h, true);
    }
  }

  /**
   * The play vars of host h with its vars_files read. An entry named by a fact ("vars/{{ ansible_os_family }}.yml")
   * waits for the facts: left out at the play's start, read after gathering (as Ansible does; in the files' order).
   */
  private readVarsFiles(h: string, atStart: boolean): void {
    const r = this.st.host(h);
    const names = (this.runtime ??= runtimeNames(this.play));
    // Before facts, or when the play gathers none (Ansible then skips such an entry too), a fact's name may be missing.
    const lenient = atStart || !r.factsGathered;
    const later = lenient ? { names, deferred: 0 } : undefined;
    const files = loadVarsFiles(this.play, this.play.baseDir, this.host(h).vars(), h, later);
    r.playVars = { ...this.play.vars, ...files };
    if (atStart && later?.deferred) this.deferredVarsFiles.add(h);
  }

  private async runBatch(batch: string[]): Promise<void> {
    this.batchOver = false;
    await forEachLimit(batch, this.st.o.forks, async (h) => {
      await this.host(h).gather();
      if (this.deferredVarsFiles.delete(h)) this.readVarsFiles(h, false);
      await this.host(h).planAhead(this.ahead);
    });
    this.fatal = false;
    this.currentBatch = batch;
    if (this.play.strategy === 'free') await forEachLimit(batch, this.st.o.forks, (h) => runFree(this, this.tasks, h, batch));
    else await runLinear(this, this.tasks, batch);
    const { st } = this;
    const fresh = (h: string) => st.o.connector(h, this.host(h).connVars(), { oneShot: true });
    // end_play and end_batch end without the handlers, as Ansible's do.
    if (!this.playOver && !this.batchOver) {
      // network safety: the confirm connections are opened while the handlers run (guard.ts, prefetch)
      if (st.guard && !st.aborted()) st.guard.prefetch(batch, fresh);
      await this.flush(batch);
    }
    // network safety: prove each armed host's path with a new connection and disarm it, or see it rolled back
    if (st.guard)
      await settleBatch(st.guard, batch, {
        play: this.play.name,
        recap: st.recap,
        runs: st.runs,
        sink: st.o.sink,
        fresh,
        interrupted: st.aborted(),
      });
  }

  /** Why later batches do not start, if they do not. */
  private confirm(batch: string[], bi: number, batchCount: number): string | undefined {
    const { play } = this;
    const failedN = batch.filter((h) => !this.st.healthy(h)).length;
    const more = bi < batchCount - 1;
    if (this.fatal) return 'any_errors_fatal: a host failed, the play stops for every host';
    if (play.maxFailPercentage !== undefined && (failedN / batch.length) * 100 > play.maxFailPercentage && more)
      return `max_fail_percentage ${play.maxFailPercentage}% exceeded in batch ${bi + 1} (${failedN}/${batch.length} hosts failed): later batches not started`;
    if (play.serial.length && failedN === batch.length && more) return `every host of batch ${bi + 1} failed: later batches not started`;
    return undefined;
  }

  private end(stopReason: string | undefined): 'stop' | undefined {
    const { st } = this;
    st.o.sink.emit({ type: 'play:end', play: this.play.name, stoppedReason: stopReason });
    if (!stopReason) return undefined;
    for (const h of this.hosts) if (st.healthy(h) && st.recap[h]) st.recap[h].firstError ??= stopReason;
    return 'stop';
  }
}

/** A play keyword written as a template: rendered once with the play's vars and -e, read as Ansible reads a boolean. */
function playBool(key: string, tpl: string, vars: Record<string, unknown>, play: Play): boolean {
  const v = renderValue(tpl, vars, { at: play.at });
  const b = toBool(v);
  if (b === undefined)
    throw new RunbookError(`${key}: "${tpl}" rendered to ${JSON.stringify(v)}, not true or false`, {
      at: play.at,
      hint: `make it render to true or false`,
    });
  return b;
}
