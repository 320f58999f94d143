// `runbook run`: load and validate everything, then hand the executor a sink and a connector.
import { loadInventory } from '../inventory/load.js';
import { selectHosts } from '../inventory/select.js';
import { inShard, parseShard } from '../executor/shard.js';
import { formatPlaybookOutline, loadPlaybook } from '../playbook/load.js';
import type { HostKeyPolicy } from '../remote/known-hosts.js';
import { execute } from './execute.js';
import { inventorySources } from './options.js';
import { type OutputMode, makeSink, withReport } from './sink.js';

export interface RunFlags {
  inventory?: string[];
  limit?: string;
  shard?: string;
  tags?: string[];
  skipTags?: string[];
  check?: boolean;
  diff?: boolean;
  extraVars?: string[];
  forks: number;
  listHosts?: boolean;
  listTasks?: boolean;
  syntaxCheck?: boolean;
  startAtTask?: string;
  forceHandlers?: boolean;
  timeout?: number;
  verbose: number;
  output: OutputMode;
  knownHosts?: string;
  hostKeyChecking?: HostKeyPolicy;
  user?: string;
  privateKey?: string;
  connectTimeout?: number;
  /** --report FILE: HTML report written at the end (implies collecting diffs, printed only with --diff). */
  report?: string;
}

export async function runCommand(file: string, f: RunFlags): Promise<number> {
  const playbook = loadPlaybook(file);
  if (f.syntaxCheck) {
    process.stdout.write(`playbook: ${file}: syntax OK (${playbook.plays.length} play${playbook.plays.length === 1 ? '' : 's'}, ${playbook.plays.reduce((n, p) => n + p.tasks.length, 0)} tasks)\n`);
    return 0;
  }
  if (f.listTasks) {
    process.stdout.write(`${formatPlaybookOutline(playbook, 'tasks')}\n`);
    return 0;
  }
  const inventory = loadInventory(inventorySources(f.inventory));
  const shard = f.shard === undefined ? undefined : parseShard(f.shard);
  const { playHosts } = await import('../executor/run.js');
  if (f.listHosts) {
    for (const p of playbook.plays) {
      const hs = inShard(playHosts(inventory, p, f.limit), shard);
      process.stdout.write(`play "${p.name}" (${p.hosts}): ${hs.length} host${hs.length === 1 ? '' : 's'}\n${hs.map((h) => `  ${h}`).join('\n')}\n`);
    }
    return 0;
  }
  if (f.limit) selectHosts(inventory, f.limit);
  return execute(f, inventory, playbook, await withReport(await makeSink(f.output, f.verbose), f));
}
