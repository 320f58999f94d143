// One host's progress through one play: its variables, its connection, facts, the plans made ahead for it, and
// each task it runs (runTask: when → apply → what the result changes on the host's state and recap line).
import { ConnectError } from '../errors.js';
import { evalBool } from '../expr/eval.js';
import { factsScript, parseFacts, subsetParts } from '../facts/facts.js';
import { markUnsafe } from '../jinja/runtime.js';
import type { Task } from '../playbook/types.js';
import { renderValue } from '../template/render.js';
import { addSecret, addSecretVars } from '../vault/secrets.js';
import { blockFailure } from './blocks.js';
import { applyControl } from './control.js';
import { errorText } from './error-text.js';
import type { TaskResultEvent, TaskStatus } from './events.js';
import { stale } from './footprint.js';
import { type HostRun, touched, varsFor } from './host.js';
import { delegateVars } from './magic.js';
import type { PlayRun } from './play.js';
import { withRemoteUser } from './remote-user.js';
import { plannedWrites } from './safety/expect.js';
import { type Spec, speculateHost, type TaskSpec } from './speculate.js';
import type { Handled } from './tally.js';
import { failureHandled, NO_LOG_MSG, runTask, type TaskEnv, type TaskOutcome } from './task.js';

const hasKeys = (o: Record<string, unknown> | undefined): boolean => {
  for (const _ in o) return true;
  return false;
};

/** A task's name and place as events show them, and when it started. */
export interface TaskTurn {
  task: Task;
  name: string;
  at: string;
  t0: number;
}

export class HostProgress {
  readonly run: HostRun;
  /** Plans made ahead of their turn; one is used unless a later change wrote what it read (aheadFor). */
  private specs?: Map<Task, TaskSpec>;
  /** Footprint keys written on the host since the plans were made ahead (footprint.ts). */
  private readonly written = new Set<string>();
  /** The host's vars for tasks without vars of their own, and what they were made of. */
  private shared?: { of: unknown[]; vars: Record<string, unknown> };

  constructor(
    readonly play: PlayRun,
    readonly name: string,
  ) {
    this.run = play.st.host(name);
  }

  private get o() {
    return this.play.st.o;
  }

  /** The host's variables, with a task's own vars and role defaults when given. */
  vars(t?: Task): Record<string, unknown> {
    const magic = this.play.magicFor(this.name);
    if (t && (hasKeys(t.vars) || hasKeys(t.roleDefaults))) return varsFor(this.run, magic, this.o.extraVars, t.vars, t.roleDefaults);
    // Most tasks add no vars of their own: they share one merge until a layer is replaced or touched (host.ts).
    const r = this.run;
    const of = [magic, r.inventoryVars, r.playVars, r.includeVars, r.facts, r.registered, r.version ?? 0, this.o.extraVars];
    if (this.shared?.of.every((x, i) => x === of[i])) return this.shared.vars;
    const vars = varsFor(r, magic, this.o.extraVars);
    this.shared = { of, vars };
    return vars;
  }

  /** The host's connection variables with the play's remote_user (a template) where no variable names the user. */
  connVars(): Record<string, unknown> {
    const play = this.play.play;
    const vars = this.vars();
    const user =
      play.remoteUser === undefined ? undefined : String(renderValue(play.remoteUser, vars, { at: play.at, host: this.name })).trim();
    return withRemoteUser(vars, user || undefined);
  }

  env(): TaskEnv {
    const { play } = this.play;
    const o = this.o;
    const h = this.name;
    // The host's vars for its own connection, made once per env: every planned item connects (one pool lookup).
    let own: Record<string, unknown> | undefined;
    return {
      play: play.name,
      baseDir: play.baseDir,
      check: o.check,
      diff: play.diff ?? o.diff,
      become: play.become,
      environment: play.environment,
      becomeUser: play.becomeUser,
      defaultTimeout: o.taskTimeout,
      connect: (target, user) => {
        const vars = target === h ? (own ??= this.vars()) : delegateVars(o.inventory, target);
        return play.connection === 'local' && target === h ? o.localConnector() : this.play.st.pool.get(target, withRemoteUser(vars, user));
      },
      emit: (e: TaskResultEvent) => o.sink.emit(e),
      output: o.sink.wantsOutput ? (host: string, line: string) => o.sink.emit({ type: 'task:output', host, chunk: line }) : undefined,
      // network safety: saves and arms the host before the first change to its network (src/executor/safety)
      beforeApply: this.play.st.guard && !o.check ? (i) => this.play.st.guard!.beforeApply(i) : undefined,
    };
  }

