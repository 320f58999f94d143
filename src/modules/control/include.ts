// include_tasks / include_role decided per host at run time (src/executor/include.ts runs them; nothing is planned).
import { TaskError } from '../../errors.js';
import { PUBLIC_HINT } from '../../shared/keywords.js';
import { fail } from '../args.js';
import { defineModule } from '../types.js';

const apply = { type: 'dict', description: 'task keywords (tags, become, when, …) given to every included task' } as const;

/** A dynamic include_tasks: the file is rendered and read per host when its turn comes. */
export const include_tasks = defineModule({
  name: 'include_tasks',
  doc: 'Runs the tasks of a file, read when it runs (its name may be a template, per host and loop item); import_tasks reads it at load.',
  example: 'include_tasks: "{{ item }}.yml"',
  local: true,
  freeForm: true,
  args: {
    _raw: { description: 'the task file (same as file)' },
    file: { type: 'path', description: 'the task file, relative to the file that names it' },
    apply,
  },
  mutually_exclusive: [['_raw', 'file']],
  required_one_of: [['_raw', 'file']],
  build: (v) => ({ file: (v.file ?? v._raw) as string }),
  async plan() {
    throw new TaskError('include_tasks runs in the play, not as a module');
  },
});

/** A dynamic include_role: the role is found and read per host when its turn comes. */
export const include_role = defineModule({
  name: 'include_role',
  doc: 'Runs a role chosen per host at run time (templated name, loop); import_role reads it at load.',
  example: 'include_role: {name: "{{ role_name }}"}',
  local: true,
  args: {
    name: { required: true, description: 'the role' },
    tasks_from: { description: "the file of the role's tasks/ to run instead of main.yml (.yml may be left off)" },
    vars_from: { description: "the file of the role's vars/ to read instead of main.yml" },
    defaults_from: { description: "the file of the role's defaults/ to read instead of main.yml" },
    handlers_from: { description: "the file of the role's handlers/ to read instead of main.yml" },
    allow_duplicates: { type: 'bool', default: true, description: 'run the role again each time (false is refused here: see README)' },
    public: { type: 'bool', default: false, description: "false only: the role's vars stay with the role's tasks" },
    apply,
  },
  build: (v, a) => {
    if (v.allow_duplicates === false)
      fail(
        a,
        'an include_role chosen at run time always runs its role: allow_duplicates: false is not supported here',
        'use import_role (read at load) to run a role once per play',
      );
    if (v.public === true) fail(a, 'public: true is not supported', PUBLIC_HINT);
    return { name: v.name };
  },
  async plan() {
    throw new TaskError('include_role runs in the play, not as a module');
  },
});
