// Dynamic include_tasks / include_role: one runtime task at load, read per host and item at run time (the loader's part
// and the executor's hostInclusion, without a host).
import { describe, expect, test } from 'vitest';
import { hostInclusion } from '../../../src/executor/include.js';
import { expandInclude } from '../../../src/playbook/dynamic.js';
import { errorOf, loadText } from './helpers.js';

const PB = `- hosts: all
  tags: [play]
  handlers:
    - name: restart
      shell: echo restart
  tasks:
    - block:
        - include_tasks: "{{ item }}.yml"
          loop: [one, two]
          tags: [inc]
          ignore_errors: true
          vars: { v: 1 }
      become: true
      tags: [outer]
    - include_tasks:
        file: one.yml
        apply: { tags: [applied], no_log: true }
    - import_tasks: one.yml
    - include_role: { name: "{{ r }}" }
`;
const FILES = {
  'one.yml': '- name: first\n  shell: echo {{ item | default("x") }} {{ v | default(0) }}\n  notify: restart\n',
  'two.yml': '- name: second\n  shell: echo two\n  when: v == 1\n',
  'roles/web/tasks/main.yml': '- name: role task\n  shell: echo web\n  notify: web handler\n',
  'roles/web/handlers/main.yml': '- name: web handler\n  shell: echo h\n',
};

describe('dynamic includes', () => {
  const tasks = loadText(PB, FILES).plays[0].tasks;

  test('a templated name, a loop or apply: keeps the include as one task; a plain import is read now', () => {
    expect(tasks.map((t) => t.module)).toEqual(['include_tasks', 'include_tasks', 'shell', 'include_role']);
    expect(tasks[0].include).toMatchObject({ kind: 'tasks', name: '{{ item }}.yml' });
    expect([...tasks[0].tags].sort()).toEqual(['inc', 'outer', 'play']);
    expect(tasks[3].include).toMatchObject({ kind: 'role', name: '{{ r }}' });
  });

  test('included tasks get the include’s vars and loop item and the enclosing keywords, not its own tags or ignore_errors', () => {
    const inc = expandInclude(tasks[0], 'one.yml', { item: 'one' });
    const [t] = inc.tasks.map((p) => p.task);
    expect(t.vars).toEqual({ v: 1, item: 'one' });
    expect(t.become).toBe(true);
    expect(t.ignoreErrors).toBe(false);
    expect([...t.tags].sort()).toEqual(['outer', 'play']);
    const applied = expandInclude(tasks[1], 'one.yml', {}).tasks[0].task;
    expect([...applied.tags].sort()).toEqual(['applied', 'play']);
    expect(applied.noLog).toBe(true);
  });

  test('per host: the loop, when: per item, the same inclusion shared; role handlers join the play', () => {
    const cache = new Map();
    const handlers = [...loadText(PB, FILES).plays[0].handlers];
    const a = hostInclusion(tasks[0], 'h1', {}, cache, handlers);
    const b = hostInclusion(tasks[0], 'h2', {}, cache, handlers);
    expect(a.tasks.map((t) => t.name)).toEqual(['first', 'second']);
    expect(a.key).toBe(b.key);
    expect(a.tasks[0]).toBe(b.tasks[0]);
    const role = hostInclusion(tasks[3], 'h1', { r: 'web' }, new Map(), handlers);
    expect(role.tasks.map((t) => t.name)).toEqual(['web : role task']);
    expect(handlers.map((h) => h.name)).toContain('web : web handler');
  });

  test('what a host includes is checked like an import: a missing file, an unknown notify', () => {
    expect(() => hostInclusion(tasks[0], 'h1', {}, new Map(), [])).toThrow(/notify "restart" matches no handler/);
    expect(() => expandInclude(tasks[0], 'three.yml', {})).toThrow(/task file not found: .*three\.yml/);
    expect(() => hostInclusion(tasks[3], 'h1', { r: 'nope' }, new Map(), [])).toThrow(/role "nope" not found/);
  });

  test('at load: a looped include of a known file is read now; keywords of import_tasks stay static', () => {
    expect(errorOf('- hosts: all\n  tasks:\n    - include_tasks: bad.yml\n      loop: [1]\n', { 'bad.yml': '- shel: x\n' }).message).toBe(
      'unknown module "shel"',
    );
    expect(errorOf('- hosts: all\n  tasks:\n    - import_tasks: two.yml\n      loop: [1]\n', FILES).message).toBe(
      '"loop" on import_tasks is not supported',
    );
    expect(errorOf('- hosts: all\n  tasks:\n    - include_tasks: { file: "{{ f }}", apply: { loop: [1] } }\n').message).toBe(
      '"loop" cannot go in apply:',
    );
  });
});

describe('include_role chosen at run time: tasks_from and the other files are rendered per host', () => {
  const FILES2 = {
    'roles/os/tasks/main.yml': '- name: main\n  shell: echo main\n',
    'roles/os/tasks/Debian.yml': '- name: debian\n  shell: echo {{ pkg }}\n',
    'roles/os/tasks/RedHat.yml': '- name: redhat\n  shell: echo {{ pkg }}\n',
    'roles/os/vars/Debian.yml': 'pkg: apt-thing\n',
    'roles/os/vars/RedHat.yml': 'pkg: rpm-thing\n',
  };
  const pb = '- hosts: all\n  tasks:\n    - include_role: { name: os, tasks_from: "{{ fam }}.yml", vars_from: "{{ fam }}" }\n';

  test('a templated tasks_from makes the include dynamic; each host reads its own files, hosts alike share them', () => {
    const [t] = loadText(pb, FILES2).plays[0].tasks;
    expect(t.module).toBe('include_role');
    expect(t.include).toMatchObject({ kind: 'role', name: 'os', roleFrom: { tasks: '{{ fam }}.yml', vars: '{{ fam }}' } });
    const cache = new Map();
    const deb = hostInclusion(t, 'h1', { fam: 'Debian' }, cache, []);
    const rh = hostInclusion(t, 'h2', { fam: 'RedHat' }, cache, []);
    const deb2 = hostInclusion(t, 'h3', { fam: 'Debian' }, cache, []);
    expect(deb.tasks.map((x) => [x.name, x.vars])).toEqual([['os : debian', { pkg: 'apt-thing' }]]);
    expect(rh.tasks.map((x) => [x.name, x.vars])).toEqual([['os : redhat', { pkg: 'rpm-thing' }]]);
    expect(deb2.key).toBe(deb.key);
    expect(rh.key).not.toBe(deb.key);
    expect(deb.sources).toEqual(['role:os tasks_from Debian.yml vars_from Debian']);
    expect(() => hostInclusion(t, 'h4', { fam: 'Arch' }, cache, [])).toThrow('role "os" has no vars/Arch');
  });

  test('allow_duplicates: false and public: true are refused at load, with what to do', () => {
    const e = errorOf('- hosts: all\n  tasks:\n    - include_role: { name: "{{ r }}", allow_duplicates: false }\n', FILES2);
    expect(e.message).toMatch(/allow_duplicates: false is not supported here/);
    expect(e.hint).toMatch(/import_role/);
    expect(errorOf('- hosts: all\n  tasks:\n    - include_role: { name: "{{ r }}", public: true }\n', FILES2).message).toMatch(
      /public: true is not supported/,
    );
  });
});
