// The keys a play and a task accept, and the Ansible keys runbook knows but does not do yet.

/** Play keys runbook implements. */
export const PLAY_KEYS = [
  'name',
  'hosts',
  'vars',
  'vars_files',
  'gather_facts',
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
  'timeout',
  'check_mode',
  'vars',
  'args',
  'listen',
] as const;

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
] as const;

/** The task keywords a block, an import or a role entry hands down to its tasks (`name` names the entry). */
export const INHERITED_KEYS = BLOCK_KEYS.filter(
  (k): k is Exclude<(typeof BLOCK_KEYS)[number], 'block' | 'rescue' | 'always'> => k !== 'block' && k !== 'rescue' && k !== 'always',
);

/** Keys of an import_tasks / include_tasks entry: the file, and the task keywords its tasks inherit. */
export const IMPORT_KEYS = ['import_tasks', 'include_tasks', ...INHERITED_KEYS] as const;

export const LOOP_CONTROL_KEYS = ['loop_var', 'label'] as const;

const INLINE_TASKS = 'an import is a task-list entry: put it under tasks:, e.g. tasks: [ { import_tasks: net.yml } ]';
const LATER = 'remove it; runbook does not implement it yet';

// Ansible users will write these; "not supported yet" with a way around beats "unknown key".
export const UNSUPPORTED_PLAY_KEYS: Record<string, string> = {
  include_playbook: 'run that playbook on its own, or copy its plays into this file',
  include_role: 'an include_role is a task-list entry: put it under tasks:, or list the role under roles:',
  import_role: 'an import_role is a task-list entry: put it under tasks:, or list the role under roles:',
  include_tasks: INLINE_TASKS,
  import_tasks: INLINE_TASKS,
  vars_prompt: 'pass the values with -e name=value instead',
  remote_user: 'set the user in the inventory (ansible_user) or in ~/.ssh/config',
  become_method: LATER,
  check_mode: 'use the --check command-line flag instead',
  diff: 'use the --diff command-line flag instead',
  order: LATER,
  force_handlers: LATER,
  module_defaults: LATER,
  collections: 'use the builtin module names (shell, copy, ...)',
  ignore_errors: 'set ignore_errors: on the tasks that may fail',
  ignore_unreachable: LATER,
  gather_subset: LATER,
  gather_timeout: LATER,
  fact_path: LATER,
  throttle: 'use serial: to limit how many hosts run at once',
  port: 'set the port in the inventory (ansible_port) or in ~/.ssh/config',
  run_once: 'set run_once: on the task instead',
  no_log: 'set no_log: on the tasks instead',
  debugger: LATER,
};

export const UNSUPPORTED_TASK_KEYS: Record<string, string> = {
  include: 'use import_tasks: (include: was removed from Ansible in favour of import_tasks/include_tasks)',
  import_playbook: 'import_playbook is an item of the playbook itself: "- import_playbook: other.yml" beside the plays',
  action: 'write the module as the key: `- shell: echo hi`',
  local_action: 'write the module as the key and add `delegate_to: localhost`',
  become_method: LATER,
  diff: 'use the --diff command-line flag instead',
  async: LATER,
  poll: LATER,
  throttle: "use the play's serial: instead",
  module_defaults: LATER,
  collections: 'use the builtin module names (shell, copy, ...)',
  any_errors_fatal: 'set any_errors_fatal: on the play instead',
  ignore_unreachable: LATER,
  remote_user: 'set the user in the inventory (ansible_user) or in ~/.ssh/config',
  connection: 'set connection: on the play instead',
  debugger: LATER,
  vars_files: 'set vars_files: on the play instead',
};

export const UNSUPPORTED_LOOP_CONTROL_KEYS: Record<string, string> = {
  index_var: 'loop over a list of maps that carry their own index',
  pause: 'add a separate task with pause between runs',
  extended: LATER,
  extended_allitems: LATER,
  break_when: LATER,
};

// with_dict, with_fileglob... all have a loop: equivalent; only with_items is taken as written.
export const WITH_LOOKUP_HINT = 'use loop: with a list (or with_items:), e.g. loop: "{{ my_list }}"';
