// import_tasks / include_tasks: task files read at load time, relative to the file that names them, with the
// import's keywords handed down and errors pointing into the imported file.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { errorOf, lineCol, loadText, writeTree } from './helpers.js';

const PB = `- hosts: all
  tasks:
    - name: first
      shell: echo first
    - import_tasks: tasks/net.yml
      when: net_enabled
      tags: [net]
      vars: { mtu: 1400 }
    - name: last
      shell: echo last
`;
const NET = `- name: bridge
  bridge: { name: br0 }
- import_tasks: routes.yml
`;
const ROUTES = `- name: route
  route: { to: 192.168.2.0/24, via: 10.0.0.2 }
  when: peers | length > 0
`;

describe('import_tasks / include_tasks', () => {
  it('puts the file’s tasks in place, nested imports relative to their own file, keywords handed down', () => {
    const tasks = loadText(PB, { 'tasks/net.yml': NET, 'tasks/routes.yml': ROUTES }).plays[0].tasks;
    expect(tasks.map((t) => t.name)).toEqual(['first', 'bridge', 'route', 'last']);
    const [, bridge, route] = tasks;
    expect(bridge.at.file).toMatch(/tasks\/net\.yml$/);
    expect(bridge.at.line).toBe(1);
    expect(route.at.file).toMatch(/tasks\/routes\.yml$/);
    expect(route.when).toEqual(['net_enabled', 'peers | length > 0']);
    expect(route.tags).toEqual(['net']);
    expect(route.vars).toEqual({ mtu: 1400 });
    expect(tasks[3].when).toEqual([]);
  });

  it('include_tasks stays one task at load (read when it runs, as in Ansible); its file is checked now all the same', () => {
    const tasks = loadText(PB, { 'tasks/net.yml': '- include_tasks: routes.yml\n', 'tasks/routes.yml': ROUTES }).plays[0].tasks;
    expect(tasks.map((t) => t.name ?? t.module)).toEqual(['first', 'include_tasks', 'last']);
    const e = errorOf(PB, { 'tasks/net.yml': '- include_tasks: routes.yml\n', 'tasks/routes.yml': '- rout: {}\n' });
    expect(e.message).toBe('unknown module "rout"');
    expect(e.at?.file).toMatch(/tasks\/routes\.yml$/);
  });

  it('import_tasks: {file: x.yml} is import_tasks: x.yml; another key is refused', () => {
    const pb = '- hosts: all\n  tasks:\n    - import_tasks: {file: tasks/routes.yml}\n';
    expect(loadText(pb, { 'tasks/routes.yml': ROUTES }).plays[0].tasks.map((t) => t.name)).toEqual(['route']);
    const e = errorOf('- hosts: all\n  tasks:\n    - import_tasks: {file: tasks/routes.yml, apply: {}}\n', { 'tasks/routes.yml': ROUTES });
    expect(e.message).toBe('"apply" is not an argument of import_tasks');
  });

  it('an error inside an imported file names that file, line and column', () => {
    const e = errorOf(PB, { 'tasks/net.yml': NET, 'tasks/routes.yml': '- name: route\n  rout: { to: 1.2.3.0/24 }\n' });
    expect(e.at?.file).toMatch(/tasks\/routes\.yml$/);
    expect(lineCol(e)).toBe('2:3');
    expect(e.message).toBe('unknown module "rout"');
  });

  it('an empty task file imports nothing; a map instead of a list is refused', () => {
    expect(loadText(PB, { 'tasks/net.yml': '' }).plays[0].tasks.map((t) => t.name)).toEqual(['first', 'last']);
    const e = errorOf(PB, { 'tasks/net.yml': 'name: bridge\nbridge: { name: br0 }\n' });
    expect(e.message).toBe('a task file must be a list of tasks');
    expect(e.at?.file).toMatch(/tasks\/net\.yml$/);
  });

  it('a cycle of imports is refused, naming the files', () => {
    const dir = writeTree({
      'site.yml': '- hosts: all\n  tasks:\n    - import_tasks: a.yml\n',
      'a.yml': '- import_tasks: b.yml\n',
      'b.yml': '- import_tasks: a.yml\n',
    });
    let msg = '';
    try {
      loadPlaybook(join(dir, 'site.yml'));
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/task files import each other in a cycle: .*a\.yml → .*b\.yml → .*a\.yml/);
  });
});
