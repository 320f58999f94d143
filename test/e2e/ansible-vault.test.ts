// Ansible Vault end to end: a group_vars/web.yml and !vault values made by ansible-vault itself load with the same
// passwords (--vault-id, label@file), reach the host intact, and never appear in any output (-vvvv, JSON, inventory).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, runbook, withLab } from './helpers.js';

const LAB = 'avlt';
const hasAnsibleVault = spawnSync('sh', ['-c', 'command -v ansible-vault']).status === 0;
const S = { number: '27182818', token: 'GVTOKEN-SENTINEL-4b1e', inline: 'INLINE-SENTINEL-9c3d', labelled: 'LABEL-SENTINEL-77aa' };
let lab: LabInfo;
let dir: string;
let inv: string;
let pw: string;
let prodPw: string;

const vault = (...args: string[]) => execFileSync('ansible-vault', args, { encoding: 'utf8' });
const leaks = (text: string) => Object.values(S).filter((v) => text.includes(v));

// Skipped only without ansible-vault (the oracle); scripts/setup.sh --tests installs ansible-core, so CI runs it.
describe.skipIf(!hasAnsibleVault)('Ansible Vault files and !vault values', () => {
  beforeAll(async () => {
    lab = await withLab(LAB, 1);
    dir = mkdtempSync(join(tmpdir(), 'rb-avault-'));
    inv = join(dir, 'inv');
    mkdirSync(join(inv, 'group_vars'), { recursive: true });
    copyFileSync(lab.inventoryPath, join(inv, 'hosts.yaml'));
    writeFileSync(join(inv, 'web.ini'), '[web]\nh1\n');
    pw = join(dir, 'pw');
    writeFileSync(pw, 'open sesame\n');
    prodPw = join(dir, 'prod-pw');
    writeFileSync(prodPw, 'prod sesame\n');
    const gv = join(inv, 'group_vars', 'web.yml');
    writeFileSync(gv, `mongo_admin_pass: ${S.number}\nweb_token: ${S.token}\n`);
    vault('encrypt', '--vault-password-file', pw, gv);
    const inline = vault('encrypt_string', '--vault-password-file', pw, '--name', 'inline_secret', S.inline).replace(/\n/g, '\n    ');
    const labelled = vault('encrypt_string', '--vault-id', `prod@${prodPw}`, '--name', 'vf_secret', S.labelled);
    writeFileSync(join(dir, 'vf.yml'), labelled);
    writeFileSync(
      join(dir, 'pb.yml'),
      `- hosts: web
  gather_facts: false
  vars:
    ${inline}
  vars_files: [vf.yml]
  tasks:
    - debug: {msg: "{{ mongo_admin_pass }} {{ web_token }} {{ inline_secret }} {{ vf_secret }}"}
    - copy: {dest: /root/vaulted, content: "{{ mongo_admin_pass }} {{ web_token }} {{ inline_secret }} {{ vf_secret }}\\n"}
`,
    );
  }, 300_000);
  afterAll(async () => {
    await labDown({ name: LAB });
  });

  it('a run reads them with --vault-id FILE and --vault-id prod@FILE; the host gets the values, no output shows them', async () => {
    for (const out of [['-vvvv'], ['-o', 'json', '-vvvv']]) {
      const r = await runbook(['run', join(dir, 'pb.yml'), '-i', inv, '--vault-id', pw, '--vault-id', `prod@${prodPw}`, ...out]);
      expect(r.code, r.stderr).toBe(0);
      expect(leaks(r.stdout + r.stderr)).toEqual([]);
      if (out.includes('json')) for (const line of r.stdout.trim().split('\n')) JSON.parse(line);
    }
    expect(onHost(lab, 'h1', 'cat /root/vaulted').stdout).toBe(`${S.number} ${S.token} ${S.inline} ${S.labelled}\n`);
  });

  it('inventory --list and --host print valid JSON with the values masked', async () => {
    for (const args of [['--list'], ['--host', 'h1']]) {
      const r = await runbook(['inventory', '-i', inv, ...args], { env: { ANSIBLE_VAULT_PASSWORD_FILE: pw } });
      expect(r.code, r.stderr).toBe(0);
      expect(leaks(r.stdout)).toEqual([]);
      const vars = args[0] === '--list' ? JSON.parse(r.stdout)._meta.hostvars.h1 : JSON.parse(r.stdout);
      expect(vars).toMatchObject({ mongo_admin_pass: '********', web_token: '********' });
    }
  });

  it('a wrong password is an error naming the file (and line), exit 4; none at all says how to give one', async () => {
    const bad = join(dir, 'bad-pw');
    writeFileSync(bad, 'not it\n');
    const r = await runbook(['inventory', '-i', inv, '--list', '--vault-password-file', bad]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/group_vars\/web\.yml: cannot decrypt: wrong vault password/);
    // The playbook is read first: its !vault value is the one named, at its line.
    const run = await runbook(['run', join(dir, 'pb.yml'), '-i', inv, '--vault-password-file', bad]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/pb\.yml:4:\d+: the !vault value: cannot decrypt: wrong vault password/);
    const none = await runbook(['inventory', '-i', inv, '--list'], { env: { RUNBOOK_VAULT_PASSWORD: '' } });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/group_vars\/web\.yml is vault-encrypted and no vault password was given/);
    expect(none.stderr).toMatch(/--vault-id/);
  });

  it('runbook vault writes files ansible-vault opens, and opens files ansible-vault wrote', async () => {
    const f = join(dir, 'ours.yml');
    writeFileSync(f, 'x: 1\n');
    expect((await runbook(['vault', 'encrypt', f, '--vault-id', `prod@${prodPw}`])).code).toBe(0);
    expect(vault('view', '--vault-id', `prod@${prodPw}`, f)).toBe('x: 1\n');
    const v = await runbook(['vault', 'view', join(inv, 'group_vars', 'web.yml'), '--vault-password-file', pw]);
    expect(v.stdout).toBe(`mongo_admin_pass: ${S.number}\nweb_token: ${S.token}\n`);
  });
});
