// The one place a run's outcome becomes an exit code: run, exec, check and merge-reports all ask exitCodeOf.
import type { Recap } from './events.js';

export const EXIT = { ok: 0, failed: 2, unreachable: 3, badInput: 4, drift: 5, interrupted: 130 } as const;

export interface RunOutcome {
  recap: Recap;
  /** Ctrl-C (or SIGTERM) stopped the run, or one of the merged shards. */
  interrupted: boolean;
  /** runbook check: tasks that would change something. */
  drift?: number;
}

/**
 * Worst first: an interrupted run (its recap is incomplete) 130, a failed or rolled-back host 2, an unreachable host 3, drift 5,
 * else 0. Failures ignore_errors or a rescue: part took care of do not count.
 */
export function exitCodeOf(o: RunOutcome): number {
  const tallies = Object.values(o.recap);
  if (o.interrupted) return EXIT.interrupted;
  if (tallies.some((t) => t.failed > 0 || t.rolledBack)) return EXIT.failed;
  if (tallies.some((t) => t.unreachable > 0)) return EXIT.unreachable;
  if (o.drift) return EXIT.drift;
  return EXIT.ok;
}
