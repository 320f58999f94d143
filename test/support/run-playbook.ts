// Runs a playbook written in the test on memory hosts (test/support/memory-host.ts): what a user would see is the
// event stream, the recap and the exit code; what the hosts hold is in the lab's command and upload records.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EventSink, RunEvent, TaskResultEvent } from '../../src/executor/events.js';
import { type RunOptions, type RunResult, runPlaybook } from '../../src/executor/run.js';
import { loadInventory } from '../../src/inventory/load.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { RunContext, withRunContext } from '../../src/vault/context.js';
import { MemoryLab } from './memory-host.js';

export interface Ran extends RunResult {
  /** The run's own secrets, vault passwords and caches (redact inside withRunContext(context, …)). */
  context: RunContext;
  events: RunEvent[];
  lab: MemoryLab;
  /** task:result events as "host task status" lines, in the order they came. */
  results: string[];
  /** The task:result events of one host. */
  of(host: string): TaskResultEvent[];
}

export interface RunSpec extends Partial<Omit<RunOptions, 'inventory' | 'playbook'>> {
  /** hosts.ini text, or host names (all in group `all`, connection by the memory connector) */
  inventory: string | string[];
  /** more files beside the playbook (vars files, task files for includes) */
  files?: Record<string, string>;
  lab?: MemoryLab;
  /** called with the lab before the run (to script the hosts) */
  script?: (lab: MemoryLab) => void;
}

/** Runs in a context of its own: what one run learns (secrets, files read) no other run or test sees. */
export function runYaml(playbook: string, spec: RunSpec): Promise<Ran> {
  const context = new RunContext();
  return withRunContext(context, () => runIn(context, playbook, spec));
}

async function runIn(context: RunContext, playbook: string, spec: RunSpec): Promise<Ran> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-unit-'));
  try {
    const ini = typeof spec.inventory === 'string' ? spec.inventory : spec.inventory.join('\n');
    const names =
      typeof spec.inventory === 'string' ? [...new Set([...ini.matchAll(/^([a-z][\w.-]*)(?=\s|$)/gm)].map((m) => m[1]!))] : spec.inventory;
    writeFileSync(join(dir, 'hosts.ini'), `${ini}\n`);
    writeFileSync(join(dir, 'site.yml'), playbook);
    for (const [f, text] of Object.entries(spec.files ?? {})) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    const lab = spec.lab ?? new MemoryLab([...names, 'localhost']);
    spec.script?.(lab);
    const events: RunEvent[] = [];
    const sink: EventSink = { emit: (e) => void events.push(e), close: async () => undefined };
    const { inventory: _i, files: _f, lab: _l, script: _s, ...rest } = spec;
    const result = await runPlaybook({
      inventory: loadInventory([join(dir, 'hosts.ini')], dir),
      playbook: loadPlaybook(join(dir, 'site.yml')),
      tags: [],
      skipTags: [],
      check: false,
      diff: false,
      extraVars: {},
      forks: 5,
      forceHandlers: false,
      connector: lab.connector,
      localConnector: () => lab.host('localhost').connect(),
      sink,
      ...rest,
    });
    const res = events.filter((e): e is TaskResultEvent => e.type === 'task:result');
    return {
      ...result,
      context,
      events,
      lab,
      results: res.map((e) => `${e.host} ${e.task} ${e.status}${e.ignored ? ' ignored' : ''}${e.rescued ? ' rescued' : ''}`),
      of: (host) => res.filter((e) => e.host === host),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A recap line as the user reads it: "ok=2 changed=1 …", only the counts that are not zero. */
export function recapLine(r: Ran, host: string): string {
  const t = r.recap[host];
  if (!t) return '(no recap)';
  return (['ok', 'changed', 'skipped', 'failed', 'unreachable', 'ignored', 'rescued'] as const)
    .filter((k) => t[k])
    .map((k) => `${k}=${t[k]}`)
    .join(' ');
}
