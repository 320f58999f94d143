// A module decides before it acts: it reads the host through a Probe and returns a Plan.
import type { Location } from '../errors.js';
import type { RpcReply } from '../remote/json-rpc.js';
import type { ExecResult } from '../shared/exec.js';
import type { Args } from './args.js';
import type { FileStat, StatOpts } from './fs.js';
import { type ArgRules, type ArgSpec, type ArgSpecs, type ModuleSpec, parseArgs } from './spec.js';

// Kept here for modules, which all import their types from this file.
export type { ExecResult };

/** Read-only view of a host; allowed in check mode. */
export interface Probe {
  run(cmd: string): Promise<ExecResult>;
  readFile(path: string): Promise<Buffer | null>;
  /** What statPaths asks, where the probe can share one stat among calls (else statPaths runs its own script). */
  stat?(paths: string[], o: StatOpts): Promise<FileStat[]>;
  /**
   * A JSON-RPC request on a unix socket of the host with no process started there (over SSH only): the reply, or
   * 'timeout' after `timeout` seconds, or undefined where it cannot be asked that way (the caller runs its command).
   */
  jsonRpc?(socket: string, method: string, params: unknown[], timeout: number): Promise<RpcReply | 'timeout' | undefined>;
}

export type Step =
  | {
      kind: 'exec';
      cmd: string;
      /** Fed on stdin (never on the command line). */
      stdin?: string;
      /** rc/stdout/stderr of this step become the task's registered result (command, shell). */
      capture?: boolean;
    }
  | {
      kind: 'upload';
      dest: string;
      content: Buffer;
      /** octal string such as "0644" */
      mode?: string;
      owner?: string;
      group?: string;
      /** keep a timestamped copy of the old file beside it */
      backup?: boolean;
    }
  | {
      /** fetch: a file written on the controller (parent directories created, temp name + rename). */
      kind: 'local-write';
      path: string;
      content: Buffer;
    };

export interface FileDiff {
  path?: string;
  before: string;
  after: string;
}

export interface Plan {
  changed: boolean;
  /** Applied in order unless in check mode. */
  steps?: Step[];
  diff?: FileDiff[];
  /** One-line human summary ("192.168.2.0/24 via 10.0.0.2"). */
  note?: string;
  /** Extra keys merged into the registered result (msg, dest, checksum…). */
  result?: Record<string, unknown>;
  /** set_fact: host variables set for the rest of the run. */
  facts?: Record<string, unknown>;
  /** The module decided the task fails (fail, assert, a probe that found an error). */
  failed?: string;
  /** The task is skipped (e.g. `creates` already exists); the text says why. */
  skipped?: string;
  /** Applied even when nothing changes (systemctl daemon-reload), never in check mode; the task stays ok. */
  always?: Step[];
  /**
   * Work on the host's connection itself (reboot, wait_for_connection): run at apply time, never in check mode.
   * Its keys join the registered result; `failed: true` (with msg) fails the task.
   */
  session?: (s: HostSession) => Promise<Record<string, unknown>>;
  /**
   * What the module's `merge` needs to apply this plan's steps together with other loop items' plans (one
   * transaction). Set only when those steps are idempotent: a failed merged apply is retried item by item.
   */
  batch?: unknown;
  /**
   * What applying these steps can change, where the module knows better than its footprint (src/executor/footprint.ts)
   * from what it found on the host: narrower only. A plan made ahead that read none of these keys stays good.
   */
  writes?: readonly string[];
}

/** The host's connection as reboot and wait_for_connection drive it (src/executor/session.ts). */
export interface HostSession {
  /** false for a local connection: there is nothing to reopen. */
  readonly remote: boolean;
  /** A command on the host, with the task's become and environment; timeout in seconds. */
  run(cmd: string, opts?: { timeout?: number }): Promise<ExecResult>;
  /** Closes the connection and opens a new one (connectTimeout: seconds for the handshake); rejects with a ConnectError while the host is away. */
  reconnect(connectTimeout?: number): Promise<void>;
  /** Closes the connection: the host is going away. */
  close(): Promise<void>;
}

export interface TaskContext {
  host: string;
  vars: Record<string, unknown>;
  check: boolean;
  diff: boolean;
  /** Directory of the playbook file; relative src/template paths resolve from here. */
  baseDir: string;
  at: Location;
  /** Render a template file (relative to baseDir, baseDir/templates, or ./templates) with the host's vars. */
  renderFile(path: string): string;
  /** Read a controller-side file (same resolution as renderFile). */
  readLocal(path: string): Buffer;
  /** Where a controller-side path resolves (readLocal's search; `templates`: renderFile's); copy finds a directory src by it. */
  localPath?(path: string, folder?: 'files' | 'templates'): string;
  /** Evaluate a `when:`-style expression against the host's vars (assert uses it). */
  test(expr: string): boolean;
}

