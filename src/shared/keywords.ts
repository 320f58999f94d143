// The keys a play and a task accept, and the Ansible keys runbook knows but does not do yet.

/** Play keys runbook implements. */
export const PLAY_KEYS = [
  'name',
  'hosts',
  'vars',
  'vars_files',
  'gather_facts',
  'gather_subset',
  'gather_timeout',
  'become',
  'become_user',
  'environment',
  'connection',
  'roles',
  'tasks',
  'pre_tasks',
  'post_tasks',
  'handlers',
  'serial',
  'max_fail_percentage',
  'any_errors_fatal',
  'strategy',
  'tags',
  'remote_user',
  'collections',
  'module_defaults',
  'diff',
  'vars_prompt',
  'order',
  'throttle',
  'ignore_unreachable',
  'run_once',
  'ignore_errors',
  'no_log',
  'check_mode',
] as const;

/** Task keys runbook implements (the module key comes on top). */
export const TASK_KEYS = [
  'name',
  'when',
  'loop',
  'with_items',
  'loop_control',
  'register',
  'notify',
  'tags',
  'ignore_errors',
  'changed_when',
  'failed_when',
  'no_log',
  'become',
  'become_user',
  'environment',
  'retries',
  'delay',
  'until',
  'run_once',
  'delegate_to',
  'delegate_facts',
  'timeout',
  'async',
  'poll',
  'check_mode',
  'vars',
  'args',
  'listen',
  'action',
  'local_action',
  'remote_user',
  'collections',
  'throttle',
  'ignore_unreachable',
  'network',
  'module_defaults',
  'diff',
  'with_list',
  'with_dict',
  'with_together',
  'with_nested',
  'with_cartesian',
  'with_subelements',
  'with_sequence',
  'with_fileglob',
  'with_first_found',
  'with_indexed_items',
  'with_file',
  'with_inventory_hostnames',
  'connection',
] as const;

/** The `with_<lookup>` loops runbook expands (src/executor/loops.ts), by lookup name. */
export const WITH_LOOKUPS = [
  'items',
  'list',
  'dict',
  'together',
  'nested',
  'cartesian',
  'subelements',
  'sequence',
  'fileglob',
  'first_found',
  'indexed_items',
  'file',
  'inventory_hostnames',
] as const;
export type WithLookup = (typeof WITH_LOOKUPS)[number];

const FQCN_PREFIX = /^ansible\.(?:builtin|legacy)\./;

/**
 * The one place `ansible.builtin.x` / `ansible.legacy.x` become `x`: module names and the keyword-like actions
 * (import_tasks, include_tasks, import_role, include_role, import_playbook, include_vars, set_fact, meta, …).
 */
export function shortName(key: string): string {
  return Object.hasOwn(COLLECTION_ROUTES, key) ? COLLECTION_ROUTES[key] : key.replace(FQCN_PREFIX, '');
}

/**
 * Modules that left ansible.builtin for a collection and that runbook has under the old name: ansible-core's own
 * routing table (config/ansible_builtin_runtime.yml) sends the bare name there, so both names are one module.
 */
export const COLLECTION_ROUTES: Readonly<Record<string, string>> = {
  'ansible.posix.authorized_key': 'authorized_key',
  'ansible.posix.mount': 'mount',
  'ansible.posix.sysctl': 'sysctl',
  'community.general.ini_file': 'ini_file',
};

/** A module of another collection (community.general.ufw): three dotted parts, not ansible.builtin/legacy. */
export function isCollectionName(key: string): boolean {
  return /^[a-z_][\w]*\.[a-z_][\w]*\.[a-z_][\w]*$/i.test(key) && !FQCN_PREFIX.test(key) && !Object.hasOwn(COLLECTION_ROUTES, key);
}

/** Keys of a block entry (block:, with rescue: and always:), and the task keywords it hands down. */
export const BLOCK_KEYS = [
  'name',
  'block',
  'rescue',
  'always',
  'when',
  'tags',
  'vars',
  'become',
  'ignore_errors',
  'no_log',
  'check_mode',
  'timeout',
  'delegate_to',
  'run_once',
  'become_user',
  'environment',
  'remote_user',
  'collections',
  'throttle',
  'ignore_unreachable',
  'module_defaults',
  'diff',
] as const;

