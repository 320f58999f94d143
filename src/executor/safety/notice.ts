// The run's first line when network safety can arm hosts: how long they stay armed if runbook goes away.
import type { Playbook } from '../../playbook/types.js';
import { networkTask } from './classify.js';

/** Tasks (and handlers) that may change a host's network, as written (templated sysctl names count). */
export function mayChangeNetwork(pb: Playbook): boolean {
  return pb.plays.some((p) =>
    [...p.tasks, ...p.handlers].some(
      (t) =>
        networkTask(t.module, t.args, t.network) ||
        (t.module.endsWith('sysctl') && /\{\{/.test(String((t.args as { name?: unknown })?.name ?? ''))),
    ),
  );
}

export function safetyNotice(pb: Playbook, confirmTimeout: number): string {
  if (!mayChangeNetwork(pb)) return '';
  if (confirmTimeout <= 0) return 'network safety: off (--confirm-timeout 0): a network change that cuts SSH leaves the host cut off\n';
  return `network safety: a host is armed from its first network change until runbook confirms it over a new SSH connection; if runbook stops (Ctrl-C, crash, lost laptop) it restores itself within ${confirmTimeout} s\n`;
}
