// Bad tasks a user could write: each must fail at load with the right message, line:col and a hint.
import { describe, it } from 'vitest';
import { ExpressionError, TemplateError } from '../../../src/errors.js';
import { type BadCase, expectRejected } from './helpers.js';

const play = (tasks: string) => `- hosts: all\n  tasks:\n${tasks}`;

const cases: BadCase[] = [
  {
    title: 'misspelt module name',
    yaml: play('    - name: greet\n      shel: echo hi\n'),
    message: 'unknown module "shel"',
    at: '4:7',
    hint: 'did you mean "shell"?',
  },
  {
    title: 'misspelt FQCN module name',
    yaml: play('    - ansible.builtin.comand: ls\n'),
    message: 'unknown module "ansible.builtin.comand"',
    at: '3:7',
    hint: 'did you mean "command"?',
  },
  {
    title: 'two modules in one task',
    yaml: play('    - shell: echo hi\n      command: ls\n'),
    message: /both "shell" and "command"/,
    at: '4:7',
    hint: /split/,
  },
  {
    title: 'no module at all',
    yaml: play('    - name: only a name\n      become: true\n'),
    message: 'task "only a name" has no module',
    at: '3:7',
    hint: /shell: echo hi/,
  },
  {
    title: 'misspelt task keyword',
    yaml: play('    - shell: echo hi\n      whn: x == 1\n'),
    message: 'unknown key "whn" in task',
    at: '4:7',
    hint: 'did you mean "when"?',
  },
  {
    title: 'unknown task key that resembles nothing',
    yaml: play('    - shell: echo hi\n      frobnicate_everything: 1\n'),
    message: 'unknown key "frobnicate_everything" in task',
    at: '4:7',
    hint: /exactly one module/,
  },
  {
    title: 'block is not supported yet',
    yaml: play('    - block:\n        - shell: echo hi\n'),
    message: '"block" is not supported yet',
    at: '3:7',
    hint: /one by one/,
  },
  {
    title: 'include_tasks is not supported yet',
    yaml: play('    - include_tasks: other.yml\n'),
    message: '"include_tasks" is not supported yet',
    at: '3:7',
    hint: /write the included tasks/,
  },
  {
    title: 'with_dict is not supported yet',
    yaml: play('    - shell: echo {{ item }}\n      with_dict: "{{ d }}"\n'),
    message: '"with_dict" is not supported yet',
    at: '4:7',
    hint: /loop:/,
  },
  {
    title: 'when given a map',
    yaml: play('    - shell: echo hi\n      when: {a: 1}\n'),
    message: '"when" must be an expression, true/false, or a list of those, not a map',
    at: '4:13',
    hint: /when:/,
  },
  {
    title: 'when mixing {{ }} with more expression',
    yaml: play('    - shell: echo hi\n      when: "{{ ready }} and x =="\n'),
    message: /./,
    at: '4:13',
    type: ExpressionError,
  },
  {
    title: 'when with a broken expression',
    yaml: play('    - shell: echo hi\n      when:\n        - ok\n        - x ==\n'),
    message: /./,
    at: '6:11',
    type: ExpressionError,
  },
  {
    title: 'loop given a number',
    yaml: play('    - shell: echo {{ item }}\n      loop: 5\n'),
    message: '"loop" must be a list, or a string that gives a list, not the number 5',
    at: '4:13',
    hint: /loop: \[a, b\]/,
  },
  {
    title: 'loop together with with_items',
    yaml: play('    - shell: echo {{ item }}\n      loop: [1]\n      with_items: [2]\n'),
    message: 'a task cannot have both "loop" and "with_items"',
    at: '5:7',
    hint: /loop:/,
  },
  {
    title: 'retries given a word',
    yaml: play('    - shell: echo hi\n      retries: "x"\n'),
    message: '"retries" must be a whole number, not the string "x"',
    at: '4:16',
    hint: 'for example: retries: 3',
  },
  {
    title: 'timeout of zero',
    yaml: play('    - shell: sleep 1\n      timeout: 0\n'),
    message: '"timeout" must be at least 1, not 0',
    at: '4:16',
    hint: /timeout:/,
  },
  {
    title: 'ignore_errors given a word',
    yaml: play('    - shell: "false"\n      ignore_errors: maybe\n'),
    message: '"ignore_errors" must be true or false, not the string "maybe"',
    at: '4:22',
    hint: 'for example: ignore_errors: true',
  },
  {
    title: 'register with a dash',
    yaml: play('    - shell: echo hi\n      register: my-out\n'),
    message: '"register" must be a variable name, not "my-out"',
    at: '4:17',
    hint: /letters, digits and underscores/,
  },
  {
    title: 'unsupported loop_control key',
    yaml: play('    - shell: echo {{ i }}\n      loop: [1]\n      loop_control:\n        index_var: i\n'),
    message: 'loop_control "index_var" is not supported yet',
    at: '6:9',
  },
  {
    title: 'misspelt loop_var',
    yaml: play('    - shell: echo {{ p }}\n      loop: [1]\n      loop_control: { loopvar: p }\n'),
    message: 'unknown key "loopvar" in loop_control',
    at: '5:23',
    hint: 'did you mean "loop_var"?',
  },
  {
    title: 'listen outside handlers',
    yaml: play('    - shell: echo hi\n      listen: restart\n'),
    message: '"listen" only works on handlers',
    at: '4:7',
    hint: /handlers:/,
  },
  {
    title: 'notify naming a misspelt handler',
    yaml:
      '- hosts: all\n  tasks:\n    - shell: echo hi\n      notify:\n        - restart ngnix\n' +
      '  handlers:\n    - name: restart nginx\n      shell: echo restart\n    - name: reload\n      listen: refresh\n      shell: echo reload\n',
    message: 'notify "restart ngnix" matches no handler',
    at: '5:11',
    hint: 'did you mean "restart nginx"? handlers in this play: "restart nginx", "reload", "refresh"',
  },
  {
    title: 'notify when the play has no handlers',
    yaml: play('    - shell: echo hi\n      notify: restart nginx\n'),
    message: 'notify "restart nginx" matches no handler',
    at: '4:15',
    hint: /no handlers/,
  },
  {
    title: 'key=value string for a module that takes a map',
    yaml: play('    - copy: src=a.conf dest=/etc/a.conf\n'),
    message: 'module "copy" takes a map of arguments, not a string',
    at: '3:13',
    hint: 'write the arguments as a map: copy: { src: a.conf, dest: /etc/a.conf }',
  },
  {
    title: 'free-form module given a list',
    yaml: play('    - shell: [echo, hi]\n'),
    message: 'module "shell" takes a command string or a map of arguments, not a list',
    at: '3:14',
  },
  {
    title: 'args that is not a map',
    yaml: play('    - shell: echo hi\n      args: chdir=/tmp\n'),
    message: '"args" must be a map of module arguments, not the string "chdir=/tmp"',
    at: '4:13',
  },
  {
    title: 'a module rejecting its own args (error passed through as-is)',
    yaml: play('    - name: motd\n      copy: { dset: /etc/motd, content: hi }\n'),
    message: 'unknown argument "dset" for module "copy"',
    at: '4:7',
    hint: 'did you mean "dest"?',
  },
  {
    title: 'unknown filter in a loop expression',
    yaml: play('    - debug: { msg: hi }\n      loop: "groups.web | selectt"\n'),
    message: /unknown filter "selectt"/,
    at: '4:13',
    type: ExpressionError,
  },
  {
    title: 'broken template in module args',
    yaml: play('    - copy:\n        dest: /tmp/x\n        content: "{{ name "\n'),
    message: /syntax error/,
    at: '5:18',
    type: TemplateError,
  },
  {
    title: 'unquoted template value',
    yaml: play('    - copy:\n        dest: /tmp/x\n        content: {{ name }}\n'),
    message: 'this looks like a {{ }} template without quotes',
    at: '5:18',
    hint: /quote the whole value/,
  },
  {
    title: 'task written as a string',
    yaml: play('    - shell echo hi\n'),
    message: 'a task must be a map, not the string "shell echo hi"',
    at: '3:7',
    hint: /- name:/,
  },
];

describe('loadPlaybook rejects bad tasks', () => {
  it.each(cases)('$title', expectRejected);
});
