// Bad plays and bad files: each must fail at load with the right message, line:col and a hint.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlaybookError, type RunbookError, TemplateError } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { type BadCase, errorOf, expectRejected, writeTree } from './helpers.js';

const play = (tasks: string) => `- hosts: all\n  tasks:\n${tasks}`;

const cases: BadCase[] = [
  {
    title: 'import_playbook of a missing file',
    yaml: '- hosts: all\n  tasks: []\n- import_playbook: other.yml\n',
    message: /^playbook not found: .*other\.yml$/,
    at: '3:20',
    hint: /relative to the importing playbook/,
  },
  {
    title: 'a role that does not exist',
    yaml: '- hosts: all\n  roles:\n    - web\n',
    message: 'role "web" not found',
    at: '3:7',
    hint: /a role is a folder with tasks\/main.yml/,
  },
  {
    title: 'misspelt play key',
    yaml: '- hosts: all\n  gather_fact: false\n  tasks: []\n',
    message: 'unknown play key "gather_fact"',
    at: '2:3',
    hint: 'did you mean "gather_facts"?',
  },
  {
    title: 'gather_subset with a name Ansible does not know',
    yaml: '- hosts: all\n  gather_subset: [min, "!hardwar"]\n  tasks: []\n',
    message: 'gather_subset: "!hardwar" is not a subset Ansible knows',
    at: '2:24',
    hint: /use all, min, hardware/,
  },
  {
    title: 'gather_subset as one comma-separated string (one unknown name to Ansible, which then gathers min)',
    yaml: '- hosts: all\n  gather_subset: "!all,!min,network"\n  tasks: []\n',
    message:
      'gather_subset: "!all,!min,network" is one name to Ansible: a play\'s string is not split at commas (Ansible would gather min)',
    at: '2:18',
    hint: 'write a list: gather_subset: ["!all", "!min", "network"]',
  },
  {
    title: 'module written directly in the play',
    yaml: '- hosts: all\n  shell: echo hi\n',
    message: '"shell" belongs in a task, not directly in the play',
    at: '2:3',
    hint: /tasks:/,
  },
  {
    title: 'play without hosts',
    yaml: '- name: web\n  tasks: []\n',
    message: 'play has no "hosts"',
    at: '1:3',
    hint: /hosts: all/,
  },
  {
    title: 'broken template in play vars',
    yaml: '- hosts: all\n  vars:\n    greeting: "hello {{#if x}}"\n  tasks: []\n',
    message: /syntax error/,
    at: '3:15',
    type: TemplateError,
  },
  {
    title: 'invalid variable name in vars',
    yaml: '- hosts: all\n  vars:\n    http-port: 80\n  tasks: []\n',
    message: '"http-port" is not a valid variable name',
    at: '3:5',
    hint: /http_port/,
  },
  {
    title: 'connection misspelt',
    yaml: '- hosts: all\n  connection: sssh\n  tasks: []\n',
    message: '"connection" must be "ssh" or "local", not the string "sssh"',
    at: '2:15',
    hint: 'did you mean "ssh"?',
  },
  {
    title: 'unknown strategy',
    yaml: '- hosts: all\n  strategy: debug\n  tasks: []\n',
    message: '"strategy" must be "linear" or "free", not the string "debug"',
    at: '2:13',
  },
  {
    title: 'serial of zero inside a list',
    yaml: '- hosts: all\n  serial: [1, 0]\n  tasks: []\n',
    message: /"serial" takes a host count of at least 1/,
    at: '2:15',
    hint: /serial: "30%"/,
  },
  {
    title: 'serial percentage over 100',
    yaml: '- hosts: all\n  serial: "150%"\n  tasks: []\n',
    message: /"serial" takes .* not the string "150%"/,
    at: '2:11',
  },
  {
    title: 'max_fail_percentage out of range',
    yaml: '- hosts: all\n  max_fail_percentage: 150\n  tasks: []\n',
    message: '"max_fail_percentage" must be from 0 to 100, not 150',
    at: '2:24',
  },
  {
    title: 'tasks that is not a list',
    yaml: '- hosts: all\n  tasks:\n    shell: echo hi\n',
    message: '"tasks" must be a list of tasks, not a map',
    at: '3:5',
  },
  {
    title: 'missing vars file',
    yaml: '- hosts: all\n  vars_files:\n    - vars/common.yml\n    - vars/missing.yml\n  tasks: []\n',
    files: { 'vars/common.yml': 'a: 1\n' },
    message: /^vars file not found: .*vars\/missing\.yml$/,
    at: '4:7',
    hint: /relative to the playbook's directory/,
  },
  {
    title: 'hosts that is empty',
    yaml: '- hosts: ""\n  tasks: []\n',
    message: /each entry of "hosts"|"hosts" must be/,
    at: '1:10',
  },
  {
    title: 'YAML syntax error',
    yaml: play('    - shell: echo hi\n      when: a: b\n'),
    message: /^YAML syntax error: /,
    at: '4:13',
    hint: /quote values that contain ": "/,
  },
  {
    title: 'duplicate key',
    yaml: play('    - shell: echo hi\n      name: one\n      name: two\n'),
    message: /^YAML syntax error: Map keys must be unique/,
    at: '5:7',
    hint: /remove or rename/,
  },
  {
    title: 'two YAML documents',
    yaml: '- hosts: a\n  tasks: []\n---\n- hosts: b\n',
    message: 'YAML syntax error: the file holds more than one YAML document',
    at: '3:1',
    hint: /remove the extra "---"/,
  },
  {
    title: 'tab indentation',
    yaml: '- hosts: a\n  tasks:\n\t- shell: x\n',
    message: 'YAML syntax error: Tabs are not allowed as indentation',
    at: '3:1',
    hint: 'indent with spaces, not tabs',
  },
  {
    title: 'a single play not in a list',
    yaml: 'hosts: all\ntasks: []\n',
    message: 'a playbook must be a list of plays',
    at: '1:1',
    hint: /put "- " before hosts:/,
  },
];

describe('loadPlaybook rejects bad plays', () => {
  it.each(cases)('$title', expectRejected);
});

describe('loadPlaybook rejects unusable files', () => {
  it('names a missing playbook', () => {
    const path = join(writeTree({}), 'nope.yml');
    const e = caught(() => loadPlaybook(path));
    expect(e.message).toBe(`playbook not found: ${path}`);
    expect(e.at).toEqual({ file: path });
    expect(e.hint).toBeTruthy();
  });

  it('refuses a directory', () => {
    const dir = writeTree({ 'x/a.yml': '' });
    expect(caught(() => loadPlaybook(join(dir, 'x'))).message).toMatch(/is a directory/);
  });

  it.each([
    ['an empty file', '', 'playbook is empty'],
    ['only comments', '# nothing yet\n', 'playbook is empty'],
    ['an empty list', '[]\n', 'playbook has no plays'],
  ])('refuses %s', (_, text, message) => {
    const e = errorOf(text);
    expect(e).toBeInstanceOf(PlaybookError);
    expect(e.message).toBe(message);
    expect(e.hint).toMatch(/- hosts: all/);
  });
});

function caught(fn: () => unknown): RunbookError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PlaybookError);
    return e as RunbookError;
  }
  throw new Error('expected an error');
}
