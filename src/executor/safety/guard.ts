// Network safety for one run: saves a host's state right before the first task that would change its network
// (or, with --rollback-on-failure, anything), arms a host-side watchdog, proves the management path with a new
// SSH connection at the end of the batch and disarms; a host that lost the path restores itself, and runbook
// checks it came back as it was. The executor calls beforeApply / lost / settle; everything else lives here.
import { TaskError } from '../../errors.js';
import type { Plan } from '../../modules/types.js';
import type { Connection, ExecOptions } from '../../remote/connection.js';
import { networkTask, writtenPaths } from './classify.js';
import {
  armCmd,
  bumpCmd,
  cleanupCmd,
  DONE,
  disarmCmd,
  FIRED,
  FIRED_MSG,
  fireCmd,
  gateCmd,
  guardDir,
  joinCmds,
  keepCmd,
  resultCmd,
  saveCmd,
  stillArmedCmd,
} from './commands.js';

export interface GuardOptions {
  /** Seconds a host stays armed without news from runbook; 0: no watchdog (commit-confirmed off). */
  confirmTimeout: number;
  rollbackOnFailure: boolean;
  /** Seconds runbook waits after the deadline before it looks at a host that lost its path. */
  graceSeconds?: number;
  runId?: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** What runbook does before a task's plan is applied on a host. */
export interface ApplyIntent {
  host: string;
  task: { name: string; module: string; network?: boolean };
  args: unknown;
  plan: Plan;
  conn: Connection;
  as: Pick<ExecOptions, 'become' | 'becomeUser'>;
}

export interface GuardOutcome {
  host: string;
  status: 'confirmed' | 'rolled back' | 'not restored' | 'cleaned';
  /** The task that cut the path (or failed), for the recap. */
  task?: string;
  /** One line for the recap. */
  msg: string;
}

interface HostGuard {
  /** Files the host's plans made ahead will write (copied with the first save). */
  expected?: Promise<string[]>;
  conn: Connection;
  as: ApplyIntent['as'];
  armed: boolean;
  /** ms: when the deadline was last set, for the next bump and for how long to wait after a loss. */
  deadlineAt: number;
  kept: Set<string>;
  lastNetTask?: string;
  /** Network changes applied so far: a confirm connection opened before the last of them proves nothing. */
  netSeq: number;
  /** The confirm connection opened early (prefetch), with the netSeq it was opened at. */
  early?: { seq: number; conn: Promise<Connection | undefined> };
  lostAt?: string;
  queue: Promise<unknown>;
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class NetworkGuard {
  readonly dir: string;
  private readonly hosts = new Map<string, HostGuard>();
  private readonly expected = new Map<string, Promise<string[]>>();
  private readonly grace: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly o: GuardOptions) {
    this.dir = guardDir(o.runId ?? `${Date.now().toString(36)}-${process.pid}`);
    this.grace = o.graceSeconds ?? 10;
    this.sleep = o.sleep ?? sleepMs;
    this.now = o.now ?? Date.now;
  }

  /** Whether a run with these options guards anything at all. */
  static wanted(o: Pick<GuardOptions, 'confirmTimeout' | 'rollbackOnFailure'>): boolean {
    return o.confirmTimeout > 0 || o.rollbackOnFailure;
  }

  /** Hosts whose state is saved (armed or not). */
  get saved(): string[] {
    return [...this.hosts.keys()];
  }

  /** Called right before a plan's steps run: saves, arms, moves the deadline, keeps copies, in one exec. */
  /**
   * Saves/arms the host if this change needs it; resolves with a gate for the task's commands while the host is
   * armed: a command that reaches the host after its watchdog fired (held up in a stalled connection while the host
   * restored itself) refuses to run, so nothing lands on a host that has put itself back.
   */
  async beforeApply(i: ApplyIntent): Promise<string | undefined> {
    if (i.conn.local) return undefined;
    const st = this.hosts.get(i.host);
    const run = () => this.prepare(i);
    if (!st) await run();
    else {
      const next = st.queue.then(run, run);
      st.queue = next.catch(() => undefined);
      await next;
    }
    return this.hosts.get(i.host)?.armed ? gateCmd(this.dir) : undefined;
  }

