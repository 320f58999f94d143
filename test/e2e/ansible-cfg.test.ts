// A project as Ansible users keep one: ansible.cfg beside the playbook names the inventory, the roles folder, the key
// and explicit fact gathering, and `runbook run site.yml` (no -i, no --private-key) runs it against a real OpenSSH
// lab host; `-v` says which file was read and which of its settings runbook does not use. A bad setting stops the
// run before any host is touched, naming the file and line.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'cfn';
let lab: LabInfo;
let dir: string;

function write(files: Record<string, string>): void {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
}

beforeAll(async () => {
  lab = await withLab(LAB, 1);
  dir = mkdtempSync(join(tmpdir(), 'rb-acfg-'));
  const h = lab.hosts[0];
  write({
    'ansible.cfg': [
      '[defaults]',
      'inventory = inventory/hosts.yml',
      'roles_path = $RB_SHARED_ROLES:shared-roles',
      `private_key_file = ${lab.keyPath}`,
      'gathering = explicit',
      'forks = 5',
      'retry_files_enabled = False',
      '[ssh_connection]',
      'pipelining = True',
      '',
    ].join('\n'),
    // no key here: only ansible.cfg's private_key_file lets runbook log in
    'inventory/hosts.yml': `all:\n  vars:\n    runbook_known_hosts: ${lab.knownHostsPath}\n  hosts:\n    h1:\n      ansible_host: ${h.ip}\n`,
    'shared-roles/motd/tasks/main.yml':
      '- name: motd from the shared role\n  copy:\n    dest: /etc/motd-acfg\n    content: "managed by {{ inventory_hostname }}\\n"\n',
    'playbooks/site.yml': [
      '- hosts: all',
      '  roles: [motd]',
      '  tasks:',
      '    - name: no facts were gathered',
      '      assert:',
      '        that: ansible_facts.distribution is not defined',
      '',
    ].join('\n'),
  });
});

afterAll(async () => {
  await labDown({ name: LAB });
});

describe('ansible.cfg in the project folder', () => {
  it('runs with no -i and no key option: inventory, roles_path, private_key_file and gathering come from ansible.cfg', async () => {
    const r = await runbook(['run', 'playbooks/site.yml', '-v'], { cwd: dir, env: { RB_SHARED_ROLES: join(dir, 'nowhere') } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(recapOf(r.stdout).h1).toMatchObject({ ok: 2, changed: 1, failed: 0 });
    expect(onHost(lab, 'h1', 'cat /etc/motd-acfg').stdout).toBe('managed by h1\n');
    expect(r.stderr).toContain(
      `ansible.cfg: read ${join(dir, 'ansible.cfg')}; runbook does not use defaults.retry_files_enabled, ssh_connection.pipelining`,
    );
    const again = await runbook(['run', 'playbooks/site.yml'], { cwd: dir });
    expect(recapOf(again.stdout).h1).toMatchObject({ changed: 0, failed: 0 });
  });

  it('a bad setting stops the run before any host is touched, naming ansible.cfg and the line', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'rb-acfg-bad-'));
    writeFileSync(join(bad, 'ansible.cfg'), '[defaults]\ninventory = hosts.yml\nforks = lots\n');
    writeFileSync(join(bad, 'site.yml'), '- hosts: all\n  tasks:\n    - copy: {dest: /etc/never-acfg, content: x}\n');
    const r = await runbook(['run', 'site.yml'], { cwd: bad });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`${join(bad, 'ansible.cfg')}:3: forks must be a whole number above 0, not "lots"`);
    expect(onHost(lab, 'h1', 'test -e /etc/never-acfg || echo absent').stdout.trim()).toBe('absent');
  });
});
