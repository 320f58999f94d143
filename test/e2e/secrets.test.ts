// Secrets: sentinel strings grepped across every output (plain, json, -vvvv, --diff, errors): 0 occurrences; hosts still get the real values.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, runbook, withLab } from './helpers.js';

const LAB = 'sec';
const S = {
  vault: 'VAULTSENTINEL7f3a',
  named: 'NAMEDSENTINEL91c2',
  listed: 'LISTEDSENTINEL5d0e',
  nolog: 'NOLOGSENTINEL22b8',
  nologFail: 'NOLOGFAILSENTINEL6a1',
  become: 'BECOMESENTINEL0c4d',
  extra: 'EXTRASENTINEL3e9f',
};
let lab: LabInfo;
let dir: string;
let invDir: string;
let pwFile: string;

const PLAYBOOK = `- hosts: mesh
  gather_facts: false
  vars:
    runbook_secret_vars: [deploy_blob]
    deploy_blob: ${S.listed}
  tasks:
    - name: show the named secret
      debug: {msg: "db is {{ db_password }}"}
    - name: a file holding the listed secret, with a diff
      copy: {dest: /root/blob, content: "blob={{ deploy_blob }}\\n"}
    - name: a vault value on stdout
      shell: "echo token={{ vault_token }}; echo extra={{ api_token }}"
    - name: hidden output
      shell: echo ${S.nolog}
      no_log: true
      register: hidden
    - name: the hidden output, shown later
      debug: {msg: "{{ hidden.stdout }}"}
    - name: hidden failure
      shell: echo ${S.nologFail} >&2; exit 3
      no_log: true
      ignore_errors: true
    - name: a secret in an error
      shell: "cat /nonexistent/{{ db_password }}"
      ignore_errors: true
    - name: process list while becoming root
      become: true
      shell: ps -eo args > /root/ps.txt; cat /proc/*/cmdline 2>/dev/null | tr '\\0' ' ' >> /root/ps.txt; true
`;

function countSentinels(text: string): Record<string, number> {
  return Object.fromEntries(Object.entries(S).map(([k, v]) => [k, text.split(v).length - 1]));
}
const zero = Object.fromEntries(Object.keys(S).map((k) => [k, 0]));

beforeAll(async () => {
  lab = await withLab(LAB, 2);
  dir = mkdtempSync(join(tmpdir(), 'rb-sec-'));
  invDir = join(dir, 'inv');
  mkdirSync(join(invDir, 'group_vars'), { recursive: true });
  mkdirSync(join(invDir, 'host_vars'));
  copyFileSync(lab.inventoryPath, join(invDir, 'hosts.yaml'));
  writeFileSync(join(invDir, 'group_vars', 'mesh.yaml'), `vault_token: ${S.vault}\n`);
  writeFileSync(join(invDir, 'host_vars', 'h1.yaml'), `db_password: ${S.named}\nansible_become_password: ${S.become}\n`);
  writeFileSync(join(invDir, 'host_vars', 'h2.yaml'), `db_password: ${S.named}\nansible_become_password: ${S.become}\n`);
  writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK);
  pwFile = join(dir, 'vault-pass');
  writeFileSync(pwFile, 'sesame\n');
  const r = await runbook(['vault', 'encrypt', join(invDir, 'group_vars', 'mesh.yaml'), '--vault-password-file', pwFile]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await labDown({ name: LAB });
});

