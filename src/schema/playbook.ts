// The playbook JSON Schema, built from the loader's own keyword lists and each module's parse().

import { FALSE_STRINGS, TRUE_STRINGS } from '../modules/args.js';
import {
  COLLECTION_ROUTES,
  HOST_ORDERS,
  INHERITED_KEYS,
  LOOP_CONTROL_KEYS,
  PLAY_KEYS,
  REFUSED_ROLE_KEYWORDS,
  ROLE_FROM_ARGS,
  TASK_KEYS,
  VARS_PROMPT_KEYS,
} from '../shared/keywords.js';
import { type ModuleArgKeys, moduleArgKeys } from './module-args.js';

export type Schema = Record<string, unknown>;

const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
/** A whole number from `min`, or a template of one (rendered per host when the task runs). */
const intOrTemplate = (min: number): Schema => ({
  anyOf: [
    { type: 'integer', minimum: min },
    { type: 'string', pattern: '\\{\\{' },
  ],
});
const FQCN_PREFIXES = ['', 'ansible.builtin.', 'ansible.legacy.'];
const YAML11_BOOLS = ['yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF'];

// Shapes the loader's readers in src/playbook/schema.ts accept, one definition each.
const DEFINITIONS: Record<string, Schema> = {
  // yes/no/on/off are booleans to the loader (YAML 1.1, as Ansible) but strings to a YAML 1.2 editor.
  bool: { anyOf: [{ type: 'boolean' }, { enum: YAML11_BOOLS }] },
  boolOrTemplate: {
    description: 'true or false, or a template decided per host ("{{ ansible_check_mode }}")',
    anyOf: [ref('bool'), { type: 'string', pattern: '\\{\\{' }],
  },
  text: {
    description: 'a non-empty string (a bare number is taken as its text)',
    anyOf: [{ type: 'string', pattern: '\\S' }, { type: 'number' }],
  },
  textList: { description: 'a string or a list of strings', anyOf: [ref('text'), { type: 'array', items: ref('text') }, { type: 'null' }] },
  condition: {
    description: 'a Jinja-style expression (no {{ }}), true/false, or a list of those (all must hold)',
    anyOf: [
      { type: 'string', pattern: '\\S' },
      { type: 'boolean' },
      { type: 'array', items: { anyOf: [{ type: 'string', pattern: '\\S' }, { type: 'boolean' }] } },
    ],
  },
  vars: { description: 'variables: names are letters, digits and _', type: ['object', 'null'], propertyNames: { pattern: IDENTIFIER } },
  loop: {
    description: 'a list, or a string ("{{ var }}" or an expression) that gives a list',
    anyOf: [{ type: 'array' }, { type: 'string', pattern: '\\S' }],
  },
  remoteUser: { description: 'the SSH user, unless a variable (ansible_user) names one', anyOf: [{ type: 'string', pattern: '\\S' }] },
  throttle: {
    ...intOrTemplate(0),
    description: 'at most this many hosts run the task at once (0: no limit; a template is rendered when the task starts)',
  },
  collections: {
    description: 'collections (namespace.name); modules resolve by short name',
    type: ['array', 'null'],
    items: { type: 'string', pattern: '^[A-Za-z_]\\w*\\.[A-Za-z_]\\w*$' },
  },
  moduleDefaults: {
    description: "default arguments by module name (short or ansible.builtin.*), merged under each task's",
    anyOf: [
      { type: ['object', 'null'], additionalProperties: { type: ['object', 'null'] } },
      { type: 'array', items: { type: 'object', additionalProperties: { type: ['object', 'null'] } } },
    ],
  },
  withTerms: { description: 'the terms of the with_ lookup (templates rendered per host)', not: { type: 'null' } },
  serialItem: {
    anyOf: [
      { type: 'integer', minimum: 1 },
      { type: 'string', pattern: '^\\s*0*[1-9][0-9]*\\s*$' },
      { type: 'string', pattern: '^\\s*(100(\\.0+)?|[1-9][0-9]?(\\.[0-9]+)?|0\\.[0-9]*[1-9][0-9]*)\\s*%\\s*$' },
    ],
  },
};

