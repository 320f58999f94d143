// include_vars, group_by, add_host, meta: arguments in, result (Ansible's keys) out; the executor's inventory effects.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { addHost, addToGroup, applyControl } from '../../../../src/executor/control.js';
import { newHostRun, varsFor } from '../../../../src/executor/host.js';
import type { Inventory } from '../../../../src/inventory/types.js';
import { groupsMap } from '../../../../src/inventory/vars.js';
import { add_host } from '../../../../src/modules/control/add_host.js';
import { group_by } from '../../../../src/modules/control/group_by.js';
import { include_vars, varsSearchPath } from '../../../../src/modules/control/include_vars.js';
import { meta } from '../../../../src/modules/control/meta.js';
import { at, fakeCtx, fakeProbe } from '../fake-probe.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-ctl-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

const dir = tree({
  'site.yml': '',
  'vars/Debian.yml': 'pkg: apt\nport: 80\n',
  'roles/web/vars/own.yml': 'own: role\n',
  'roles/web/tasks/main.yml': '',
  'conf/a.yml': 'a: 1\nshared: a\n',
  'conf/b.json': '{"b": 2, "shared": "b"}',
  'conf/skip.yml': 'skipped: true\n',
  'conf/notes.txt': 'x',
  'conf/sub/c.yml': 'c: 3\n',
});
const ctx = (file = join(dir, 'site.yml')) => fakeCtx({ baseDir: dir, at: { file, line: 3 } });
const vars = async (args: unknown, file?: string) => (await include_vars.plan(include_vars.parse(args, at), fakeProbe(), ctx(file))).result;

describe('include_vars', () => {
  test('a file by free form, from the playbook vars/ folder; name: puts it under one key', async () => {
    expect(await vars({ _raw: 'Debian.yml' })).toMatchObject({
      ansible_facts: { pkg: 'apt', port: 80 },
      ansible_included_var_files: [join(dir, 'vars/Debian.yml')],
    });
    expect((await vars({ file: 'Debian.yml', name: 'os' }))?.ansible_facts).toEqual({ os: { pkg: 'apt', port: 80 } });
    expect((await vars({ _raw: 'file=Debian.yml name=os' }))?.ansible_facts).toEqual({ os: { pkg: 'apt', port: 80 } });
  });

  test("a role's task finds the role's vars/ first", async () => {
    expect((await vars({ file: 'own.yml' }, join(dir, 'roles/web/tasks/main.yml')))?.ansible_facts).toEqual({ own: 'role' });
    expect(varsSearchPath(dir, join(dir, 'roles/web/tasks/main.yml'))[0]).toBe(join(dir, 'roles/web/vars'));
  });

  test('dir: name order, sub-folders to depth, files_matching, ignore_files, unknown extensions', async () => {
    await expect(vars({ dir: 'conf' })).rejects.toThrow(/notes\.txt.*does not have a valid extension/);
    const all = await vars({ dir: 'conf', ignore_unknown_extensions: true, ignore_files: ['skip.yml'] });
    expect(all?.ansible_facts).toEqual({ a: 1, b: 2, shared: 'b', c: 3 });
    const top = await vars({ dir: 'conf', depth: 1, files_matching: '^[ab]\\.', ignore_unknown_extensions: true });
    expect(top?.ansible_facts).toEqual({ a: 1, b: 2, shared: 'b' });
  });

  test('a missing file fails the task, saying where it looked; bad arguments are refused', async () => {
    await expect(vars({ file: 'nope.yml' })).rejects.toThrow(/include_vars: file not found: nope\.yml/);
    expect(() => include_vars.parse({ file: 'a.yml', dir: 'b' }, at)).toThrow(/mutually exclusive|only one/);
    expect(() => include_vars.parse({}, at)).toThrow(/give a file/);
    expect(() => include_vars.parse({ file: 'a.yml', hash_behaviour: 'merge' }, at)).toThrow(/merge/);
  });
});

describe('group_by, add_host, meta', () => {
  test('group_by: blanks become -, parents default to all', async () => {
    const r = await group_by.plan(group_by.parse({ key: 'os Debian', parents: ['linux hosts'] }, at), fakeProbe(), fakeCtx());
    expect(r).toMatchObject({ changed: false, result: { add_group: 'os-Debian', parent_groups: ['linux-hosts'] } });
  });

  test('add_host: name with a port, groups as a list or comma text, other keys are host vars', async () => {
    const p = add_host.parse({ hostname: 'db1:2222', groups: 'db,backup', ansible_host: '10.0.0.5' }, at);
    expect(p).toEqual({ name: 'db1', groups: ['db', 'backup'], vars: { ansible_host: '10.0.0.5', ansible_port: 2222 } });
    expect((await add_host.plan(p, fakeProbe(), fakeCtx())).result).toEqual({
      add_host: { host_name: 'db1', groups: ['db', 'backup'], host_vars: p.vars },
    });
  });

  test('meta takes one of Ansible’s actions', () => {
    expect(meta.parse({ _raw: 'flush_handlers' }, at)).toBe('flush_handlers');
    expect(() => meta.parse({ _raw: 'flush' }, at)).toThrow(/flush_handlers/);
  });
});

describe('the inventory and variable effects (executor/control.ts)', () => {
  const inv = (): Inventory => ({
    sources: [],
    hosts: new Map([
      ['h1', { name: 'h1', vars: {} }],
      ['h2', { name: 'h2', vars: {} }],
    ]),
    groups: new Map([
      ['all', { name: 'all', hosts: new Set<string>(), children: new Set(['ungrouped']), vars: {} }],
      ['ungrouped', { name: 'ungrouped', hosts: new Set(['h1', 'h2']), children: new Set<string>(), vars: {} }],
    ]),
  });

  test('group_by adds the host to a new group under its parents; groups shows it', () => {
    const i = inv();
    expect(addToGroup(i, 'h1', 'os-Debian', ['linux'])).toBe(true);
    expect(addToGroup(i, 'h1', 'os-Debian', ['linux'])).toBe(false);
    expect(groupsMap(i)).toMatchObject({ 'os-Debian': ['h1'], linux: ['h1'], ungrouped: ['h2'] });
  });

  test('add_host: a new host with vars and groups; an existing host gains both', () => {
    const i = inv();
    addHost(i, 'h9', ['web'], { ansible_host: '10.0.0.9' });
    addHost(i, 'h2', ['web'], { role: 'x' });
    expect([...(groupsMap(i).web ?? [])].sort()).toEqual(['h2', 'h9']);
    expect(i.hosts.get('h9')?.vars).toEqual({ ansible_host: '10.0.0.9' });
    expect(i.hosts.get('h2')?.vars).toEqual({ role: 'x' });
  });

  test('include_vars sits above task vars and below set_fact, for the rest of the run; loops are merged', () => {
    const r = newHostRun('h1', { a: 'inventory' });
    applyControl(
      'include_vars',
      { results: [{ ansible_facts: { a: 'included', b: 1 } }, { ansible_facts: { b: 2 } }, { skipped: true }] },
      r,
      inv(),
      {},
    );
    expect(varsFor(r, {}, {}, { a: 'task' }).a).toBe('included');
    expect(varsFor(r, {}, {}).b).toBe(2);
    r.facts.a = 'set_fact';
    expect(varsFor(r, {}, {}).a).toBe('set_fact');
  });
});
