// Plays × hosts: the whole run — preflight of every play, one connection pool, the recap and the exit code.
import { InventoryError } from '../errors.js';
import { selectHosts } from '../inventory/select.js';
import type { Inventory } from '../inventory/types.js';
import { hostVars } from '../inventory/vars.js';
import { resolveVarsPrompts } from '../playbook/prompt.js';
import type { Play, Playbook } from '../playbook/types.js';
import type { Connection } from '../remote/connection.js';
import { exitCodeOf } from '../shared/outcome.js';
import { hasTemplate, renderValue } from '../template/render.js';
import { addSecret, addSecretVars } from '../vault/secrets.js';
import type { EventSink, Recap } from './events.js';
import { type HostRun, newHostRun, varsFor } from './host.js';
import { runPlay } from './play.js';
import { ConnectionPool, type Connector } from './pool.js';
import { preflight } from './preflight.js';
import { orderHosts } from './remote-user.js';
import { RunState } from './run-state.js';
import { NetworkGuard } from './safety/guard.js'; // network safety
import { inShard, type Shard } from './shard.js';
import { emptyTally } from './tally.js';

export interface RunOptions {
  inventory: Inventory;
  playbook: Playbook;
  limit?: string;
  /** --shard i/n: only the hosts whose name hashes to this shard. */
  shard?: Shard;
  tags: string[];
  skipTags: string[];
  check: boolean;
  diff: boolean;
  extraVars: Record<string, unknown>;
  forks: number;
  startAtTask?: string;
  forceHandlers: boolean;
  taskTimeout?: number;
  connector: Connector;
  /** Checks what would fail every connect (key files, known_hosts) before any host is touched. */
  checkTargets?: (targets: { host: string; vars: Record<string, unknown> }[]) => Promise<void>;
  localConnector: () => Promise<Connection>;
  sink: EventSink;
  signal?: AbortSignal;
  /** network safety: seconds a host stays armed after a network change (0 or absent: off; the CLI defaults to 60). */
  confirmTimeout?: number;
  /** network safety: a host that fails a task is put back as it was before the play. */
  rollbackOnFailure?: boolean;
}

export interface RunResult {
  recap: Recap;
  exitCode: number;
  interrupted: boolean;
}

/** Hosts a play targets after --limit, in inventory order; `hosts: "{{ target | default('web') }}"` sees -e and the play's vars. */
export function playHosts(
  inv: Inventory,
  play: Play,
  limit?: string,
  extraVars: Record<string, unknown> = {},
  runtimeGroups = false,
): string[] {
  const pattern = hasTemplate(play.hosts) ? String(renderValue(play.hosts, { ...play.vars, ...extraVars }, { at: play.at })) : play.hosts;
  let selected: string[];
  try {
    selected = selectHosts(inv, pattern);
  } catch (e) {
    // A group that group_by or add_host makes at run time is not in the inventory yet: the play is worked out when it starts.
    if (runtimeGroups && e instanceof InventoryError) return [];
    throw e;
  }
  const hosts = orderHosts(selected, play.order);
  if (!limit) return hosts;
  const allowed = new Set(selectHosts(inv, limit));
  return hosts.filter((h) => allowed.has(h));
}

/** What a run knows of its hosts before it connects. */
export interface Prepared {
  runs: Map<string, HostRun>;
  recap: Recap;
  perPlay: string[][];
  all: Set<string>;
}

/**
 * Everything that can be checked without a host, for every play, before the first connects: inventory variables,
 * vars_files, templates (rendered per host), expressions, static asserts. `--syntax-check` runs exactly this.
 */
export function checkBeforeConnect(o: Pick<RunOptions, 'inventory' | 'playbook' | 'limit' | 'shard' | 'extraVars' | 'check'>): Prepared {
  const runs = new Map<string, HostRun>();
  const recap: Recap = {};
  const all = new Set<string>();
  const runtime = makesGroups(o.playbook);
  const perPlay = o.playbook.plays.map((p) => inShard(playHosts(o.inventory, p, o.limit, o.extraVars, runtime), o.shard));
  for (const hs of perPlay) for (const h of hs) all.add(h);
  const playVars = Object.assign({}, ...o.playbook.plays.map((p) => p.vars));
  for (const h of all) {
    runs.set(h, newHostRun(h, hostVars(o.inventory, h)));
    addSecretVars({ ...runs.get(h)!.inventoryVars, ...playVars, ...o.extraVars });
    recap[h] = emptyTally();
  }
  for (const [i, p] of o.playbook.plays.entries()) preflight(p, perPlay[i], runs, o as RunOptions);
  return { runs, recap, perPlay, all };
}

export async function runPlaybook(o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  // vars_prompt answers first: asked (or refused without a terminal) before any host is touched.
  const prompted = await resolveVarsPrompts(o.playbook, o.extraVars);
  for (const v of o.playbook.plays.flatMap((p) => p.varsPrompt ?? []))
    if (v.private && Object.hasOwn(prompted, v.name)) addSecret(prompted[v.name]);
  const { runs, recap, perPlay, all } = checkBeforeConnect(o);
  if (o.checkTargets) {
    const viaSsh = new Set(o.playbook.plays.flatMap((p, i) => (p.connection === 'local' ? [] : perPlay[i])));
    const targets = [...viaSsh].map((h) => ({ host: h, vars: varsFor(runs.get(h)!, { inventory_hostname: h }, o.extraVars) }));
    await o.checkTargets(targets.filter((t) => t.vars.ansible_connection !== 'local'));
  }

  const pool = new ConnectionPool(async (host, vars) => {
    if (vars.ansible_connection === 'local') return o.localConnector();
    return o.connector(host, vars);
  });
  o.sink.emit({ type: 'run:start', playbook: o.playbook.file, hosts: [...all], check: o.check });
  const st = new RunState(o, runs, recap, pool);
  const safety = { confirmTimeout: o.confirmTimeout ?? 0, rollbackOnFailure: !!o.rollbackOnFailure }; // network safety
  if (!o.check && NetworkGuard.wanted(safety)) st.guard = new NetworkGuard(safety); // network safety
  try {
    for (const [i, play] of o.playbook.plays.entries()) {
      if (o.signal?.aborted) break;
      const res = await runPlay(play, st.inventoryChanged ? hostsNow(play, st) : perPlay[i], st);
      if (res === 'stop') break;
    }
  } finally {
    await pool.closeAll();
  }
  const interrupted = !!o.signal?.aborted;
  const exitCode = exitCodeOf({ recap, interrupted });
  o.sink.emit({ type: 'run:end', recap, elapsedMs: Date.now() - started, exitCode, interrupted });
  return { recap, exitCode, interrupted };
}

/** Whether the playbook may make hosts or groups at run time (group_by, add_host, refresh_inventory). */
function makesGroups(pb: Playbook): boolean {
  return pb.plays.some((p) =>
    p.tasks.some((t) => t.module === 'group_by' || t.module === 'add_host' || t.module === 'meta' || t.include !== undefined),
  );
}

// A play after group_by/add_host: its hosts from the inventory as it is now; a host new to the run gets its state and recap line.
function hostsNow(play: Play, st: RunState): string[] {
  const { o, runs, recap } = st;
  const hosts = inShard(playHosts(o.inventory, play, o.limit, o.extraVars, true), o.shard);
  for (const h of hosts) {
    const r = runs.get(h);
    if (!r) {
      runs.set(h, newHostRun(h, hostVars(o.inventory, h)));
      addSecretVars(runs.get(h)!.inventoryVars);
      recap[h] = emptyTally();
    } else r.inventoryVars = hostVars(o.inventory, h);
  }
  return hosts;
}
