// What network safety found at the end of a batch, as the user sees it: recap counts, a result line, the host's state.

import type { Connection } from '../../remote/connection.js';
import type { EventSink, Recap } from '../events.js';
import type { HostRun } from '../host.js';
import type { GuardOutcome, NetworkGuard } from './guard.js';

export interface SettleScope {
  play: string;
  recap: Recap;
  runs: Map<string, HostRun>;
  sink: EventSink;
  fresh: (h: string) => Promise<Connection>;
  interrupted: boolean;
}

/** Confirms, rolls back or waits for the batch's guarded hosts, and reports each rolled-back one. */
export async function settleBatch(guard: NetworkGuard, batch: string[], s: SettleScope): Promise<GuardOutcome[]> {
  const outcomes = await guard.settle(batch, {
    fresh: s.fresh,
    failed: (h) => (s.runs.get(h)?.failed ? `"${s.recap[h]?.firstError ?? 'a failed task'}"` : undefined),
    interrupted: s.interrupted,
  });
  for (const o of outcomes) report(o, s);
  return outcomes;
}

function report(o: GuardOutcome, s: SettleScope): void {
  if (o.status === 'confirmed' || o.status === 'cleaned') return;
  const t = s.recap[o.host];
  const r = s.runs.get(o.host);
  if (!t || !r) return;
  const now = Date.now();
  if (o.status === 'rolled back') t.rolledBack = (t.rolledBack ?? 0) + 1;
  // A host put back (or left unreachable) leaves the run: later plays must not build on a state it no longer has.
  if (o.status === 'not restored' && !r.unreachable) t.unreachable++;
  if (!r.failed) r.unreachable = true;
  t.firstError = o.msg;
  const task = o.status === 'rolled back' ? 'network safety: rolled back' : 'network safety: not restored';
  s.sink.emit({
    type: 'task:result',
    host: o.host,
    play: s.play,
    task,
    at: '',
    status: o.status === 'rolled back' ? 'failed' : 'unreachable',
    msg: o.msg,
    durationMs: 0,
    startedAt: now,
  });
  s.sink.emit({ type: 'host:tally', host: o.host, tally: { ...t } });
}
