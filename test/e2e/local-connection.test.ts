// ansible-playbook -i localhost, -c local: a host list and -c local run a playbook on this machine, through the CLI.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runbook } from './helpers.js';

describe('-i localhost, -c local', () => {
  it('runs the playbook on this machine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-conn-'));
    writeFileSync(
      join(dir, 'p.yml'),
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: echo from-here\n      register: r\n    - assert: {that: ["r.stdout == \'from-here\'"]}\n',
    );
    const r = await runbook(['run', join(dir, 'p.yml'), '-i', 'localhost,', '-c', 'local', '-o', 'plain']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/localhost\s+ok=2\s+changed=1/);
    // without -c the listed localhost is reached over SSH, as in Ansible: nothing listens on this machine's port 22
    // in the test, or its key is not ours; either way it is not run locally
    // (its own known_hosts file, so that a machine that does run an sshd keeps its ~/.ssh as it was)
    const kh = join(dir, 'known_hosts');
    const ssh = await runbook([
      'run',
      join(dir, 'p.yml'),
      '-i',
      'localhost,',
      '-o',
      'plain',
      '--connect-timeout',
      '2',
      '--known-hosts',
      kh,
    ]);
    expect(ssh.code).not.toBe(0);
  });
});