describe('secrets never reach any output', () => {
  it('the vault file on disk holds no plaintext', () => {
    const text = readFileSync(join(invDir, 'group_vars', 'mesh.yaml'), 'utf8');
    expect(text.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    expect(text).not.toContain(S.vault);
  });

  for (const [label, flags] of [
    ['plain', ['-o', 'plain']],
    ['plain -vvvv --diff', ['-o', 'plain', '-vvvv', '--diff']],
    ['json -vvvv --diff', ['-o', 'json', '-vvvv', '--diff']],
  ] as const) {
    it(`${label}: 0 sentinels in stdout and stderr, and the hosts got the real values`, async () => {
      await Promise.all(['h1', 'h2'].map((h) => onHost(lab, h, 'rm -f /root/blob')));
      const r = await runbook([
        'run',
        join(dir, 'pb.yaml'),
        '-i',
        invDir,
        '--vault-password-file',
        pwFile,
        '-e',
        `api_token=${S.extra}`,
        ...flags,
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(countSentinels(r.stdout + r.stderr)).toEqual(zero);
      expect(r.stdout).toContain('********');
      if (flags.includes('--diff')) expect(r.stdout).toMatch(flags.includes('json') ? /"after":"blob=\*{8}\\n"/ : /\+blob=\*{8}/);
      expect(onHost(lab, 'h1', 'cat /root/blob').stdout).toBe(`blob=${S.listed}\n`);
    });
  }

  it('the become password is never on a remote command line', () => {
    for (const h of ['h1', 'h2']) {
      const ps = onHost(lab, h, 'cat /root/ps.txt').stdout;
      expect(ps).toContain('ps -eo args');
      expect(ps).not.toContain(S.become);
    }
  });

  it('a secret inside an exit-4 error message is masked (plain and -vvv)', async () => {
    const pb = join(dir, 'bad-loop.yaml');
    writeFileSync(pb, '- hosts: mesh\n  tasks:\n    - shell: "echo {{ item }}"\n      loop: "{{ api_token }}"\n');
    for (const v of [[], ['-vvv']]) {
      const r = await runbook(['run', pb, '-i', invDir, '--vault-password-file', pwFile, '-e', `api_token=${S.extra}`, ...v]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/loop must be a list, got the string "\*{8}"/);
      expect(countSentinels(r.stdout + r.stderr)).toEqual(zero);
    }
  });

  it('inventory --host masks vault and secret-named values', async () => {
    const r = await runbook(['inventory', '-i', invDir, '--host', 'h1', '--vault-password-file', pwFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ vault_token: '********', db_password: '********' });
    expect(countSentinels(r.stdout + r.stderr)).toEqual(zero);
  });
});

describe('runbook vault', () => {
  it('encrypt, view, edit ($EDITOR on a 0600 temp file), decrypt; a wrong password changes nothing', async () => {
    const f = join(dir, 'secret.yaml');
    writeFileSync(f, 'answer: forty-two\n', { mode: 0o640 });
    const env = { RUNBOOK_VAULT_PASSWORD: 'open sesame' };
    expect((await runbook(['vault', 'encrypt', f], { env })).code).toBe(0);
    const first = readFileSync(f, 'utf8');
    expect(first).not.toContain('forty-two');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect((await runbook(['vault', 'view', f], { env })).stdout).toBe('answer: forty-two\n');
    const wrong = await runbook(['vault', 'view', f], { env: { RUNBOOK_VAULT_PASSWORD: 'nope' } });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/secret\.yaml: cannot decrypt: wrong vault password/);
    const modeLog = join(dir, 'editor-mode');
    const editor = `sh -c 'stat -c %a "$0" > ${modeLog}; sed -i s/forty-two/forty-three/ "$0"'`;
    const ed = await runbook(['vault', 'edit', f], { env: { ...env, EDITOR: editor } });
    expect(ed.code, ed.stderr).toBe(0);
    expect(readFileSync(modeLog, 'utf8').trim()).toBe('600');
    const second = readFileSync(f, 'utf8');
    expect(second).not.toBe(first);
    expect(second).not.toContain('forty');
    expect((await runbook(['vault', 'view', f], { env })).stdout).toBe('answer: forty-three\n');
    expect((await runbook(['vault', 'decrypt', f], { env })).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe('answer: forty-three\n');
  });

  it('vars_files may be vault-encrypted too', async () => {
    const vf = join(dir, 'play-secrets.yaml');
    writeFileSync(vf, `play_secret: ${S.vault}-play\n`);
    expect((await runbook(['vault', 'encrypt', vf, '--vault-password-file', pwFile])).code).toBe(0);
    const pb = join(dir, 'vf.yaml');
    writeFileSync(
      pb,
      `- hosts: h1\n  gather_facts: false\n  vars_files: [play-secrets.yaml]\n  tasks:\n    - copy: {dest: /root/vf, content: "{{ play_secret }}"}\n    - shell: cat /root/vf\n`,
    );
    const r = await runbook(['run', pb, '-i', invDir, '--vault-password-file', pwFile, '-vvvv']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain(S.vault);
    expect(onHost(lab, 'h1', 'cat /root/vf').stdout).toBe(`${S.vault}-play`);
  });
});
