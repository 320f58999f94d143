// Dynamic includes in a play: what each host included is kept until the strategy runs it, and hosts that
// included the same tasks run them together.
import type { Task } from '../playbook/types.js';
import type { TaskStatus } from './events.js';
import type { HostProgress, TaskTurn } from './host-progress.js';
import { type HostInclusion, hostInclusion, type IncludeCache } from './include.js';
import { selectedByTags } from './tags.js';
import type { TaskOutcome } from './task.js';

export class PlayIncludes {
  private readonly inclusions = new Map<Task, Map<string, HostInclusion>>();
  private readonly caches = new Map<Task, IncludeCache>();

  /** @param handlers the play's handlers, which handlers of included roles join */
  constructor(
    private readonly handlers: Task[],
    private readonly tags: { tags: string[]; skipTags: string[] },
  ) {}

  /** An include on one host: what it brings is kept for the strategy, the result says what was included. */
  outcome(host: HostProgress, turn: TaskTurn, vars: Record<string, unknown>): TaskOutcome {
    const { task } = turn;
    if (!this.caches.has(task)) this.caches.set(task, new Map());
    const inc = hostInclusion(task, host.name, vars, this.caches.get(task)!, this.handlers);
    (this.inclusions.get(task) ?? this.inclusions.set(task, new Map()).get(task)!).set(host.name, inc);
    const sources = [...new Set(inc.sources)];
    const status: TaskStatus = inc.sources.length ? 'ok' : 'skipped';
    const msg = inc.sources.length ? `included: ${sources.join(', ')}` : 'no item was included';
    host.emitResult(turn, status, { msg });
    // As Ansible's recap: one ok per file an include_tasks includes (a loop of 3 includes 3 times; the caller counts
    // the first); an include_role that includes its role is counted nowhere (only its tasks are).
    const role = task.include?.kind === 'role';
    if (!role) for (let i = 1; i < inc.sources.length; i++) host.tally('ok');
    return {
      status,
      result: { changed: false, include: sources },
      ignored: false,
      ...(role && status === 'ok' ? { uncounted: true } : {}),
    };
  }

  /** Hosts that included the same tasks, grouped (in the order the hosts came); the inclusion is used up. */
  groups(task: Task, hosts: string[], healthy: (h: string) => boolean): [string[], Task[]][] {
    const byKey = new Map<string, [string[], Task[]]>();
    for (const h of hosts) {
      const inc = this.inclusions.get(task)?.get(h);
      if (!inc?.tasks.length || !healthy(h)) continue;
      const g =
        byKey.get(inc.key) ??
        byKey.set(inc.key, [[], inc.tasks.filter((t) => selectedByTags(t, this.tags.tags, this.tags.skipTags))]).get(inc.key)!;
      g[0].push(h);
    }
    this.inclusions.delete(task);
    return [...byKey.values()];
  }
}
