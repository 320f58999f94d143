// Good playbooks load into the Play/Task values the executor relies on.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPlaybookOutline, loadPlaybook } from '../../../src/playbook/load.js';
import type { Task } from '../../../src/playbook/types.js';
import { loadText, writeTree } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/playbook');

function taskDefaults(file: string, line: number, col: number): Omit<Task, 'module' | 'args'> {
  return {
    at: { file, line, col },
    when: [],
    loopVar: 'item',
    notify: [],
    tags: [],
    ignoreErrors: false,
    changedWhen: [],
    failedWhen: [],
    noLog: false,
    until: [],
    runOnce: false,
    vars: {},
    listen: [],
  };
}

describe('loadPlaybook', () => {
  it('fills play defaults and task defaults', () => {
    const pb = loadText('- hosts: web\n  tasks:\n    - ping:\n');
    expect(pb.file).toMatch(/site\.yml$/);
    expect(pb.baseDir).toBe(join(pb.file, '..'));
    expect(pb.plays).toEqual([
      {
        name: 'web',
        hosts: 'web',
        at: { file: pb.file, line: 1, col: 3 },
        baseDir: pb.baseDir,
        vars: {},
        varsFiles: [],
        gatherFacts: true,
        become: false,
        connection: 'ssh',
        tasks: [{ module: 'ping', args: {}, ...taskDefaults(pb.file, 3, 7) }],
        handlers: [],
        serial: [],
        anyErrorsFatal: false,
        strategy: 'linear',
        tags: [],
      },
    ]);
  });

  it('reads every play key of the full fixture', () => {
    const pb = loadPlaybook(join(FIXTURES, 'full.yml'));
    const [p] = pb.plays;
    expect(pb.baseDir).toBe(FIXTURES);
    expect(p.name).toBe('Configure web servers');
    expect(p.hosts).toBe('web,db:!db3');
    expect(p.vars).toEqual({ port: 8080, packages: ['nginx', 'curl'], motd: 'hello {{ inventory_hostname }}' });
    expect(p.varsFiles).toEqual([join(FIXTURES, 'vars/common.yml'), 'vars/{{ env }}.yml']);
    expect(p.gatherFacts).toBe(false);
    expect(p.become).toBe(true);
    expect(p.connection).toBe('local');
    expect(p.serial).toEqual([1, '30%', 5]);
    expect(p.maxFailPercentage).toBe(25);
    expect(p.anyErrorsFatal).toBe(true);
    expect(p.strategy).toBe('free');
    expect(p.tags).toEqual(['web']);
    // pre_tasks, then tasks, then post_tasks, whatever order the keys are written in
    expect(p.tasks.map((t) => t.name)).toEqual(['first', 'install', 'render config', 'last']);
    expect(p.handlers.map((h) => [h.name, h.listen])).toEqual([['restart nginx', ['web restarted']]]);
  });

  it('reads every task keyword', () => {
    const pb = loadPlaybook(join(FIXTURES, 'full.yml'));
    const install = pb.plays[0].tasks[1];
    expect(install).toEqual({
      name: 'install',
      module: 'shell',
      args: { chdir: '/tmp', _raw: 'apt-get install -y {{ pkg }}' },
      at: { file: pb.file, line: 26, col: 7 },
      when: ['ansible_os_family == "Debian"', 'true'],
      loop: '{{ packages }}',
      loopVar: 'pkg',
      loopControl: { label: '{{ pkg }}' },
      register: 'installed',
      notify: ['restart nginx'],
      tags: ['web', 'packages', 'slow'],
      ignoreErrors: true,
      changedWhen: ['installed.rc == 0'],
      failedWhen: ['false'],
      noLog: true,
      become: false,
      retries: 3,
      delay: 2,
      until: ['installed.rc == 0'],
      runOnce: true,
      delegateTo: 'localhost',
      timeout: 600,
      vars: { DEBIAN_FRONTEND: 'noninteractive' },
      listen: [],
    });
    expect(pb.plays[0].tasks[2].notify).toEqual(['web restarted']);
  });

  it('merges args: under free-form and map args, inline args winning', () => {
    const pb = loadText(
      '- hosts: all\n  tasks:\n' +
        '    - command: ls -l\n      args: { chdir: /srv }\n' +
        '    - copy: { dest: /etc/motd, content: hi }\n      args: { dest: /ignored, mode: "0644" }\n' +
        '    - shell: >\n        echo one &&\n        echo two\n',
    );
    const [a, b, c] = pb.plays[0].tasks;
    expect(a.args).toEqual({ chdir: '/srv', _raw: 'ls -l' });
    expect(b.args).toEqual({ dest: '/etc/motd', mode: '0644', content: 'hi' });
    expect(c.args).toEqual({ _raw: 'echo one && echo two\n' });
  });

  it('accepts ansible.builtin and ansible.legacy names, recording the short name', () => {
    const pb = loadText('- hosts: all\n  tasks:\n    - ansible.builtin.shell: echo a\n    - ansible.legacy.debug: { msg: hi }\n');
    expect(pb.plays[0].tasks.map((t) => t.module)).toEqual(['shell', 'debug']);
  });

  it('inherits play tags and splits comma lists', () => {
    const pb = loadText(
      '- hosts: all\n  tags: [base, web]\n  tasks:\n' +
        '    - shell: echo a\n    - shell: echo b\n      tags: "web, config"\n    - shell: echo c\n      tags: 42\n',
    );
    expect(pb.plays[0].tasks.map((t) => t.tags)).toEqual([
      ['base', 'web'],
      ['base', 'web', 'config'],
      ['base', 'web', '42'],
    ]);
  });

  it('keeps with_items terms for the items lookup (flattened one level per host, in executor/loops.ts)', () => {
    const pb = loadText(
      '- hosts: all\n  tasks:\n' +
        '    - shell: echo {{ item }}\n      with_items: [[a, b], c]\n' +
        '    - shell: echo {{ item }}\n      with_items: "{{ names }}"\n' +
        '    - shell: echo {{ item }}\n      loop: [[a, b], c]\n' +
        '    - shell: echo {{ item }}\n      loop: groups.web\n',
    );
    expect(pb.plays[0].tasks.map((t) => t.loop)).toEqual([[['a', 'b'], 'c'], '{{ names }}', [['a', 'b'], 'c'], 'groups.web']);
    expect(pb.plays[0].tasks.map((t) => t.loopLookup)).toEqual(['items', 'items', undefined, undefined]);
  });

  it.each([
    ['3', [3]],
    ['"3"', [3]],
    ['"30%"', ['30%']],
    ['"12.5%"', ['12.5%']],
    ['[1, 5, "100%"]', [1, 5, '100%']],
  ])('reads serial: %s', (yaml, serial) => {
    expect(loadText(`- hosts: all\n  serial: ${yaml}\n  tasks: []\n`).plays[0].serial).toEqual(serial);
  });

  it('reads YAML 1.1 yes/no booleans as Ansible does, but leaves quoted ones alone', () => {
    const pb = loadText('- hosts: all\n  gather_facts: no\n  become: yes\n  vars:\n    a: "yes"\n    b: off\n  tasks: []\n');
    expect(pb.plays[0]).toMatchObject({ gatherFacts: false, become: true, vars: { a: 'yes', b: false } });
  });

  it('joins a list of hosts and concatenates several plays', () => {
    const pb = loadText('- hosts: [web, db]\n  tasks: []\n- name: second\n  hosts: all\n');
    expect(pb.plays.map((p) => [p.name, p.hosts, p.tasks.length])).toEqual([
      ['web,db', 'web,db', 0],
      ['second', 'all', 0],
    ]);
  });

  it('applies YAML anchors and merge keys', () => {
    const pb = loadText(
      '- hosts: all\n  vars:\n    base: &base { owner: root, mode: "0644" }\n  tasks:\n' +
        '    - copy:\n        <<: *base\n        dest: /etc/a\n        content: a\n' +
        '    - &t\n      shell: echo same\n      tags: [x]\n    - *t\n',
    );
    const [a, b, c] = pb.plays[0].tasks;
    expect(a.args).toEqual({ owner: 'root', mode: '0644', dest: '/etc/a', content: 'a' });
    expect(b.args).toEqual(c.args);
    expect(c.tags).toEqual(['x']);
  });

  it('lets a handler notify another handler through listen', () => {
    const pb = loadText(
      '- hosts: all\n  tasks:\n    - shell: echo hi\n      notify: [a]\n  handlers:\n' +
        '    - name: a\n      shell: echo a\n      notify: b-topic\n    - name: b\n      listen: [b-topic]\n      shell: echo b\n',
    );
    expect(pb.plays[0].handlers.map((h) => h.notify)).toEqual([['b-topic'], []]);
  });
});

describe('formatPlaybookOutline', () => {
  it('lists plays and tasks with their tags, like ansible-playbook --list-tasks', () => {
    const dir = writeTree({
      'site.yml':
        '- name: Web\n  hosts: web\n  tags: [web]\n  tasks:\n    - name: Install nginx\n      shell: echo\n      tags: [pkg]\n    - debug: { msg: hi }\n' +
        '- hosts: db\n  tasks: []\n',
    });
    const pb = loadPlaybook(join(dir, 'site.yml'));
    expect(formatPlaybookOutline(pb, 'tasks')).toBe(
      [
        '',
        `playbook: ${pb.file}`,
        '',
        '  play #1 (web): Web\tTAGS: [web]',
        '    tasks:',
        '      Install nginx\tTAGS: [pkg, web]',
        '      debug\tTAGS: [web]',
        '',
        '  play #2 (db): db\tTAGS: []',
        '    tasks:',
        '',
      ].join('\n'),
    );
  });
});
