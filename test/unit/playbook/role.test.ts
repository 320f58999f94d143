// Roles at load time: roles: and import_role entries become tasks and handlers that know their role.
import { describe, expect, it } from 'vitest';
import { errorOf, loadText } from './helpers.js';

const ROLE = {
  'roles/web/tasks/main.yml': '- name: config\n  template: { src: web.conf.hbs, dest: /etc/web.conf }\n  notify: reload web\n',
  'roles/web/handlers/main.yml': '- name: reload web\n  shell: echo reload\n',
  'roles/web/defaults/main.yml': 'port: 80\nworkers: 2\n',
  'roles/web/vars/main.yml': 'conf_dir: /etc/web\n',
  'roles/web/templates/web.conf.hbs': 'port={{ port }}\n',
  'roles/web/meta/main.yml': 'dependencies:\n  - common\n',
  'roles/common/tasks/main.yml': '- name: base\n  shell: echo base\n',
};

describe('roles at load time', () => {
  it('pre_tasks, then dependencies, then the role, then tasks; names prefixed with the role', () => {
    const play = loadText(
      '- hosts: all\n  pre_tasks:\n    - name: first\n      shell: echo 1\n  roles:\n    - web\n  tasks:\n    - name: mine\n      shell: echo 2\n',
      ROLE,
    ).plays[0];
    expect(play.tasks.map((t) => t.name)).toEqual(['first', 'common : base', 'web : config', 'mine']);
    const config = play.tasks[2];
    expect(config.roleDir).toMatch(/roles\/web$/);
    expect(config.roleDefaults).toEqual({ port: 80, workers: 2 });
    expect(config.vars).toEqual({ conf_dir: '/etc/web' });
    expect(config.at.file).toMatch(/roles\/web\/tasks\/main\.yml$/);
    // the handler keeps answering to its own name
    expect(play.handlers.map((h) => [h.name, h.listen])).toEqual([['web : reload web', ['reload web']]]);
  });

  it('role: "{{ playbook_dir }}" (a role\'s own test playbook) is rendered at load; another template is refused', () => {
    const play = loadText('- hosts: all\n  roles:\n    - role: "{{ playbook_dir }}"\n', {
      'tasks/main.yml': '- name: t\n  shell: echo\n',
      'defaults/main.yml': 'a: 1\n',
    }).plays[0];
    expect(play.tasks[0].roleDefaults).toEqual({ a: 1 });
    expect(play.tasks[0].name).toMatch(/^runbook-pb-\w+ : t$/); // the folder's name, as Ansible names a role given by path
    const e = errorOf('- hosts: all\n  roles:\n    - role: "{{ which }}"\n', {});
    expect(e.message).toBe('a role name cannot be a template of run-time variables: roles are read when the playbook loads');
  });

  it('defaults/main/ and vars/main/ as folders: every vars file in them, sorted, merged in order (as kubespray_defaults)', () => {
    const play = loadText('- hosts: all\n  roles: [kd]\n', {
      'roles/kd/tasks/main.yml': '- name: t\n  shell: echo\n',
      'roles/kd/defaults/main/main.yml': 'a: 1\nb: 1\n',
      'roles/kd/defaults/main/download.yml': 'b: 2\nc: 2\n',
      'roles/kd/defaults/main/sub/z.yaml': 'z: 3\n',
      'roles/kd/defaults/main/README.md': 'not vars\n',
      'roles/kd/vars/main/x.json': '{"v": 1}\n',
    }).plays[0];
    // download.yml sorts before main.yml, so main.yml's b wins; sub/ is read in its place; README.md is no vars file
    expect(play.tasks[0].roleDefaults).toEqual({ b: 1, c: 2, a: 1, z: 3 });
    expect(play.tasks[0].vars).toEqual({ v: 1 });
  });

  it('a role entry’s keywords go to every task; other keys are role parameters, above task vars', () => {
    const play = loadText(
      '- hosts: all\n  roles:\n    - { role: web, when: web_enabled, tags: [web], become: true, http_port: 8080 }\n',
      ROLE,
    ).plays[0];
    const config = play.tasks.find((t) => t.name === 'web : config');
    expect(config?.when).toEqual(['web_enabled']);
    expect(config?.tags).toEqual(['web']);
    expect(config?.become).toBe(true);
    expect(config?.vars).toEqual({ conf_dir: '/etc/web', http_port: 8080 });
    // the dependency inherits the keywords of the role that pulled it in
    expect(play.tasks[0]).toMatchObject({ name: 'common : base', when: ['web_enabled'] });
  });

  it('a role listed twice runs once; import_role in tasks puts the role there', () => {
    const twice = loadText('- hosts: all\n  roles: [common, common]\n', ROLE).plays[0];
    expect(twice.tasks.map((t) => t.name)).toEqual(['common : base']);
    const inline = loadText(
      '- hosts: all\n  tasks:\n    - name: before\n      shell: echo 0\n    - import_role: { name: common }\n      tags: [c]\n',
      ROLE,
    ).plays[0];
    expect(inline.tasks.map((t) => [t.name, t.tags])).toEqual([
      ['before', []],
      ['common : base', ['c']],
    ]);
  });

  it('errors: an unknown role names where it looked; a bad task in a role names its file', () => {
    const e = errorOf('- hosts: all\n  roles:\n    - nosuch\n', ROLE);
    expect(e.message).toBe('role "nosuch" not found');
    expect(e.hint).toMatch(/roles\/nosuch/);
    expect(e.at?.line).toBe(3);
    const bad = errorOf('- hosts: all\n  roles: [common]\n', { 'roles/common/tasks/main.yml': '- name: base\n  shel: echo\n' });
    expect(bad.at?.file).toMatch(/roles\/common\/tasks\/main\.yml$/);
    expect(bad.message).toBe('unknown module "shel"');
  });

  it('a dependency cycle is refused', () => {
    const e = errorOf('- hosts: all\n  roles: [a]\n', {
      'roles/a/meta/main.yml': 'dependencies: [b]\n',
      'roles/b/meta/main.yml': 'dependencies: [a]\n',
      'roles/a/tasks/main.yml': '- shell: echo a\n',
      'roles/b/tasks/main.yml': '- shell: echo b\n',
    });
    expect(e.message).toMatch(/roles depend on each other in a cycle: a → b → a/);
  });
});

