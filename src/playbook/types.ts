import type { Location } from '../errors.js';
import type { Inherited } from './block.js';
import type { WithLookup } from './keywords.js';
import type { ModuleDefaults } from './task.js';

/** include_tasks / include_role decided per host at run time (src/playbook/dynamic.ts reads, src/executor/include.ts runs). */
export interface DynamicInclude {
  kind: 'tasks' | 'role';
  /** The task file or role name as written: a template, rendered per host (and per loop item). */
  name: string;
  /** The file that names it: a task file is found from its folder. */
  from: string;
  /** The playbook's folder (roles are looked up from it). */
  baseDir: string;
  playTags: string[];
  moduleDefaults?: ModuleDefaults;
  /** The task files being read around it (a cycle is refused). */
  files: string[];
  /** `apply:` keywords, given to every included task. */
  apply?: Inherited;
  /** include_role's tasks_from:, vars_from:, defaults_from:, handlers_from: as written (templates rendered per host). */
  roleFrom?: Partial<Record<'tasks' | 'vars' | 'defaults' | 'handlers', string>>;
  /** Keywords of the enclosing blocks, imports and roles (innermost first): the included tasks inherit them too. */
  outer: Inherited[];
}

export interface LoopControl {
  /** A template shown instead of the item. */
  label?: string;
  /** Variable holding the item's index (from 0). */
  indexVar?: string;
  /** Seconds between items. */
  pause?: number;
  /** ansible_loop with index, first, last, … */
  extended?: boolean;
  /** extended_allitems: false leaves ansible_loop.allitems out. */
  extendedAllitems?: boolean;
}

/** One vars_prompt entry of a play. */
export interface VarsPrompt {
  name: string;
  prompt: string;
  default?: unknown;
  private: boolean;
  confirm: boolean;
  at: Location;
}

export type HostOrder = 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';

export interface Task {
  name?: string;
  /** Module name, e.g. "shell". */
  module: string;
  /** Raw module args as written (map, or { _raw } for free-form), rendered per host at run time. */
  args: unknown;
  at: Location;
  when: string[];
  /** A list, or a string expression/template that must render to a list; with loopLookup: the lookup's terms. */
  loop?: unknown;
  /** `with_<lookup>:` — the lookup that turns `loop` (its terms, rendered per host) into items (executor/loops.ts). */
  loopLookup?: WithLookup;
  /** The playbook's folder, where with_fileglob / with_first_found look (files/ in it, after the role's). */
  loopBaseDir?: string;
  loopVar: string;
  /** loop_control beyond loop_var. */
  loopControl?: LoopControl;
  register?: string;
  notify: string[];
  tags: string[];
  /** A template (a string) is rendered per host when the task fails. */
  ignoreErrors: boolean | string;
  changedWhen: string[];
  failedWhen: string[];
  noLog: boolean;
  /** true or false, or a template rendered per host (`become: "{{ not download_localhost }}"`). */
  become?: boolean | string;
  /** The user to become (a template, rendered per host); overrides the play's. */
  becomeUser?: string;
  /** retries and delay of an until loop: whole numbers, or templates rendered per host when the task runs. */
  retries?: number | string;
  delay?: number | string;
  until: string[];
  /** run_once: true or false, or a template rendered with the first host's vars when the task starts (as Ansible). */
  runOnce: boolean | string;
  delegateTo?: string;
  /** delegate_facts: the facts the task sets belong to the delegate_to host, not to the host the task runs for. */
  delegateFacts?: boolean;
  /** Seconds (or a template of them, rendered per host); a command still running after this fails the task. */
  timeout?: number | string;
  /** async: seconds the task may run (a template rendered per host); runbook waits for it, as with poll above 0. */
  async?: number | string;
  /** poll: seconds between Ansible's checks of an async task (a template rendered per host); 0 is refused. */
  poll?: number | string;
  /** check_mode: false runs the task for real even under --check (read-only probes); true always checks. */
  checkMode?: boolean;
  /** Task-level vars. */
  vars: Record<string, unknown>;
  /** Handlers only: extra names this handler answers to. */
  listen: string[];
  /** remote_user keyword (a template): the SSH user unless a variable (ansible_user) names one. */
  remoteUser?: string;
  /** At most this many hosts run the task at once. */
  /** hosts at once: a whole number, or a template rendered with the first host's vars when the task starts */
  throttle?: number | string;
  /** An unreachable host is reported and the play goes on with it. */
  ignoreUnreachable?: boolean;
  /** network: true on command/shell: it can change the host's network (network safety arms the host first). */
  network?: boolean;
  /** diff: keyword, over --diff. */
  diff?: boolean;
  /** Environment variables for the task's commands (values are templates); merged over the play's. */
  environment?: Record<string, unknown>;
  /** A role's task or handler: the role's folder (its templates/ and files/ are searched first)… */
  roleDir?: string;
  /** …and its defaults/main.yml, the lowest-precedence variables (below the inventory's). */
  roleDefaults?: Record<string, unknown>;
  /** The blocks this task sits in, outermost first, and in which part of each (absent outside any block). */
  blocks?: BlockRef[];
  /** A dynamic include: the task stands for the tasks it includes on each host at run time. */
  include?: DynamicInclude;
}

/** One enclosing block of a task: which block, which of its parts, and whether it has rescue/always parts. */
export interface BlockRef {
  /** Unique within the playbook. */
  id: number;
  section: 'block' | 'rescue' | 'always';
  hasRescue: boolean;
  hasAlways: boolean;
  name?: string;
}

export interface Play {
  name: string;
  hosts: string;
  at: Location;
  /** Folder of the file the play is written in (an imported playbook's own), for templates, files and vars_files. */
  baseDir: string;
  vars: Record<string, unknown>;
  /** Each entry: one file, or candidates of which the first found is read (Ansible's conditional vars_files). */
  varsFiles: (string | string[])[];
  gatherFacts: boolean;
  /** gather_subset: which parts of the facts the play's gathering collects (Ansible's names; absent: all). */
  gatherSubset?: string[];
  /** gather_timeout: seconds the mount sizes (df) may take. */
  gatherTimeout?: number;
  /** true or false, or a template rendered per host. */
  become: boolean | string;
  /** The user to become (a template, rendered per host); absent: ansible_become_user, else root. */
  becomeUser?: string;
  connection: 'ssh' | 'local';
  /** Environment variables for every task's commands (values are templates). */
  environment?: Record<string, unknown>;
  tasks: Task[];
  handlers: Task[];
  /** Batch sizes: numbers or percentages ("30%"), cycled like Ansible. */
  serial: (number | string)[];
  maxFailPercentage?: number;
  /** A template is rendered when the play starts, with the play's vars and -e (as Ansible templates play keywords). */
  anyErrorsFatal: boolean | string;
  strategy: 'linear' | 'free';
  tags: string[];
  /** remote_user keyword (a template); tasks and blocks may override it. */
  remoteUser?: string;
  /** hosts at once: a whole number, or a template rendered with the first host's vars when the task starts */
  throttle?: number | string;
  ignoreUnreachable?: boolean;
  diff?: boolean;
  /** Absent: inventory order. */
  order?: HostOrder;
  /** Asked before the run (or taken from -e / the default), then set as play vars. */
  varsPrompt?: VarsPrompt[];
}

export interface Playbook {
  file: string;
  /** Directory of the playbook: relative paths resolve from here. */
  baseDir: string;
  plays: Play[];
}
