// A run as the plays see it: the options, every host's state and recap line, the connection pool, and where
// --start-at-task stands. One object per runPlaybook; plays read and change it, nothing else does.
import type { Task } from '../playbook/types.js';
import { type RunContext, runContext } from '../vault/context.js';
import type { Recap, TaskStatus } from './events.js';
import type { HostRun } from './host.js';
import type { ConnectionPool } from './pool.js';
import type { RunOptions } from './run.js';
import type { NetworkGuard } from './safety/guard.js';
import { countStatus, type Handled } from './tally.js';

export class RunState {
  /** Set when group_by, add_host or refresh_inventory changed the inventory: later plays select their hosts again. */
  inventoryChanged = false;
  /** The secrets, vault passwords and caches of this run (src/vault/context.ts). */
  readonly context: RunContext = runContext();
  /** network safety (src/executor/safety): saves/arms hosts before network changes, confirms them per batch. */
  guard?: NetworkGuard;
  private startAt: string | undefined;

  constructor(
    readonly o: RunOptions,
    readonly runs: Map<string, HostRun>,
    readonly recap: Recap,
    readonly pool: ConnectionPool,
  ) {
    this.startAt = o.startAtTask;
  }

  host(h: string): HostRun {
    return this.runs.get(h)!;
  }

  /** Neither failed nor unreachable. */
  healthy(h: string): boolean {
    const r = this.host(h);
    return !r.failed && !r.unreachable;
  }

  aborted(): boolean {
    return !!this.o.signal?.aborted;
  }

  /** --start-at-task: tasks before the named one are skipped, once, for the whole run. */
  skipUntilStart(t: Task): boolean {
    if (!this.startAt) return false;
    if ((t.name ?? '') === this.startAt) {
      this.startAt = undefined;
      return false;
    }
    return true;
  }

  /** Counts one task's status in the host's recap line and tells the output. */
  tally(host: string, status: TaskStatus, handled?: Handled, msg?: string): void {
    const t = this.recap[host];
    countStatus(t, status, handled, msg);
    this.o.sink.emit({ type: 'host:tally', host, tally: { ...t } });
  }
}
