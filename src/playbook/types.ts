import type { Location } from '../errors.js';

export interface Task {
  name?: string;
  /** Module name, e.g. "shell". */
  module: string;
  /** Raw module args as written (map, or { _raw } for free-form), rendered per host at run time. */
  args: unknown;
  at: Location;
  when: string[];
  /** A list, or a string expression/template that must render to a list. */
  loop?: unknown;
  loopVar: string;
  register?: string;
  notify: string[];
  tags: string[];
  ignoreErrors: boolean;
  changedWhen: string[];
  failedWhen: string[];
  noLog: boolean;
  become?: boolean;
  retries?: number;
  delay?: number;
  until: string[];
  runOnce: boolean;
  delegateTo?: string;
  /** Seconds; a command still running after this fails the task. */
  timeout?: number;
  /** check_mode: false runs the task for real even under --check (read-only probes); true always checks. */
  checkMode?: boolean;
  /** Task-level vars. */
  vars: Record<string, unknown>;
  /** Handlers only: extra names this handler answers to. */
  listen: string[];
}

export interface Play {
  name: string;
  hosts: string;
  at: Location;
  vars: Record<string, unknown>;
  varsFiles: string[];
  gatherFacts: boolean;
  become: boolean;
  connection: 'ssh' | 'local';
  tasks: Task[];
  handlers: Task[];
  /** Batch sizes: numbers or percentages ("30%"), cycled like Ansible. */
  serial: (number | string)[];
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  strategy: 'linear' | 'free';
  tags: string[];
}

export interface Playbook {
  file: string;
  /** Directory of the playbook: relative paths resolve from here. */
  baseDir: string;
  plays: Play[];
}
