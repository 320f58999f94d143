// The one way run, exec and check hand a loaded playbook to the executor: connector, Ctrl-C, sink closing.
import type { EventSink } from '../executor/events.js';
import type { RunOptions, RunResult } from '../executor/run.js';
import { parseShard } from '../executor/shard.js';
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../playbook/types.js';
import { localConnector, makeConnector } from './connector.js';
import { parseExtraVars, splitList } from './options.js';
import type { RunFlags } from './run.js';
import { interruptController } from './sink.js';

export type ExecuteFlags = Omit<RunFlags, 'listHosts' | 'listTasks' | 'syntaxCheck'>;

/** Runs the playbook and closes the sink; `over` sets what the command fixes (check mode, no tags, …). */
export async function execute(
  f: ExecuteFlags,
  inventory: Inventory,
  playbook: Playbook,
  sink: EventSink,
  over: Partial<RunOptions> = {},
  after?: (r: RunResult) => void,
): Promise<number> {
  const { runPlaybook } = await import('../executor/run.js');
  const connector = makeConnector(f);
  const ac = interruptController();
  try {
    const result = await runPlaybook({
      inventory,
      playbook,
      limit: f.limit,
      shard: f.shard === undefined ? undefined : parseShard(f.shard),
      tags: splitList(f.tags),
      skipTags: splitList(f.skipTags),
      check: !!f.check,
      diff: !!f.diff || !!f.report,
      extraVars: parseExtraVars(f.extraVars),
      forks: f.forks,
      startAtTask: f.startAtTask,
      forceHandlers: !!f.forceHandlers,
      taskTimeout: f.timeout,
      connector,
      checkTargets: connector.check,
      localConnector,
      sink,
      signal: ac.signal,
      ...over,
    });
    after?.(result);
    return result.exitCode;
  } finally {
    await sink.close();
  }
}
