// A module decides before it acts: it reads the host through a Probe and returns a Plan.
import type { Location } from '../errors.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Read-only view of a host; allowed in check mode. */
export interface Probe {
  run(cmd: string): Promise<ExecResult>;
  readFile(path: string): Promise<Buffer | null>;
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
  /** Evaluate a `when:`-style expression against the host's vars (assert uses it). */
  test(expr: string): boolean;
}

export interface ModuleDef<P = unknown> {
  name: string;
  /** Accepts a free-form string (`shell: echo hi`); parse gets `{ _raw: string, ...extra }`. */
  freeForm?: boolean;
  /** Runs on the controller only: no connection needed (debug, set_fact, fail, assert). */
  local?: boolean;
  /**
   * Validate and normalise args. Called at load time with unrendered args (strings may still hold
   * `{{ }}`: helpers skip format checks on those) and again per host after rendering.
   * Bad args → PlaybookError naming `at`.
   */
  parse(args: unknown, at: Location): P;
  plan(p: P, host: Probe, ctx: TaskContext): Promise<Plan>;
}

export function defineModule<P>(def: ModuleDef<P>): ModuleDef<P> {
  return def;
}
