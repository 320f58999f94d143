// `runbook run`: load and validate everything, then hand the executor a sink and a connector.
import { existsSync } from 'node:fs';
import { safetyNotice } from '../executor/safety/notice.js';
import { inShard, parseShard } from '../executor/shard.js';
import { loadInventory } from '../inventory/load.js';
import { selectHosts } from '../inventory/select.js';
import { formatPlaybookOutline, loadPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/types.js';
import type { HostKeyPolicy } from '../remote/known-hosts.js';
import { execute } from './execute.js';
import { applyConnection, inventorySources, parseExtraVars } from './options.js';
import { limitPattern, recordRun, rerunHosts } from './rerun.js';
import { makeSink, type OutputMode, withReport } from './sink.js';

export interface RunFlags {
  inventory?: string[];
  /** -c: the connection of hosts whose inventory sets none (local, or ssh). */
  connection?: string;
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
  /** --rerun failed: only the hosts the last run of this playbook left failed or unreachable. */
  rerun?: 'failed';
  /** network safety: --confirm-timeout (seconds; 0 off) and --rollback-on-failure. */
  confirmTimeout?: number;
  rollbackOnFailure?: boolean;
}

export async function runCommand(file: string, given: RunFlags): Promise<number> {
  const playbook = loadPlaybook(file);
  let f: RunFlags = { ...given, limit: limitPattern(given.limit) };
  if (f.syntaxCheck) return syntaxCheck(file, playbook, f);
  if (f.listTasks) {
    process.stdout.write(`${formatPlaybookOutline(playbook, 'tasks')}\n`);
    return 0;
  }
  const inventory = loadInventory(inventorySources(f.inventory), playbook.baseDir);
  applyConnection(inventory, f.connection);
  if (f.rerun) {
    const limited = f.limit ? new Set(selectHosts(inventory, f.limit)) : undefined;
    const hosts = rerunHosts(file).filter((h) => inventory.hosts.has(h) && (!limited || limited.has(h)));
    if (!hosts.length) {
      process.stdout.write(
        `nothing to rerun: the last run of ${file} left no failed or unreachable host${f.limit ? ` in ${f.limit}` : ''}\n`,
      );
      return 0;
    }
    f = { ...f, limit: hosts.join(',') };
  }
  const shard = f.shard === undefined ? undefined : parseShard(f.shard);
  const { playHosts } = await import('../executor/run.js');
  if (f.listHosts) {
    for (const p of playbook.plays) {
      const hs = inShard(playHosts(inventory, p, f.limit, parseExtraVars(f.extraVars)), shard);
      process.stdout.write(
        `play "${p.name}" (${p.hosts}): ${hs.length} host${hs.length === 1 ? '' : 's'}\n${hs.map((h) => `  ${h}`).join('\n')}\n`,
      );
    }
    return 0;
  }
  if (f.limit) selectHosts(inventory, f.limit);
  const safety = { confirmTimeout: f.confirmTimeout ?? 60, rollbackOnFailure: !!f.rollbackOnFailure };
  if (!f.check) process.stderr.write(safetyNotice(playbook, safety.confirmTimeout));
  return execute(f, inventory, playbook, await withReport(await makeSink(f.output, f.verbose), f), safety, (r) =>
    recordRun(file, r.recap, r.exitCode),
  );
}

/**
 * `--syntax-check`: the playbook, and with an inventory every check a run makes before it connects (inventory,
 * vars_files, templates rendered per host, static asserts), so "syntax OK" means the run will not stop at load.
 */
async function syntaxCheck(file: string, playbook: Playbook, f: RunFlags): Promise<number> {
  if (f.rerun) rerunHosts(file);
  const plays = `${playbook.plays.length} play${playbook.plays.length === 1 ? '' : 's'}, ${playbook.plays.reduce((n, p) => n + p.tasks.length, 0)} tasks`;
  const sources = f.inventory?.length ? f.inventory : existsSync('inventory') ? ['inventory'] : undefined;
  if (!sources) {
    process.stdout.write(
      `playbook: ${file}: syntax OK (${plays}; no inventory given: templates and vars were not checked per host, pass -i)\n`,
    );
    return 0;
  }
  const inventory = loadInventory(sources, playbook.baseDir);
  applyConnection(inventory, f.connection);
  if (f.limit) selectHosts(inventory, f.limit);
  const { checkBeforeConnect } = await import('../executor/run.js');
  const { all } = checkBeforeConnect({
    inventory,
    playbook,
    limit: f.limit,
    shard: f.shard === undefined ? undefined : parseShard(f.shard),
    extraVars: parseExtraVars(f.extraVars),
    check: !!f.check,
  });
  process.stdout.write(`playbook: ${file}: syntax OK (${plays}; checked for ${all.size} host${all.size === 1 ? '' : 's'})\n`);
  return 0;
}
