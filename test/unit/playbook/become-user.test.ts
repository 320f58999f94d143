// become_user: read on plays and tasks at load time, and resolved per host (task > play > ansible_become_user > root).
import { describe, expect, it } from 'vitest';
import { RunbookError, TemplateError } from '../../../src/errors.js';
import { asyncBudget, becomeOf } from '../../../src/executor/item.js';
import type { TaskEnv } from '../../../src/executor/task.js';
import { expectRejected, loadText } from './helpers.js';

const PB = `- hosts: all
  become: true
  become_user: postgres
  tasks:
    - shell: whoami
    - shell: whoami
      become_user: "{{ app_user }}"
- hosts: all
  tasks:
    - shell: whoami
`;

describe('become_user at load time', () => {
  it('is read on the play and on the task, and absent where not written', () => {
    const [p1, p2] = loadText(PB).plays;
    expect(p1.becomeUser).toBe('postgres');
    expect(p1.tasks[0].becomeUser).toBeUndefined();
    expect(p1.tasks[1].becomeUser).toBe('{{ app_user }}');
    expect(p2.becomeUser).toBeUndefined();
    expect('becomeUser' in p2.tasks[0]).toBe(false);
  });

  it('must be a non-empty string, with valid template syntax', () => {
    expectRejected({
      title: 'list',
      yaml: '- hosts: all\n  tasks:\n    - shell: id\n      become_user: [a, b]\n',
      message: '"become_user" must be a non-empty string, not a list',
      at: '4:20',
      hint: 'for example: become_user: postgres',
    });
    expectRejected({
      title: 'play, empty',
      yaml: '- hosts: all\n  become_user: ""\n  tasks: []\n',
      message: /"become_user" must be a non-empty string/,
      at: '2:16',
    });
    expectRejected({
      title: 'template syntax',
      yaml: '- hosts: all\n  tasks:\n    - shell: id\n      become_user: "{{ a b }"\n',
      message: /"\{\{ a b \}": syntax error/,
      at: '4:20',
      type: TemplateError,
    });
  });
});

describe('becomeOf', () => {
  const [play] = loadText(PB).plays;
  const env = (over: Partial<TaskEnv> = {}) => ({ become: true, becomeUser: play.becomeUser, ...over }) as TaskEnv;
  const [plain, templated] = play.tasks;

  it('task over play over ansible_become_user over root', () => {
    expect(becomeOf(templated, 'h1', { app_user: 'www-data', ansible_become_user: 'x' }, env())).toEqual({
      become: true,
      becomeUser: 'www-data',
    });
    expect(becomeOf(plain, 'h1', { ansible_become_user: 'x' }, env())).toEqual({ become: true, becomeUser: 'postgres' });
    expect(becomeOf(plain, 'h1', { ansible_become_user: 'x' }, env({ becomeUser: undefined }))).toEqual({ become: true, becomeUser: 'x' });
    expect(becomeOf(plain, 'h1', {}, env({ becomeUser: undefined }))).toEqual({ become: true });
  });

  it("ansible_become_method: sudo is runbook's; another method fails the task instead of running it with sudo", () => {
    expect(becomeOf(plain, 'h1', { ansible_become_method: 'sudo' }, env())).toEqual({ become: true, becomeUser: 'postgres' });
    expect(() => becomeOf(plain, 'h1', { ansible_become_method: 'su' }, env())).toThrow(
      'ansible_become_method is "su": runbook becomes with sudo only',
    );
    // a task that does not become never asks
    expect(becomeOf(plain, 'h1', { ansible_become_method: 'su' }, env({ become: false }))).toEqual({ become: false });
  });

  it('without become there is no user to become', () => {
    expect(becomeOf(templated, 'h1', { app_user: 'www-data' }, env({ become: false }))).toEqual({ become: false });
  });

  it('a rendered name that is not a user name fails the task, naming the value', () => {
    let err: unknown;
    try {
      becomeOf(templated, 'h1', { app_user: 'a b' }, env());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunbookError);
    expect((err as RunbookError).message).toBe('become_user must be a user name, got "a b"');
  });
});

describe('async: the seconds a task may run', () => {
  const [t] = loadText('- hosts: all\n  tasks:\n    - command: drain\n      async: "{{ drain + 120 }}"\n      poll: "{{ p }}"\n').plays[0]
    .tasks;
  it('rendered per host; the smaller of it and timeout:', () => {
    expect(asyncBudget(t, { drain: 60, p: 15 }, 'h1')).toBe(180);
    expect(asyncBudget({ ...t, timeout: 100 }, { drain: 60, p: 15 }, 'h1')).toBe(100);
    expect(asyncBudget({ ...t, async: undefined }, {}, 'h1')).toBeUndefined();
  });
  it('a poll that renders 0 fails the task; so does an async that is no number', () => {
    expect(() => asyncBudget(t, { drain: 60, p: 0 }, 'h1')).toThrow(/^poll: 0 \(fire and forget/);
    expect(() => asyncBudget({ ...t, async: '{{ w }}' }, { w: 'soon', p: 5 }, 'h1')).toThrow(/async must be a whole number of seconds/);
  });
});