  private async prepare(i: ApplyIntent): Promise<void> {
    const net = networkTask(i.task.module, i.args, i.task.network);
    const arm = net && this.o.confirmTimeout > 0;
    let st = this.hosts.get(i.host);
    if (!st && !arm && !this.o.rollbackOnFailure) return;
    const parts: string[] = [];
    const fresh = !st;
    if (!st) {
      parts.push(saveCmd(this.dir, Math.max(600, this.o.confirmTimeout * 4)));
      st = { conn: i.conn, as: i.as, armed: false, deadlineAt: 0, kept: new Set(), netSeq: 0, queue: Promise.resolve() };
    }
    const ahead = fresh ? ((await this.expected.get(i.host)) ?? []) : [];
    const paths = [...new Set([...writtenPaths(i.task.module, i.args, i.plan), ...ahead])].filter(
      (p) => !st.kept.has(p) && !/[\t\n]/.test(p),
    );
    if (paths.length) parts.push(keepCmd(this.dir, paths));
    const t = this.o.confirmTimeout;
    if (arm && !st.armed) parts.push(armCmd(this.dir, t));
    // The deadline moves while the run works on the host; only once a third of it is gone (no round trip per task).
    else if (st.armed && this.now() - st.deadlineAt > (t * 1000) / 3) parts.push(bumpCmd(this.dir, t));
    if (net) {
      st.lastNetTask = i.task.name;
      st.netSeq++;
    }
    if (!parts.length) return;
    // Riding on an exec made anyway: a host that already restored itself gets nothing more applied.
    if (st.armed) parts.unshift(stillArmedCmd(this.dir));
    const r = await i.conn.exec(joinCmds(parts), { ...i.as, timeout: 60 });
    if (r.stdout.includes(FIRED))
      throw new TaskError(FIRED_MSG, {
        hint: 'a longer --confirm-timeout gives slow plays more time; the recap says why the host was rolled back',
      });
    if (r.code !== 0 || !r.stdout.includes(DONE)) {
      const why = r.stderr.trim().split('\n').pop() || `exit code ${r.code}`;
      throw new TaskError(`network safety: could not save the host's state before this task (${why}); nothing was changed`, {
        hint: 'the host needs iproute2 and a writable /run; or run with --confirm-timeout 0 to change it without the safety',
      });
    }
    if (fresh) this.hosts.set(i.host, st);
    for (const p of paths) st.kept.add(p);
    // armed now (the watchdog writes its deadline) or the deadline moved
    if ((arm && !st.armed) || parts.some((p) => p.includes('/deadline'))) st.deadlineAt = this.now();
    if (arm) st.armed = true;
  }

  /** Files the host's plans made ahead will write: copied in the exec that saves the state (no round trip each). */
  expectWrites(host: string, paths: Promise<string[]>): void {
    this.expected.set(
      host,
      paths.catch(() => []),
    );
  }

  /** The host's session died (its task is named): the watchdog restores it; settle() checks. */
  lost(host: string, task: string): void {
    const st = this.hosts.get(host);
    if (st) st.lostAt ??= task;
  }

  isSaved(host: string): boolean {
    return this.hosts.has(host);
  }

  /**
   * Opens the confirm connections of the batch's armed hosts now, when their tasks are done and their handlers are
   * about to run: the handshakes overlap the handlers instead of following them. settle() uses a host's connection
   * only if no network change reached the host after it was opened (a handler that changes the network makes
   * settle open another), so the proof stays a new connection made after the host's last network change.
   */
  prefetch(hosts: string[], fresh: (h: string) => Promise<Connection>): void {
    for (const h of hosts) {
      const st = this.hosts.get(h);
      if (!st?.armed || st.lostAt || st.early) continue;
      st.early = { seq: st.netSeq, conn: st.queue.then(() => fresh(h)).catch(() => undefined) };
    }
  }

  /**
   * End of a batch (`failed`: why a host failed, undefined when it did not): each guarded host is confirmed (new connection, disarm), rolled back (it failed and
   * --rollback-on-failure, or the run was interrupted) or awaited (it lost its path). `fresh` opens a new
   * connection: its own TCP connection and authentication.
   */
  async settle(
    hosts: string[],
    how: { fresh: (h: string) => Promise<Connection>; failed: (h: string) => string | undefined; interrupted: boolean },
  ): Promise<GuardOutcome[]> {
    const mine = hosts.filter((h) => this.hosts.has(h));
    const out = await Promise.all(mine.map((h) => this.settleOne(h, how)));
    for (const h of mine) this.hosts.delete(h);
    return out;
  }

  private async settleOne(
    h: string,
    how: { fresh: (h: string) => Promise<Connection>; failed: (h: string) => string | undefined; interrupted: boolean },
  ): Promise<GuardOutcome> {
    const st = this.hosts.get(h)!;
    await st.queue;
    const early = st.early;
    st.early = undefined;
    const closeUnused = (c: Promise<Connection | undefined>) => void c.then((x) => x?.close()).catch(() => undefined);
    // An early connection made before a later network change proves nothing; one the outcome does not need is unused.
    let pending = early?.seq === st.netSeq ? early.conn : undefined;
    if (early && !pending) closeUnused(early.conn);
    try {
      return await this.settleArmed(h, st, how, async () => {
        const c = await pending;
        pending = undefined;
        return c ?? how.fresh(h);
      });
    } finally {
      if (pending) closeUnused(pending);
    }
  }