/** The task keywords a block, an import or a role entry hands down to its tasks (`name` names the entry). */
export const INHERITED_KEYS = BLOCK_KEYS.filter(
  (k): k is Exclude<(typeof BLOCK_KEYS)[number], 'block' | 'rescue' | 'always'> => k !== 'block' && k !== 'rescue' && k !== 'always',
);

/** Keys of an import_tasks / include_tasks entry: the file, and the task keywords its tasks inherit. */
export const IMPORT_KEYS = ['import_tasks', 'include_tasks', ...INHERITED_KEYS] as const;

/** What makes an include_tasks / include_role dynamic (decided per host at run time) besides a templated name. */
export function isDynamicKey(key: string): boolean {
  return key === 'loop' || key === 'loop_control' || key.startsWith('with_') || key === 'when' || key === 'apply';
}

export const LOOP_CONTROL_KEYS = ['loop_var', 'label', 'index_var', 'pause', 'extended', 'extended_allitems'] as const;

const INLINE_TASKS = 'an import is a task-list entry: put it under tasks:, e.g. tasks: [ { import_tasks: net.yml } ]';
const LATER = 'remove it; runbook does not implement it yet';

// Ansible users will write these; "not supported yet" with a way around beats "unknown key".
export const UNSUPPORTED_PLAY_KEYS: Record<string, string> = {
  include_playbook: 'run that playbook on its own, or copy its plays into this file',
  include_role: 'an include_role is a task-list entry: put it under tasks:, or list the role under roles:',
  import_role: 'an import_role is a task-list entry: put it under tasks:, or list the role under roles:',
  include_tasks: INLINE_TASKS,
  import_tasks: INLINE_TASKS,
  force_handlers: LATER,
  fact_path: LATER,
  port: 'set the port in the inventory (ansible_port) or in ~/.ssh/config',
  debugger: LATER,
};

export const UNSUPPORTED_TASK_KEYS: Record<string, string> = {
  include: 'use import_tasks: (include: was removed from Ansible in favour of import_tasks/include_tasks)',
  import_playbook: 'import_playbook is an item of the playbook itself: "- import_playbook: other.yml" beside the plays',
  become_flags: LATER,
  become_exe: LATER,
  any_errors_fatal: 'set any_errors_fatal: on the play instead',
  port: 'set the port in the inventory (ansible_port) or in ~/.ssh/config',
  debugger: LATER,
  vars_files: 'set vars_files: on the play instead',
};

export const UNSUPPORTED_LOOP_CONTROL_KEYS: Record<string, string> = {
  break_when: 'put the condition in when: (the remaining items are then skipped one by one)',
};

// Lookups runbook does not expand; each has a loop: equivalent.
export const WITH_LOOKUP_HINT =
  'runbook expands with_items, with_list, with_dict, with_together, with_nested, with_cartesian, with_subelements, with_sequence, with_fileglob, with_first_found, with_indexed_items, with_file and with_inventory_hostnames; write this one as loop: with a list, e.g. loop: "{{ my_list | flatten }}"';

/** Keys of one vars_prompt entry. */
export const VARS_PROMPT_KEYS = ['name', 'prompt', 'default', 'private', 'confirm', 'unsafe', 'encrypt', 'salt', 'salt_size'] as const;

/** Play `order:` values, as in Ansible. */
export const HOST_ORDERS = ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] as const;

/** Ansible's role keywords runbook does not implement: refused, since taken as parameters they would do nothing. */
export const REFUSED_ROLE_KEYWORDS: Record<string, string> = {
  any_errors_fatal: 'set any_errors_fatal: on the play instead',
  become_flags: 'remove it; runbook becomes with sudo -n',
  become_exe: 'remove it; runbook becomes with sudo',
  connection: 'set connection: on the play instead',
  port: 'Ansible takes port: on a role entry as the SSH port, not a role parameter: set ansible_port in the inventory, or pass the parameter under vars:',
  debugger: 'remove it; runbook has no task debugger',
  delegate_facts: 'put delegate_facts: on the tasks inside the role, beside their delegate_to',
};

/** Why a dynamic include_role's public: true is refused rather than ignored: its vars stay with its own tasks. */
export const PUBLIC_HINT =
  'a role chosen at run time keeps its vars and defaults to its own tasks in runbook; use import_role (or a plain include_role name, read at load), whose vars and defaults every task of the play sees';

/** An import_role/include_role's arguments naming another file than main.yml in the role's folders (Ansible's). */
export const ROLE_FROM_ARGS = ['tasks_from', 'vars_from', 'defaults_from', 'handlers_from'] as const;
