// `runbook exec`: one ad-hoc task on a host pattern, through the same loader checks and executor as playbooks.
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { loadInventory } from '../inventory/load.js';
import { lookup } from '../modules/registry.js';
import { bareTask } from '../playbook/task.js';
import type { Playbook } from '../playbook/types.js';
import { execute } from './execute.js';
import { applyConnection, inventorySources, parseExtraVars } from './options.js';
import { limitPattern } from './rerun.js';
import type { RunFlags } from './run.js';
import { makeSink, withReport } from './sink.js';

export interface ExecFlags
  extends Pick<
    RunFlags,
    | 'inventory'
    | 'connection'
    | 'limit'
    | 'shard'
    | 'check'
    | 'diff'
    | 'extraVars'
    | 'forks'
    | 'timeout'
    | 'verbose'
    | 'output'
    | 'knownHosts'
    | 'hostKeyChecking'
    | 'user'
    | 'privateKey'
    | 'connectTimeout'
    | 'report'
  > {
  module?: string;
  args?: string;
  become?: boolean;
  becomeUser?: string;
}

const at = { file: '<command line>' };

/** `-a` for a map module: `k=v k2=v2`, or YAML/JSON flow `{k: v}`. */
function moduleArgs(module: string, raw: string | undefined): unknown {
  const def = lookup(module, at);
  if (def.freeForm) return { _raw: raw ?? '' };
  if (!raw) return {};
  if (raw.trim().startsWith('{')) {
    try {
      return parse(raw);
    } catch (e) {
      throw new UsageError(`-a ${raw}: not a valid YAML map: ${(e as Error).message.split('\n')[0]}`, {
        hint: "use -a 'k=v k2=v2' or -a '{k: v, k2: v2}'",
      });
    }
  }
  return parseExtraVars([raw]);
}

export async function execCommand(pattern: string, command: string[], given: ExecFlags): Promise<number> {
  const f: ExecFlags = { ...given, limit: limitPattern(given.limit) };
  if (f.module && command.length) throw new UsageError('give either -m/-a or a command after --, not both');
  const module = f.module ?? 'shell';
  const raw = f.module ? f.args : command.join(' ');
  if (!f.module && !raw)
    throw new UsageError('nothing to run', { hint: 'runbook exec <pattern> -i <inventory> -- <command>  or  -m <module> -a <args>' });
  const args = moduleArgs(module, raw);
  lookup(module, at).parse(args, at);
  const task = bareTask(module, args, at, f.module ? `${module} ${raw ?? ''}`.trim() : raw);
  const baseDir = resolve('.');
  const playbook: Playbook = {
    file: '<exec>',
    baseDir,
    plays: [
      {
        name: `exec ${pattern}`,
        hosts: pattern,
        at,
        baseDir,
        vars: {},
        varsFiles: [],
        gatherFacts: false,
        become: !!f.become,
        ...(f.becomeUser ? { becomeUser: f.becomeUser } : {}),
        connection: 'ssh',
        tasks: [task],
        handlers: [],
        serial: [],
        anyErrorsFatal: false,
        strategy: 'free',
        tags: [],
      },
    ],
  };
  const inventory = loadInventory(inventorySources(f.inventory));
  applyConnection(inventory, f.connection);
  const sink = await withReport(await makeSink(f.output === 'auto' ? 'plain' : f.output, Math.max(1, f.verbose)), f);
  return execute(f, inventory, playbook, sink, { tags: [], skipTags: [], forceHandlers: false });
}
