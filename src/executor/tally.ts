// How one task's status counts in a host's recap line.
import type { HostTally, TaskStatus } from './events.js';

/** A failure that ignore_errors or a block's rescue: part took care of (it does not fail the host). */
export type Handled = 'ignored' | 'rescued';

export function countStatus(t: HostTally, status: TaskStatus, handled?: Handled, msg?: string): void {
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
}

export function emptyTally(): HostTally {
  return { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0, ignored: 0, rescued: 0 };
}