/** What the pre-run check (src/executor/preflight.ts) offers a module's preflight hook, for one host. */
export interface PreflightContext {
  host: string;
  vars: Record<string, unknown>;
  at: Location;
  /** A controller-side path as the run will resolve it: beside the playbook, or in its `templates/` or `files/` folder. */
  resolveLocal(path: string, folder: 'templates' | 'files'): string;
  /** Renders template text with the host's vars (skipped when it reads values only the run produces). */
  renderFile(path: string, text: string): void;
  /** Evaluates a `when:`-style expression against the host's vars. */
  test(expr: string): boolean;
}

export interface ModuleDef<P = unknown> {
  name: string;
  /** One line: what the module does (`runbook doc --list`, the README table). */
  doc: string;
  /** A task using it, in YAML (`runbook doc`, the README table). */
  example: string;
  /** The arguments, declared once: parse, the JSON Schema, `runbook doc` and the README read them. */
  spec: ModuleSpec;
  /** Accepts a free-form string (`shell: echo hi`); parse gets `{ _raw: string, ...extra }`. */
  freeForm?: boolean;
  /** Runs on the controller only: no connection needed (debug, set_fact, fail, assert). */
  local?: boolean;
  /** Its plan talks to the network or waits (uri, get_url, wait_for, git): planned at its turn only, never ahead. */
  atTurn?: boolean;
  /**
   * Validate and normalise args. Called at load time with unrendered args (strings may still hold
   * `{{ }}`: type checks skip those) and again per host after rendering.
   * Bad args → PlaybookError naming `at`.
   */
  parse(args: unknown, at: Location): P;
  plan(p: P, host: Probe, ctx: TaskContext): Promise<Plan>;
  /**
   * Loop items applied as one: given the `batch` of each item's changed plan (in item order), the steps that do what
   * all their steps do, or undefined when these items must be applied one by one (e.g. two touch the same thing).
   */
  merge?(batches: unknown[]): Step[] | undefined;
  /**
   * Before any host is touched, with args rendered for one host: look for what would fail later (a missing
   * template, a false assert). Throw an InputError, or return `{ failed }` to have the host listed as failing.
   */
  preflight?(p: P, ctx: PreflightContext): { failed: string } | undefined;
}

type Scalar<T extends string | undefined> = T extends 'bool'
  ? boolean
  : T extends 'int' | 'float'
    ? number
    : T extends 'dict'
      ? Record<string, unknown>
      : T extends 'raw'
        ? any
        : string;
type ValueOf<S extends ArgSpec> = S['type'] extends 'list' ? Scalar<S['elements']>[] : Scalar<S['type']>;
/** The parsed values of a spec: typed, required or defaulted ones never undefined (a `check` may change them: `any`). */
export type ArgValues<S extends ArgSpecs> = {
  [K in keyof S]: S[K]['check'] extends (...x: any[]) => any
    ? any
    : S[K] extends { required: true } | { default: string | number | boolean | object }
      ? ValueOf<S[K]>
      : ValueOf<S[K]> | undefined;
};

/** A module as written: its spec, and `build` turning the checked values into what plan needs. */
export interface ModuleDecl<S extends ArgSpecs, P> extends ArgRules, Omit<ModuleDef<P>, 'parse' | 'spec'> {
  args: S;
  open?: boolean;
  /** Module-specific checks and shaping after parseArgs; fail(a, …) reports with the usual prefix. */
  build(v: ArgValues<S>, a: Args): P;
}

export function defineModule<const S extends ArgSpecs, P>(decl: ModuleDecl<S, P>): ModuleDef<P> {
  const { args, open, mutually_exclusive, required_together, required_one_of, required_if, build, ...def } = decl;
  const spec: ModuleSpec = { args, open, mutually_exclusive, required_together, required_one_of, required_if };
  return {
    ...def,
    spec,
    parse(raw, at) {
      const a = parseArgs(spec, raw, at, def.name);
      return build(a.v as ArgValues<S>, a);
    },
  };
}

/**
 * A read-only module's answer that sets facts (service_facts, package_facts, getent): changed false, the facts as
 * top-level variables and under ansible_facts (kept beside the host's other facts), and as the registered result's
 * ansible_facts.
 */
export function factsPlan(ctx: Pick<TaskContext, 'vars'>, facts: Record<string, unknown>, note: string, msg?: string): Plan {
  const before = (ctx.vars.ansible_facts ?? {}) as Record<string, unknown>;
  return {
    changed: false,
    note,
    facts: { ...facts, ansible_facts: { ...before, ...facts } },
    result: { ansible_facts: facts, ...(msg ? { msg } : {}) },
  };
}