  tally(status: TaskStatus, handled?: Handled, msg?: string): void {
    this.play.st.tally(this.name, status, handled, msg);
  }

  /** A task:result event of this host in this play. */
  emitResult(
    turn: Omit<TaskTurn, 'task'>,
    status: TaskStatus,
    extra: Partial<TaskResultEvent> = {},
    durationMs = Date.now() - turn.t0,
  ): void {
    const { name, at, t0 } = turn;
    this.o.sink.emit({
      type: 'task:result',
      host: this.name,
      play: this.play.play.name,
      task: name,
      at,
      status,
      ...extra,
      durationMs,
      startedAt: t0,
    });
  }

  /** The host is lost for the rest of the run: reported once, counted unreachable. */
  lost(task: string, at: string, e: unknown): void {
    this.run.unreachable = true;
    const msg = errorText(e);
    this.o.sink.emit({ type: 'host:unreachable', host: this.name, msg });
    this.emitResult({ name: task, at, t0: Date.now() }, 'unreachable', { msg }, 0);
    this.tally('unreachable', undefined, msg);
  }

  async gather(): Promise<void> {
    const { play } = this.play;
    if (!play.gatherFacts || play.connection === 'local') return;
    // Facts are gathered once per run, again only when a play asks for parts an earlier one left out (gather_subset).
    const parts = subsetParts(play.gatherSubset ?? []);
    const r = this.run;
    if (r.factsGathered && [...parts].every((p) => r.factsParts.includes(p))) return;
    const t0 = Date.now();
    try {
      const conn = await this.play.st.pool.get(this.name, this.connVars());
      const res = await conn.exec(factsScript(parts, play.gatherTimeout));
      const got = parseFacts(res, { parts, subset: play.gatherSubset });
      const before = (r.facts.ansible_facts ?? {}) as Record<string, unknown>;
      Object.assign(r.facts, got, { ansible_facts: { ...before, ...(got.ansible_facts as Record<string, unknown>) } });
      touched(r);
      r.factsGathered = true;
      r.factsParts = [...new Set([...r.factsParts, ...parts])];
      this.emitResult({ name: 'Gathering Facts', at: '', t0 }, 'ok');
      this.tally('ok');
    } catch (e) {
      this.lost('Gathering Facts', '', e);
    }
  }

  /** Plans the play's speculable tasks for this host now (probes coalesced into few round trips). */
  async planAhead(ahead: Task[]): Promise<void> {
    if (!ahead.length || this.run.failed || this.run.unreachable) return;
    try {
      // connection: local plays probe the controller, where their tasks run.
      const conn =
        this.play.play.connection === 'local' ? await this.o.localConnector() : await this.play.st.pool.get(this.name, this.connVars());
      const { specs, sent } = speculateHost(ahead, this.name, conn, (t) => this.vars(t), this.env());
      this.specs = specs;
      this.written.clear();
      // network safety: the files these plans will write are copied with the first save
      this.play.st.guard?.expectWrites(this.name, plannedWrites(this.specs, this.play.tasks));
      await sent;
    } catch {
      // unreachable: its first task reports it
    }
  }

  /** Runs one task on this host; undefined when it was skipped by when: or the host was unreachable. */
  async runTask(task: Task): Promise<TaskOutcome | undefined> {
    const vars = this.vars(task);
    const turn: TaskTurn = {
      task,
      name: task.name ?? task.module,
      at: task.at ? `${task.at.file}:${task.at.line ?? ''}` : '',
      t0: Date.now(),
    };
    this.o.sink.emit({ type: 'task:start', host: this.name, play: this.play.play.name, task: turn.name, at: turn.at, startedAt: turn.t0 });
    let out: TaskOutcome;
    try {
      if (task.when.length && task.loop === undefined && !evalBool(task.when, vars, task.at)) {
        this.skipped(turn);
        return undefined;
      }
      out = await this.apply(turn, vars);
    } catch (e) {
      if (e instanceof ConnectError) return this.connectFailed(turn, e);
      out = this.failed(turn, e, vars);
    }
    this.record(turn, vars, out);
    return out;
  }

  private skipped(turn: TaskTurn): void {
    this.emitResult(turn, 'skipped', { msg: 'conditional result was False' }, 0);
    this.tally('skipped');
    if (turn.task.register) {
      this.run.registered[turn.task.register] = { changed: false, skipped: true, skip_reason: 'Conditional result was False' };
      touched(this.run);
    }
  }

