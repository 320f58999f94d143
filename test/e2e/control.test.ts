// Run control on a 3-host lab: include_vars chosen by first_found, dynamic include_tasks with a loop and include_role
// with a templated name, meta: flush_handlers and end_host, group_by and add_host feeding later plays; rerun no-op.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'mctl';
const PLAYBOOK = `- hosts: all
  tasks:
    - name: os vars
      include_vars: "{{ item }}"
      with_first_found:
        - "{{ ansible_os_family if inventory_hostname != 'h3' else 'Solaris' }}.yml"
        - default.yml
    - name: os var written
      copy: { dest: /root/osvar, content: "{{ osvar }}\\n" }
    - name: parts
      include_tasks: "parts/{{ item }}.yml"
      loop: [one, two]
    - name: a role chosen at run time
      include_role: { name: "{{ role_name }}" }
      vars: { role_name: marker }
    - name: config
      copy: { dest: /root/conf, content: "v1\\n" }
      notify: record
    - meta: flush_handlers
    - name: check the handler ran
      shell: grep -q v1 /root/handled && echo ok > /root/checked
      args: { creates: /root/checked }
    - name: group by kind
      group_by: { key: "kind_{{ kind }}" }
    - name: alias
      add_host: { name: "alias-{{ item }}", groups: added, ansible_host: "{{ hostvars[item].ansible_host }}", ansible_user: root, ansible_ssh_private_key_file: "{{ ansible_ssh_private_key_file }}", alias_of: "{{ item }}" }
      loop: [h3]
    - meta: end_host
      when: inventory_hostname == 'h2'
    - name: past end_host
      copy: { dest: /root/past-end, content: "yes\\n" }
  handlers:
    - name: record
      shell: cp /root/conf /root/handled
- hosts: kind_b
  gather_facts: false
  tasks:
    - name: group b
      copy: { dest: /root/group-b, content: "{{ inventory_hostname }} {{ groups.kind_b | join(',') }}\\n" }
- hosts: added
  gather_facts: false
  tasks:
    - name: through the alias
      copy: { dest: /root/alias, content: "{{ inventory_hostname }} {{ alias_of }}\\n" }
`;

let lab: LabInfo;
let dir: string;
let first: { code: number; stdout: string; stderr: string };

const put = (rel: string, text: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
const cat = (h: string, f: string) => onHost(lab, h, `cat /root/${f} 2>/dev/null || echo absent`).stdout.trim();

beforeAll(async () => {
  lab = await withLab(LAB, 3);
  dir = mkdtempSync(join(tmpdir(), 'rb-control-'));
  put('pb.yaml', PLAYBOOK);
  put('vars/Debian.yml', 'osvar: debian\n');
  put('vars/default.yml', 'osvar: default\n');
  put('parts/one.yml', '- name: part\n  copy: { dest: "/root/inc-{{ item }}", content: "{{ item }} {{ osvar }}\\n" }\n');
  put('parts/two.yml', '- name: part two\n  copy: { dest: "/root/inc-{{ item }}", content: "{{ item }}\\n" }\n');
  put('roles/marker/tasks/main.yml', '- name: mark\n  copy: { dest: /root/role-marker, content: "{{ inventory_hostname }}\\n" }\n');
  const inv = parse(readFileSync(lab.inventoryPath, 'utf8'));
  const hosts = inv.all.children?.mesh?.hosts ?? inv.all.hosts;
  hosts.h1.kind = 'a';
  hosts.h2.kind = 'b';
  hosts.h3.kind = 'b';
  put('inv.yaml', stringify(inv));
  first = await runbook(['run', join(dir, 'pb.yaml'), '-i', join(dir, 'inv.yaml')]);
}, 180_000);
afterAll(async () => {
  await labDown({ name: LAB });
  rmSync(dir, { recursive: true, force: true });
});

describe('run control on the lab', () => {
  it('runs to the end', () => {
    expect(first.code, first.stdout + first.stderr).toBe(0);
  });

  it('include_vars: the OS family file where it exists, default.yml otherwise (first_found)', () => {
    expect(cat('h1', 'osvar')).toBe('debian');
    expect(cat('h3', 'osvar')).toBe('default');
  });

  it('include_tasks of "{{ item }}.yml" with a loop, and include_role with a templated name', () => {
    for (const h of ['h1', 'h2', 'h3']) {
      expect(cat(h, 'inc-one')).toBe(h === 'h3' ? 'one default' : 'one debian');
      expect(cat(h, 'inc-two')).toBe('two');
      expect(cat(h, 'role-marker')).toBe(h);
    }
    expect(first.stdout).toMatch(/^h1\s+ok\s+parts/m);
  });

  it('meta: flush_handlers runs the handler before the task that checks it', () => {
    for (const h of ['h1', 'h2', 'h3']) expect(cat(h, 'checked')).toBe('ok');
    expect(first.stdout.indexOf('record')).toBeLessThan(first.stdout.indexOf('check the handler ran'));
  });

  it('meta: end_host stops h2 only', () => {
    expect(cat('h1', 'past-end')).toBe('yes');
    expect(cat('h2', 'past-end')).toBe('absent');
    expect(cat('h3', 'past-end')).toBe('yes');
  });

  it('group_by makes a group a later play targets; add_host a host reachable by a later play', () => {
    expect(cat('h1', 'group-b')).toBe('absent');
    expect(cat('h2', 'group-b')).toBe('h2 h2,h3');
    expect(cat('h3', 'group-b')).toBe('h3 h2,h3');
    expect(cat('h3', 'alias')).toBe('alias-h3 h3');
    expect(recapOf(first.stdout)['alias-h3']).toMatchObject({ ok: 1, failed: 0 });
    expect((first.stdout.match(/^\S+\s+\S+\s+alias\b/gm) ?? []).length).toBe(1);
  });

  it('a rerun changes nothing', async () => {
    const again = await runbook(['run', join(dir, 'pb.yaml'), '-i', join(dir, 'inv.yaml')]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    for (const [h, t] of Object.entries(recapOf(again.stdout))) expect(t.changed, h).toBe(0);
  });
});