  private async settleArmed(
    h: string,
    st: HostGuard,
    how: { fresh: (h: string) => Promise<Connection>; failed: (h: string) => string | undefined; interrupted: boolean },
    confirmConn: () => Promise<Connection>,
  ): Promise<GuardOutcome> {
    if (st.lostAt)
      return this.awaitRestore(h, st, how.fresh, `the management path was lost in "${st.lostAt}" (the session died)`, st.lostAt);
    if (how.interrupted && st.armed) return this.restoreNow(h, st, how.fresh, 'the run was interrupted while the host was armed');
    const failure = how.failed(h);
    if (failure !== undefined && this.o.rollbackOnFailure)
      return this.restoreNow(h, st, how.fresh, `--rollback-on-failure after ${failure}`);
    if (!st.armed) {
      await st.conn.exec(cleanupCmd(this.dir), st.as).catch(() => undefined);
      return { host: h, status: 'cleaned', msg: 'saved state removed' };
    }
    // The proof: a new TCP connection and a new authentication, not the session the tasks used.
    let conn: Connection | undefined;
    let how2 = 'no new SSH connection';
    try {
      conn = await confirmConn();
      const r = await conn.exec(disarmCmd(this.dir), st.as);
      const word = r.stdout.trim().split('\n').pop();
      if (word === 'confirmed') return { host: h, status: 'confirmed', msg: 'network changes confirmed over a new connection' };
      how2 = 'the host restored itself at its deadline, before runbook could confirm';
    } catch {
      // no new connection: the watchdog restores the host
    } finally {
      await conn?.close().catch(() => undefined);
    }
    const task = st.lastNetTask ?? '(unknown task)';
    return this.awaitRestore(h, st, how.fresh, `the management path was lost after "${task}" (${how2})`, task);
  }

  /** Starts the restore now (over the old session; a new one if it is gone) and reads its outcome. */
  private async restoreNow(h: string, st: HostGuard, fresh: (h: string) => Promise<Connection>, why: string): Promise<GuardOutcome> {
    try {
      const r = await st.conn.exec(fireCmd(this.dir, 30), { ...st.as, timeout: 45 });
      const res = await this.finishRestore(h, st, r.stdout, st.conn, why, st.lastNetTask);
      if (res) return res;
    } catch {
      // the restore dropped the old session, or it was gone: read the outcome over a new one
    }
    return this.awaitRestore(h, st, fresh, why, st.lastNetTask);
  }

  /** Waits for the deadline plus the grace period, reconnects and reads what the watchdog did. */
  private async awaitRestore(
    h: string,
    st: HostGuard,
    fresh: (h: string) => Promise<Connection>,
    why: string,
    task?: string,
  ): Promise<GuardOutcome> {
    if (!st.armed)
      return {
        host: h,
        status: 'not restored',
        task,
        msg: `${why}; the host was not armed (no network task had changed it), so nothing restored it`,
      };
    const until = st.deadlineAt + (this.o.confirmTimeout + this.grace) * 1000;
    let lastErr = '';
    for (;;) {
      const left = until - this.now();
      let conn: Connection | undefined;
      try {
        conn = await fresh(h);
        const r = await conn.exec(resultCmd(this.dir, Math.max(1, Math.min(5, left / 1000))), { ...st.as, timeout: 30 });
        const res = await this.finishRestore(h, st, r.stdout, conn, why, task);
        if (res) return res;
      } catch (e) {
        lastErr = (e as Error).message.split('\n')[0];
      } finally {
        await conn?.close().catch(() => undefined);
      }
      if (this.now() >= until) break;
      await this.sleep(Math.min(2000, Math.max(200, until - this.now())));
    }
    return {
      host: h,
      status: 'not restored',
      task,
      msg: `${why}; still unreachable ${this.o.confirmTimeout + this.grace} s after it was armed${lastErr ? ` (${lastErr})` : ''}`,
    };
  }

  /** `restored` + differences: the outcome (and the host's directory removed); undefined while not yet restored. */
  private async finishRestore(
    h: string,
    st: HostGuard,
    stdout: string,
    conn: Connection,
    why: string,
    task?: string,
  ): Promise<GuardOutcome | undefined> {
    const lines = stdout.trim().split('\n');
    const at = lines.indexOf('restored');
    if (at < 0)
      return lines.includes('gone') ? { host: h, status: 'not restored', task, msg: `${why}; its saved state is gone` } : undefined;
    const left = lines.slice(at + 1).filter((l) => l.trim() && l !== DONE);
    await conn.exec(cleanupCmd(this.dir), st.as).catch(() => undefined);
    const state = left.length
      ? `it differs from the saved state in ${left.length} line(s): ${left.slice(0, 3).join('; ')}`
      : 'links, addresses, routes and files equal those saved before the play';
    return { host: h, status: 'rolled back', task, msg: `rolled back: ${why}; ${state}` };
  }
}