  /** The task's work on the host (or a dynamic include's reading of files). */
  private async apply(turn: TaskTurn, vars: Record<string, unknown>): Promise<TaskOutcome> {
    const { task } = turn;
    if (task.include) return this.play.includes.outcome(this, turn, vars);
    const out = await runTask(task, this.name, vars, this.env(), (await this.aheadFor(task))?.spec, this.play.play.remoteUser);
    // Something changed on the host: the plans made ahead that read it are stale from here on.
    if (out.applied) for (const w of out.writes ?? ['*']) this.written.add(w);
    if (this.written.has('*')) this.specs = undefined;
    return out;
  }

  /** The plan made ahead for this task, unless something applied since then wrote what it read (footprint.ts). */
  private async aheadFor(task: Task): Promise<{ spec: TaskSpec } | undefined> {
    const spec = this.specs?.get(task);
    if (!spec) return undefined;
    if (!this.written.size) return { spec };
    const got: Spec | (Spec | undefined)[] = await spec;
    for (const s of Array.isArray(got) ? got : [got])
      if (s && ('error' in s || stale(s.planned.footprint.reads, this.written))) return undefined;
    return { spec };
  }

  private connectFailed(turn: TaskTurn, e: ConnectError): undefined {
    const { task } = turn;
    if (task.ignoreUnreachable ?? this.play.play.ignoreUnreachable) {
      // ignore_unreachable: reported, counted as ignored, and the host stays in the play (the next task reconnects).
      const msg = errorText(e);
      this.emitResult(turn, 'unreachable', { ignored: true, msg });
      this.tally('failed', 'ignored', msg);
      this.play.st.pool.forget(this.name);
      // Plans made ahead hold the lost connection: later tasks plan again over the new one.
      this.specs = undefined;
      if (task.register) this.run.registered[task.register] = { unreachable: true, changed: false, msg };
      touched(this.run);
      return undefined;
    }
    // network safety: an armed host restores itself; the batch's settle checks it
    this.play.st.guard?.lost(this.name, turn.name);
    this.lost(turn.name, turn.at, e);
    return undefined;
  }

  private failed(turn: TaskTurn, e: unknown, vars: Record<string, unknown>): TaskOutcome {
    const { task } = turn;
    const msg = task.noLog ? NO_LOG_MSG : errorText(e);
    const handled = failureHandled(task, vars);
    this.emitResult(turn, 'failed', { ...handled, msg });
    return { status: 'failed', result: { failed: true, changed: false, msg }, ignored: handled.ignored === true, msg };
  }

  /** What a task's outcome leaves on the host: blocks, recap, register, facts, notifications, the inventory. */
  private record(turn: TaskTurn, vars: Record<string, unknown>, out: TaskOutcome): void {
    const { task, name, at } = turn;
    const r = this.run;
    // A failure a rescue: part catches leaves the host healthy; any other fails it (it still runs owed always: parts).
    let rescued = false;
    if (out.status === 'failed' && !out.ignored) {
      rescued = blockFailure(task, r.blocks);
      if (rescued) {
        r.registered.ansible_failed_task = { name, action: task.module, at };
        r.registered.ansible_failed_result = out.result;
      } else r.failed = true;
    }
    if (!out.uncounted) this.tally(out.status, out.ignored ? 'ignored' : rescued ? 'rescued' : undefined, out.msg);
    if (task.register) r.registered[task.register] = markUnsafe(out.result);
    // What a no_log task printed stays hidden when a later task shows the registered result.
    if (task.noLog) addSecret([out.result.stdout, out.result.stderr, out.result.results]);
    if (out.facts) {
      addSecretVars(out.facts, vars);
      Object.assign(r.facts, out.facts);
    }
    // delegate_facts: the facts go to the hosts the task was delegated to (hosts of this run; others have no facts)
    for (const [h, f] of Object.entries(out.delegatedFacts ?? {})) {
      const to = this.play.st.runs.get(h);
      if (!to) continue;
      addSecretVars(f, vars);
      Object.assign(to.facts, f);
      touched(to);
    }
    if (out.status === 'changed') for (const n of task.notify) r.notified.add(n);
    // register, facts or a rescue changed the host's vars: views made of them (hostvars, shared task vars) are stale
    if (rescued || task.register || out.facts) touched(r);
    if (out.status !== 'failed' && out.status !== 'skipped' && applyControl(task.module, out.result, r, this.o.inventory, vars))
      this.play.inventoryChanged();
  }
}
