// block / rescue / always at load time: flattened into tasks that know their blocks and inherit the block's keywords.
import { describe, expect, it } from 'vitest';
import { formatPlaybookOutline } from '../../../src/playbook/load.js';
import { errorOf, loadText } from './helpers.js';

const PB = `- hosts: all
  tags: [play]
  tasks:
    - name: before
      shell: echo before
    - name: configure
      when: ansible_os_family == "Debian"
      become: true
      become_user: app
      environment: { LANG: C, PROXY: outer }
      tags: [net]
      vars: { a: 1, b: 1 }
      block:
        - name: step one
          shell: echo one
          vars: { b: 2 }
          environment: { PROXY: inner }
        - name: inner
          when: x is defined
          ignore_errors: true
          block:
            - name: deep
              shell: echo deep
              become: false
          always:
            - name: inner always
              debug: { msg: hi }
      rescue:
        - name: undo
          shell: echo undo
      always:
        - name: tidy
          shell: echo tidy
    - name: after
      shell: echo after
`;

describe('blocks at load time', () => {
  it('flattens in order, each task knowing its blocks and the part it is in', () => {
    const tasks = loadText(PB).plays[0].tasks;
    expect(tasks.map((t) => t.name)).toEqual(['before', 'step one', 'deep', 'inner always', 'undo', 'tidy', 'after']);
    const parts = tasks.map((t) =>
      (t.blocks ?? []).map((b) => `${b.name ?? '?'}:${b.section}${b.hasRescue ? '+r' : ''}${b.hasAlways ? '+a' : ''}`).join(' > '),
    );
    expect(parts).toEqual([
      '',
      'configure:block+r+a',
      'configure:block+r+a > inner:block+a',
      'configure:block+r+a > inner:always+a',
      'configure:rescue+r+a',
      'configure:always+r+a',
      '',
    ]);
    const [, , deep] = tasks;
    expect(deep.blocks?.[0].id).not.toBe(deep.blocks?.[1].id);
  });

  it('hands the block keywords down: when prepended, tags and vars merged, the task’s own value wins', () => {
    const byName = Object.fromEntries(loadText(PB).plays[0].tasks.map((t) => [t.name, t]));
    expect(byName['step one'].when).toEqual(['ansible_os_family == "Debian"']);
    expect(byName.deep.when).toEqual(['ansible_os_family == "Debian"', 'x is defined']);
    expect(byName.deep.tags.sort()).toEqual(['net', 'play']);
    expect(byName['step one'].vars).toEqual({ a: 1, b: 2 });
    expect(byName.undo.vars).toEqual({ a: 1, b: 1 });
    expect(byName['step one'].become).toBe(true);
    expect(byName.deep.become).toBe(false);
    expect(byName.undo.becomeUser).toBe('app');
    expect(byName['step one'].environment).toEqual({ LANG: 'C', PROXY: 'inner' });
    expect(byName.tidy.environment).toEqual({ LANG: 'C', PROXY: 'outer' });
    expect(byName.before.environment).toBeUndefined();
    expect(byName.deep.ignoreErrors).toBe(true);
    expect(byName['step one'].ignoreErrors).toBe(false);
    expect(byName.before.when).toEqual([]);
    expect(byName.after.blocks).toBeUndefined();
  });

  it('--list-tasks marks the tasks of rescue: and always: parts', () => {
    const lines = formatPlaybookOutline(loadText(PB), 'tasks')
      .split('\n')
      .filter((l) => l.startsWith('      '));
    expect(lines.map((l) => l.trim().split('\t')[0])).toEqual([
      'before',
      'step one',
      'deep',
      'inner always  (always of "inner")',
      'undo  (rescue of "configure")',
      'tidy  (always of "configure")',
      'after',
    ]);
  });

  it('handlers cannot be blocks', () => {
    const e = errorOf('- hosts: all\n  handlers:\n    - name: h\n      block:\n        - shell: echo\n');
    expect(e.message).toBe('handlers cannot be blocks');
    expect(e.at?.line).toBe(4);
  });
});