// Ansible's import_role/include_role arguments besides name: other files of the role, allow_duplicates, public.
describe('import_role and include_role: tasks_from, vars_from, defaults_from, handlers_from', () => {
  const DB = {
    'roles/db/tasks/main.yml': '- name: main\n  shell: echo main\n',
    'roles/db/tasks/install.yml': '- name: install\n  shell: echo {{ pkg }} {{ port }}\n  notify: restart db\n',
    'roles/db/tasks/sub/extra.yaml': '- name: extra\n  shell: echo extra\n',
    'roles/db/vars/main.yml': 'pkg: main-pkg\n',
    'roles/db/vars/debian.yml': 'pkg: debian-pkg\n',
    'roles/db/defaults/main.yml': 'port: 1\n',
    'roles/db/defaults/alt.yml': 'port: 2\n',
    'roles/db/handlers/main.yml': '- name: restart db\n  shell: echo main handler\n',
    'roles/db/handlers/other.yml': '- name: restart db\n  shell: echo other handler\n',
  };
  const play = (entry: string) => loadText(`- hosts: all\n  tasks:\n${entry}`, DB).plays[0];

  it('reads the named files instead of main.yml, with or without .yml (or .yaml) and from a sub-folder', () => {
    const p = play(
      '    - import_role: { name: db, tasks_from: install, vars_from: debian.yml, defaults_from: alt, handlers_from: other }\n',
    );
    expect(p.tasks.map((t) => t.name)).toEqual(['db : install']);
    expect(p.tasks[0].vars).toEqual({ pkg: 'debian-pkg' });
    expect(p.tasks[0].roleDefaults).toEqual({ port: 2 });
    expect(p.handlers.map((h) => h.args)).toEqual([{ _raw: 'echo other handler' }]);
    expect(play('    - include_role: { name: db, tasks_from: sub/extra }\n').tasks.map((t) => t.name)).toEqual(['db : extra']);
  });

  it('the same role with another tasks_from is another role: both run', () => {
    const p = play('    - import_role: { name: db }\n    - import_role: { name: db, tasks_from: install }\n');
    expect(p.tasks.map((t) => t.name)).toEqual(['db : main', 'db : install']);
  });

  it('as in Ansible, include_role runs its role each time; import_role of the same role once, unless allow_duplicates', () => {
    const twice = (k: string, extra = '') => play(`    - ${k}: { name: db${extra} }\n    - ${k}: { name: db${extra} }\n`).tasks.length;
    expect(twice('import_role')).toBe(1);
    expect(twice('include_role')).toBe(2);
    expect(twice('import_role', ', allow_duplicates: true')).toBe(2);
    expect(twice('include_role', ', allow_duplicates: false')).toBe(1);
  });

  it('a missing file names what was looked for; a path out of the folder and a template are refused', () => {
    const e = errorOf('- hosts: all\n  tasks:\n    - import_role: { name: db, tasks_from: nope }\n', DB);
    expect(e.message).toBe('role "db" has no tasks/nope');
    expect(e.hint).toMatch(/roles\/db\/tasks\/nope\.yml/);
    expect(e.at?.line).toBe(3);
    expect(errorOf('- hosts: all\n  tasks:\n    - import_role: { name: db, tasks_from: ../vars/main }\n', DB).message).toBe(
      "tasks_from: ../vars/main leaves the role's tasks/ folder",
    );
    expect(errorOf('- hosts: all\n  tasks:\n    - import_role: { name: db, tasks_from: "{{ x }}" }\n', DB).message).toMatch(
      /import_role reads the role when the playbook loads, so tasks_from cannot be a template/,
    );
    // public: true on a role read at load is what runbook does for it anyway (its vars reach the play's tasks)
    expect(play('    - import_role: { name: db, public: true }\n').tasks).toHaveLength(1);
    expect(play('    - import_role: { name: db, public: false }\n').tasks).toHaveLength(1);
  });
});