const ENVIRONMENT: Schema = {
  description: 'environment variables for the commands (values are templates, rendered per host), or a template rendering to them',
  anyOf: [
    {
      type: ['object', 'null'],
      propertyNames: { pattern: IDENTIFIER },
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
    { type: 'string', pattern: '\\{\\{' },
  ],
};

// One entry per keyword in keywords.ts; a keyword without an entry here stops the generator.
const PLAY_KEY_SCHEMAS: Record<(typeof PLAY_KEYS)[number], Schema> = {
  name: { ...ref('text'), description: 'shown in the output' },
  hosts: {
    description: 'host pattern: all, a group, a host, web*, a:b, a:&b, a:!b (or a list)',
    anyOf: [ref('text'), { type: 'array', items: ref('text'), minItems: 1 }],
  },
  vars: ref('vars'),
  vars_files: {
    description: 'YAML files of variables, relative to the playbook (or its vars/); an entry that is a list: the first of its files found',
    anyOf: [ref('text'), { type: 'array', items: { anyOf: [ref('text'), { type: 'array', items: ref('text') }] } }, { type: 'null' }],
  },
  gather_facts: { ...ref('bool'), description: 'default true' },
  gather_subset: {
    ...ref('textList'),
    description:
      'parts of the facts to gather: all, min, hardware, network, a collector (distribution, pkg_mgr, user, …), !name (default all)',
  },
  gather_timeout: { type: 'integer', minimum: 1, description: 'seconds the mount sizes may take (default 10)' },
  become: { ...ref('boolOrTemplate'), description: 'run through sudo' },
  become_user: { ...ref('text'), description: 'with become: the user to become (default: ansible_become_user, else root)' },
  environment: ENVIRONMENT,
  connection: { enum: ['ssh', 'local'] },
  roles: {
    type: ['array', 'null'],
    description: 'roles run after pre_tasks and before tasks: a name, or a map with role: plus keywords and role parameters',
    items: {
      anyOf: [
        ref('text'),
        {
          type: 'object',
          anyOf: [{ required: ['role'] }, { required: ['name'] }],
          // Ansible keywords runbook does not do would be taken for role parameters: refused.
          not: { anyOf: [...Object.keys(REFUSED_ROLE_KEYWORDS), 'loop', 'register', 'notify'].map((k) => ({ required: [k] })) },
        },
      ],
    },
  },
  tasks: { type: ['array', 'null'], items: ref('taskOrBlock') },
  pre_tasks: { type: ['array', 'null'], items: ref('taskOrBlock') },
  post_tasks: { type: ['array', 'null'], items: ref('taskOrBlock') },
  handlers: { type: ['array', 'null'], items: ref('handler'), description: 'run once per host at the end of the play when notified' },
  serial: {
    description: 'hosts per batch: a count, "30%", or a list of those',
    anyOf: [ref('serialItem'), { type: 'array', minItems: 1, items: ref('serialItem') }],
  },
  max_fail_percentage: { type: 'number', minimum: 0, maximum: 100 },
  any_errors_fatal: { ...ref('boolOrTemplate'), description: 'a failed host stops the play (a template is rendered when the play starts)' },
  strategy: { enum: ['linear', 'free'] },
  run_once: { ...ref('boolOrTemplate'), description: "every task of the play runs on the play's first host only" },
  ignore_errors: { ...ref('boolOrTemplate'), description: 'every task of the play carries on past a failure' },
  no_log: { ...ref('boolOrTemplate'), description: 'every task of the play hides its output' },
  check_mode: { ...ref('bool'), description: 'every task of the play checks only (false: runs for real even under --check)' },
  tags: ref('textList'),
  remote_user: ref('remoteUser'),
  collections: ref('collections'),
  module_defaults: ref('moduleDefaults'),
  diff: { ...ref('bool'), description: 'show diffs (overrides --diff)' },
  vars_prompt: {
    type: ['array', 'null'],
    description: 'asked on a TTY before the run; without one the default is taken (or pass -e name=value)',
    items: {
      type: 'object',
      properties: Object.fromEntries(
        VARS_PROMPT_KEYS.map((k) => [
          k,
          k === 'name' ? { type: 'string', pattern: IDENTIFIER } : k === 'private' || k === 'confirm' || k === 'unsafe' ? ref('bool') : {},
        ]),
      ),
      required: ['name'],
      additionalProperties: false,
    },
  },
  order: { enum: [...HOST_ORDERS] },
  throttle: ref('throttle'),
  ignore_unreachable: ref('bool'),
};

const TASK_KEY_SCHEMAS: Record<(typeof TASK_KEYS)[number], Schema> = {
  name: ref('text'),
  connection: { enum: ['local', 'ssh', 'smart', 'paramiko'], description: 'local: run on the controller (as delegate_to: localhost)' },
  when: ref('condition'),
  loop: ref('loop'),
  with_items: ref('loop'),
  loop_control: {
    type: ['object', 'null'],
    properties: Object.fromEntries(
      LOOP_CONTROL_KEYS.map((k) => [
        k,
        k === 'loop_var' || k === 'index_var'
          ? { type: 'string', pattern: IDENTIFIER }
          : k === 'pause'
            ? { type: 'number', minimum: 0 }
            : k.startsWith('extended')
              ? ref('bool')
              : {},
      ]),
    ),
    additionalProperties: false,
  },
  register: { type: 'string', pattern: IDENTIFIER, description: 'variable that receives the result (rc, stdout, changed, …)' },
  notify: { ...ref('textList'), description: 'handler names (or listen names) to run when this task changes something' },
  tags: ref('textList'),
  ignore_errors: ref('boolOrTemplate'),
  changed_when: ref('condition'),
  failed_when: ref('condition'),
  no_log: ref('boolOrTemplate'),
  become: { ...ref('boolOrTemplate'), description: 'run through sudo (a template is rendered per host)' },
  become_user: { ...ref('text'), description: "with become: the user to become (overrides the play's)" },
  environment: ENVIRONMENT,
  retries: { ...intOrTemplate(0), description: 'attempts after the first, with until (a template is rendered per host)' },
  delay: { ...intOrTemplate(0), description: 'seconds between until attempts (a template is rendered per host)' },
  until: ref('condition'),
  run_once: { ...ref('boolOrTemplate'), description: "on the first host only (a template is rendered with that host's vars)" },
  delegate_to: ref('text'),
  delegate_facts: { ...ref('bool'), description: 'the facts the task sets (set_fact, setup) go to the delegate_to host' },
  timeout: { ...intOrTemplate(1), description: 'seconds (a template is rendered per host)' },
  async: {
    ...intOrTemplate(1),
    description: 'seconds the task may run (runbook waits for it; with poll above 0, as in Ansible)',
  },
  poll: {
    ...intOrTemplate(1),
    description: 'seconds between checks of an async task; 0 (fire and forget) is not supported',
  },
  check_mode: ref('bool'),
  vars: ref('vars'),
  args: { type: ['object', 'null'], description: "the module's arguments, merged under those written on the module key" },
  listen: { ...ref('textList'), description: 'handlers only: extra names this handler answers to' },
  action: {
    description: 'the module and its arguments: "copy src=a dest=b", or { module: copy, src: a, dest: b }',
    anyOf: [
      { type: 'string', pattern: '\\S' },
      { type: 'object', required: ['module'] },
    ],
  },
  local_action: {
    description: 'as action:, run on the controller (delegate_to: localhost)',
    anyOf: [
      { type: 'string', pattern: '\\S' },
      { type: 'object', required: ['module'] },
    ],
  },
  remote_user: ref('remoteUser'),
  collections: ref('collections'),
  throttle: ref('throttle'),
  ignore_unreachable: ref('bool'),
  network: { ...ref('bool'), description: 'command/shell: it can change the network (network safety arms the host first)' },
  module_defaults: ref('moduleDefaults'),
  diff: { ...ref('bool'), description: 'show diffs (overrides --diff)' },
  with_list: ref('withTerms'),
  with_dict: ref('withTerms'),
  with_together: ref('withTerms'),
  with_nested: ref('withTerms'),
  with_cartesian: ref('withTerms'),
  with_subelements: ref('withTerms'),
  with_sequence: ref('withTerms'),
  with_fileglob: ref('withTerms'),
  with_first_found: ref('withTerms'),
  with_indexed_items: ref('withTerms'),
  with_file: ref('withTerms'),
  with_inventory_hostnames: { ...ref('withTerms'), description: 'the hosts host patterns pick, as item' },
};

const LOOP_KEYS = TASK_KEYS.filter((k) => k === 'loop' || k.startsWith('with_'));

const TASK_LIST: Schema = { type: 'array', items: ref('taskOrBlock') };

// A block: tasks (or nested blocks) under block:, rescue: and always:, plus keywords its tasks inherit.
function blockSchema(): Schema {
  const properties: Record<string, Schema> = {};
  for (const k of INHERITED_KEYS) properties[k] = TASK_KEY_SCHEMAS[k];
  properties.notify = { ...TASK_KEY_SCHEMAS.notify, description: 'handlers to notify for each task inside that names none of its own' };
  properties.block = { ...TASK_LIST, minItems: 1, description: 'the tasks; a failure skips the rest of them' };
  properties.rescue = { ...TASK_LIST, description: 'runs on the hosts where a block task failed; success rescues them' };
  properties.always = { ...TASK_LIST, description: 'runs on every host that entered the block, failed or not' };
  return {
    type: 'object',
    description: 'a block of tasks with optional rescue: and always: parts',
    properties,
    required: ['block'],
    additionalProperties: false,
  };
}

// An entry that names other tasks (import_tasks/include_tasks, import_role/include_role): exactly one of its two
// keys, plus the keywords its tasks inherit.
function entrySchema(description: string, keys: [string, string], value: Schema): Schema {
  const properties: Record<string, Schema> = Object.fromEntries(INHERITED_KEYS.map((k) => [k, TASK_KEY_SCHEMAS[k]]));
  const all = keys.flatMap((k) => FQCN_PREFIXES.map((p) => `${p}${k}`));
  for (const k of all) properties[k] = value;
  return { type: 'object', description, properties, oneOf: all.map((k) => ({ required: [k] })), additionalProperties: false };
}

// Any case of a word, for patterns without the i flag: "yes" → [Yy][Ee][Ss].
const anyCase = (w: string) => [...w].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
const BOOL_STRINGS = `^\\s*(${[...TRUE_STRINGS, ...FALSE_STRINGS].map(anyCase).join('|')})\\s*$`;
const TEMPLATED: Schema = { type: 'string', pattern: '\\{\\{' };

// What parseArgs accepts for one argument: its type as YAML or as a free-form string, a template, or null (unset).
function argSchema(s: ModuleArgKeys['args'][string]): Schema {
  const description = `${s.aliasOf ? `alias of ${s.aliasOf}: ` : ''}${s.description}`;
  const doc: Schema = { description, ...(s.default !== undefined ? { default: s.default } : {}) };
  const or = (...shapes: Schema[]): Schema => ({ ...doc, anyOf: [...shapes, { type: 'null' }] });
  if (s.choices) return or({ enum: [...s.choices] }, TEMPLATED);
  switch (s.type ?? 'str') {
    case 'str':
    case 'path':
      return or({ type: ['string', 'number'] });
    case 'int':
      return or({ type: 'integer' }, { type: 'string', pattern: '^\\s*[+-]?\\d+(_\\d+)*\\s*$' }, TEMPLATED);
    case 'float':
      return or({ type: ['number', 'string'] });
    case 'bool':
      return or({ type: 'boolean' }, { enum: [0, 1] }, { type: 'string', pattern: BOOL_STRINGS }, TEMPLATED);
    case 'list':
      return or({ type: 'array' }, { type: ['string', 'number'] });
    case 'dict':
      return or({ type: 'object' }, { type: 'string' });
    default:
      return doc;
  }
}

function moduleDefinitions(mods: ModuleArgKeys[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const m of mods) {
    out[`args.${m.name}`] = m.open
      ? { type: 'object', propertyNames: { pattern: IDENTIFIER } }
      : { type: 'object', properties: Object.fromEntries(m.keys.map((k) => [k, argSchema(m.args[k])])), additionalProperties: false };
    out[`module.${m.name}`] = {
      description: `${m.name}: ${m.doc}`,
      // A string: the command (command, shell), or key=value arguments (any module).
      anyOf: [{ type: 'null' }, ref(`args.${m.name}`), { type: 'string' }],
    };
  }
  return out;
}

// A module's names in a task: bare, ansible.builtin.x, ansible.legacy.x, and the collection's where it moved to one.
const namesOf = (name: string): string[] => [
  ...FQCN_PREFIXES.map((p) => `${p}${name}`),
  ...Object.keys(COLLECTION_ROUTES).filter((k) => COLLECTION_ROUTES[k] === name),
];

// A task: its keywords, exactly one module (also as ansible.builtin.x, or in action:/local_action:), one loop at most,
// and args: fitting the module.
function taskSchema(mods: ModuleArgKeys[], handler: boolean): Schema {
  const keys = TASK_KEYS.filter((k) => handler || k !== 'listen');
  const properties: Record<string, Schema> = Object.fromEntries(keys.map((k) => [k, TASK_KEY_SCHEMAS[k]]));
  const moduleKeys = mods.flatMap((m) => namesOf(m.name).map((n) => [n, m] as const));
  for (const [key, m] of moduleKeys) properties[key] = ref(`module.${m.name}`);
  return {
    type: 'object',
    description: handler ? 'a handler: a task that runs when notified' : 'a task: one module plus keywords',
    properties,
    additionalProperties: false,
    oneOf: [...moduleKeys.map(([key]) => ({ required: [key] })), { required: ['action'] }, { required: ['local_action'] }],
    not: { anyOf: LOOP_KEYS.flatMap((a, i) => LOOP_KEYS.slice(i + 1).map((b) => ({ required: [a, b] }))) },
    // JSON Schema's if/then, built as entries: a literal `then` key reads as a thenable to linters.
    allOf: mods.map((m) =>
      Object.fromEntries([
        ['if', { anyOf: namesOf(m.name).map((n) => ({ required: [n] })) }],
        ['then', { properties: { args: { anyOf: [{ type: 'null' }, ref(`args.${m.name}`)] } } }],
      ]),
    ),
  };
}

export function playbookSchema(): Schema {
  const mods = moduleArgKeys();
  for (const k of PLAY_KEYS) if (!PLAY_KEY_SCHEMAS[k]) throw new Error(`play key "${k}" has no schema`);
  for (const k of TASK_KEYS) if (!TASK_KEY_SCHEMAS[k]) throw new Error(`task key "${k}" has no schema`);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'runbook playbook',
    description: 'A list of plays. Generated by `node dist/schema/generate.js` from src/playbook/keywords.ts and the modules; do not edit.',
    type: 'array',
    minItems: 1,
    items: { anyOf: [ref('play'), ref('importPlaybook')] },
    definitions: {
      ...DEFINITIONS,
      play: {
        type: 'object',
        properties: Object.fromEntries(PLAY_KEYS.map((k) => [k, PLAY_KEY_SCHEMAS[k]])),
        required: ['hosts'],
        additionalProperties: false,
      },
      importPlaybook: {
        type: 'object',
        description: "another playbook's plays in place (relative to this file)",
        properties: { ...Object.fromEntries(FQCN_PREFIXES.map((p) => [`${p}import_playbook`, ref('text')])), name: ref('text') },
        oneOf: FQCN_PREFIXES.map((p) => ({ required: [`${p}import_playbook`] })),
        additionalProperties: false,
      },
      taskOrBlock: { anyOf: [ref('task'), ref('block'), ref('import'), ref('roleEntry')] },
      task: taskSchema(mods, false),
      block: blockSchema(),
      import: entrySchema('the tasks of another file, in place', ['import_tasks', 'include_tasks'], {
        ...ref('text'),
        description: 'a YAML file holding a list of tasks, relative to this file',
      }),
      roleEntry: entrySchema("a role's tasks in place (its handlers join the play's)", ['import_role', 'include_role'], {
        type: 'object',
        properties: {
          name: ref('text'),
          ...Object.fromEntries(
            ROLE_FROM_ARGS.map((k) => [
              k,
              { ...ref('text'), description: `the file of the role's ${k.slice(0, -5)}/ to read instead of main.yml` },
            ]),
          ),
          allow_duplicates: { type: 'boolean', description: 'run the role again when it already ran with the same parameters' },
          public: { const: false, description: "false only: runbook keeps a role's vars to its own tasks" },
          apply: { type: 'object', description: 'task keywords given to every task of the role (include_role)' },
        },
        required: ['name'],
        additionalProperties: false,
      }),
      handler: taskSchema(mods, true),
      ...moduleDefinitions(mods),
    },
  };
}
