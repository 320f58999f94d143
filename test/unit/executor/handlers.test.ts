// Handlers: run once per host at the end of a play, in definition order, only where a changed task notified them;
// meta: flush_handlers runs them early; a failed host runs none unless --force-handlers.
import { describe, expect, it } from 'vitest';
import { runYaml } from '../../support/run-playbook.js';

const pb = (tasks: string, handlers: string, head = '') =>
  `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}  handlers:\n${handlers}`;
const HANDLERS = `    - name: restart a\n      command: handler a\n    - name: restart b\n      command: handler b\n      listen: web changed\n`;

describe('handlers', () => {
  it('a changed task notifies; the handler runs once at the end, on the notified hosts only', async () => {
    const tasks = `    - command: step 1\n      notify: restart a\n      when: inventory_hostname == 'h1'\n    - command: step 2\n      notify: restart a\n      when: inventory_hostname == 'h1'\n    - command: step 3\n`;
    const r = await runYaml(pb(tasks, HANDLERS), { inventory: ['h1', 'h2'] });
    expect(r.lab.host('h1').commands).toEqual(['step 1', 'step 2', 'step 3', 'handler a']);
    expect(r.lab.host('h2').commands).toEqual(['step 3']);
  });

  it('an unchanged task notifies nothing', async () => {
    const tasks = `    - command: step 1\n      changed_when: false\n      notify: restart a\n`;
    const r = await runYaml(pb(tasks, HANDLERS), { inventory: ['h1'] });
    expect(r.lab.host('h1').commands).toEqual(['step 1']);
  });

  it('listen: a topic reaches the handlers listening to it; handlers run in definition order', async () => {
    const tasks = `    - command: step 1\n      notify: [web changed, restart a]\n`;
    const r = await runYaml(pb(tasks, HANDLERS), { inventory: ['h1'] });
    expect(r.lab.host('h1').commands).toEqual(['step 1', 'handler a', 'handler b']);
  });

  it('meta: flush_handlers runs them before the next task, and they do not run again at the end', async () => {
    const tasks = `    - command: step 1\n      notify: restart a\n    - meta: flush_handlers\n    - command: step 2\n`;
    const r = await runYaml(pb(tasks, HANDLERS), { inventory: ['h1'] });
    expect(r.lab.host('h1').commands).toEqual(['step 1', 'handler a', 'step 2']);
  });

  it('a handler can notify another handler', async () => {
    const handlers = `    - name: first\n      command: handler 1\n      notify: second\n    - name: second\n      command: handler 2\n`;
    const r = await runYaml(pb(`    - command: step 1\n      notify: first\n`, handlers), { inventory: ['h1'] });
    expect(r.lab.host('h1').commands).toEqual(['step 1', 'handler 1', 'handler 2']);
  });

  it('a host that failed later runs no handlers; --force-handlers runs them', async () => {
    const tasks = `    - command: step 1\n      notify: restart a\n    - command: step 2\n`;
    const script = (lab: import('../../support/memory-host.js').MemoryLab) => lab.host('h1').on('step 2', { code: 1 });
    const plain = await runYaml(pb(tasks, HANDLERS), { inventory: ['h1', 'h2'], script });
    expect(plain.lab.host('h1').sent('handler')).toEqual([]);
    expect(plain.lab.host('h2').sent('handler')).toEqual(['handler a']);
    const forced = await runYaml(pb(tasks, HANDLERS), { inventory: ['h1'], script, forceHandlers: true });
    expect(forced.lab.host('h1').sent('handler')).toEqual(['handler a']);
    expect(forced.exitCode).toBe(2);
  });

  it('a handler of a role included at run time joins the play', async () => {
    const r = await runYaml(pb(`    - include_role: {name: svc}\n`, `    - name: restart a\n      command: handler a\n`), {
      inventory: ['h1'],
      files: {
        'roles/svc/tasks/main.yml': `- command: role step\n  notify: restart svc\n`,
        'roles/svc/handlers/main.yml': `- name: restart svc\n  command: role handler\n`,
      },
    });
    expect(r.lab.host('h1').commands).toEqual(['role step', 'role handler']);
  });

  it("import_tasks under handlers: its tasks are handlers, notified by listen or by their own names (kubespray's etcd role)", async () => {
    const handlers = `    - name: Backup etcd\n      import_tasks: backup.yml\n    - name: Restart etcd\n      command: restart\n`;
    const r = await runYaml(pb(`    - command: change\n      notify: Restart etcd\n`, handlers), {
      inventory: ['h1'],
      files: { 'backup.yml': `- name: Take backup\n  command: backup\n  listen: Restart etcd\n- name: Unrelated\n  command: other\n` },
    });
    expect(r.lab.host('h1').commands).toEqual(['change', 'backup', 'restart']);
  });

  it('include_tasks under handlers is refused with what to write instead', async () => {
    await expect(
      runYaml(pb('    - command: x\n', '    - include_tasks: more.yml\n'), { inventory: ['h1'], files: { 'more.yml': '- command: y\n' } }),
    ).rejects.toThrow('handlers cannot use include_tasks');
  });
});
