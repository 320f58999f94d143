// `runbook check`: check mode as a drift detector for CI — exit 0 when nothing would change, 5 naming what would.
import type { EventSink, Recap, RunEvent } from '../executor/events.js';
import { loadInventory } from '../inventory/load.js';
import { selectHosts } from '../inventory/select.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/types.js';
import { exitCodeOf, type RunOutcome } from '../shared/outcome.js';
import { redactDeep } from '../vault/secrets.js';
import { execute } from './execute.js';
import { applyConnection, inventorySources } from './options.js';
import { limitPattern } from './rerun.js';
import type { RunFlags } from './run.js';
import { makeSink, withReport } from './sink.js';

/** One task (or loop item) that would change a host: what CI needs to name the drift. */
export interface Drift {
  host: string;
  task: string;
  item?: string;
  /** file:line of the task */
  at: string;
}

/** What `check -o json` prints: one document, not an event stream, so a CI step can read it whole. */
export interface DriftReport {
  playbook: string;
  drifted: boolean;
  count: number;
  hosts: string[];
  drift: Drift[];
  /** Handlers the drift would notify; consequences of the drift, not drift of their own. */
  handlers: Drift[];
  failed: (Drift & { msg?: string })[];
  unreachable: { host: string; msg?: string }[];
  recap: Recap;
  exit_code: number;
}

// `file:line:col` → `file:line`: a drift names the task, the column adds nothing.
const fileLine = (at: string) => at.replace(/^(.*:\d+):\d+$/, '$1');

// Collects would-change results while the usual sink renders the run; handler results are kept apart.
export function driftCollector(inner: EventSink, handlerAts: Set<string>) {
  const drift: Drift[] = [];
  const handlers: Drift[] = [];
  const failed: (Drift & { msg?: string })[] = [];
  const unreachable: { host: string; msg?: string }[] = [];
  let recap: Recap = {};
  const sink: EventSink = {
    emit(e: RunEvent) {
      if (e.type === 'task:result') {
        const d: Drift = { host: e.host, task: e.task, at: fileLine(e.at), ...(e.item !== undefined ? { item: e.item } : {}) };
        if (e.status === 'changed') (handlerAts.has(d.at) ? handlers : drift).push(d);
        if (e.status === 'failed' && !e.ignored && !e.rescued) failed.push({ ...d, msg: e.msg?.split('\n')[0] });
      }
      if (e.type === 'host:unreachable') unreachable.push({ host: e.host, msg: e.msg.split('\n')[0] });
      if (e.type === 'run:end') recap = e.recap;
      inner.emit(e);
    },
    close: () => inner.close(),
  };
  return { sink, drift, handlers, failed, unreachable, recap: () => recap };
}

/** Drift sorted by host (natural order), tasks in run order within a host. */
export function sortDrift(ds: Drift[]): Drift[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.host.localeCompare(b.d.host, 'en', { numeric: true }) || a.i - b.i)
    .map((x) => x.d);
}

// `DRIFT h2  GRE port to every peer [h3]  (playbooks/gre-mesh.yaml:138)` lines, then a count line.
export function formatDrift(drift: Drift[], handlers: Drift[]): string {
  const sorted = sortDrift(drift);
  if (!sorted.length) return 'no drift: every host matches the playbook';
  const w = Math.max(...sorted.map((d) => d.host.length));
  const lines = sorted.map(
    (d) => `DRIFT ${d.host.padEnd(w)}  ${d.task}${d.item !== undefined ? ` [${d.item}]` : ''}${d.at ? `  (${d.at})` : ''}`,
  );
  for (const h of sortDrift(handlers)) lines.push(`  then handler "${h.task}" would run on ${h.host}`);
  const hosts = new Set(sorted.map((d) => d.host)).size;
  lines.push(`drift: ${sorted.length} task${sorted.length === 1 ? '' : 's'} on ${hosts} host${hosts === 1 ? '' : 's'} would change`);
  return lines.join('\n');
}

function handlerLocations(p: Playbook): Set<string> {
  return new Set(p.plays.flatMap((play) => play.handlers.map((h) => (h.at ? `${h.at.file}:${h.at.line ?? ''}` : ''))).filter(Boolean));
}

export async function checkCommand(file: string, given: RunFlags): Promise<number> {
  const playbook = loadPlaybook(file);
  const f: RunFlags = { ...given, limit: limitPattern(given.limit) };
  const inventory = loadInventory(inventorySources(f.inventory), playbook.baseDir);
  applyConnection(inventory, f.connection);
  if (f.limit) selectHosts(inventory, f.limit);
  const json = f.output === 'json';
  const quiet: EventSink = { emit() {}, close: async () => {} };
  const inner = await withReport(json ? quiet : await makeSink(f.output, f.verbose), f);
  const c = driftCollector(inner, handlerLocations(playbook));
  let outcome: RunOutcome = { recap: {}, interrupted: false };
  await execute(f, inventory, playbook, c.sink, { check: true, forceHandlers: false }, (r) => (outcome = r));
  // Failures and unreachable hosts keep their exit codes (2/3, 130 when interrupted); otherwise 5 means drift.
  const exit = exitCodeOf({ ...outcome, drift: c.drift.length });
  if (json) {
    const recap = c.recap();
    const report: DriftReport = {
      playbook: file,
      drifted: c.drift.length > 0,
      count: c.drift.length,
      hosts: [...new Set(sortDrift(c.drift).map((d) => d.host))],
      drift: sortDrift(c.drift),
      handlers: sortDrift(c.handlers),
      failed: c.failed,
      unreachable: c.unreachable,
      recap,
      exit_code: exit,
    };
    process.stdout.write(`${JSON.stringify(redactDeep(report), null, 2)}\n`);
  } else process.stdout.write(`\n${redactDeep(formatDrift(c.drift, c.handlers))}\n`);
  return exit;
}
