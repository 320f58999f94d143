// Ansible Vault files and !vault values, checked against ansible-vault itself (the oracle) both ways.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { readVarsFile } from '../../../src/inventory/var-files.js';
import { encryptAnsible, isAnsibleVault, parseEnvelope } from '../../../src/vault/ansible.js';
import { encryptVault } from '../../../src/vault/format.js';
import { decryptAnsible, readVarsText, resolveVaultSecrets, setVaultSecrets, splitVaultId } from '../../../src/vault/password.js';
import { redact } from '../../../src/vault/secrets.js';

// Without ansible-vault (setup.sh --tests installs ansible-core) the cross-checks are skipped; our own format tests still run.
const hasAnsibleVault = spawnSync('sh', ['-c', 'command -v ansible-vault']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'runbook-ansible-vault-'));
const pwFile = (name: string, pw: string): string => {
  const f = join(dir, name);
  writeFileSync(f, `${pw}\n`);
  return f;
};
const ansibleVault = (...args: string[]): string =>
  execFileSync('ansible-vault', args, { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });

afterEach(() => setVaultSecrets([]));

describe('Ansible vault format', () => {
  it('round-trips 1.1 and 1.2 (with a vault id), in 80-column hex lines', () => {
    const a = encryptAnsible('db_pass: s3cret\n', 'pw');
    expect(a.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(
      a
        .split('\n')
        .slice(1, -2)
        .every((l) => /^[0-9a-f]{80}$/.test(l)),
    ).toBe(true);
    const b = encryptAnsible('x', 'pw', 'prod');
    expect(b.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect(parseEnvelope(b, 'f').vaultId).toBe('prod');
    setVaultSecrets([{ id: 'default', password: 'pw' }]);
    expect(decryptAnsible(a, 'f').toString()).toBe('db_pass: s3cret\n');
    expect(decryptAnsible(b, 'f').toString()).toBe('x');
    expect(isAnsibleVault(a) && isAnsibleVault(Buffer.from(b)) && !isAnsibleVault('a: 1')).toBe(true);
  });

  it('a wrong password names the file and the vault ids tried; no password says how to give one', () => {
    const v = encryptAnsible('a: 1\n', 'right', 'prod');
    setVaultSecrets([{ id: 'dev', password: 'wrong' }]);
    expect(() => decryptAnsible(v, 'group_vars/web.yml')).toThrow(
      /group_vars\/web\.yml: cannot decrypt: wrong vault password \(vault id "prod"; tried dev\)/,
    );
    setVaultSecrets([]);
    expect(() => readVarsText('gv.yml', v)).toThrow(/gv\.yml is vault-encrypted and no vault password was given/);
  });

  it('tries the password labelled with the vault id first, then the others', () => {
    const v = encryptAnsible('a: 1\n', 'p-two', 'two');
    setVaultSecrets([
      { id: 'one', password: 'p-one' },
      { id: 'two', password: 'p-two' },
    ]);
    expect(decryptAnsible(v, 'f').toString()).toBe('a: 1\n');
    const unlabelled = encryptAnsible('b: 2\n', 'p-one', 'other');
    expect(decryptAnsible(unlabelled, 'f').toString()).toBe('b: 2\n');
  });

  it("still reads runbook's earlier format", () => {
    setVaultSecrets([{ id: 'default', password: 'pw' }]);
    expect(readVarsText('f', encryptVault('k: v\n', 'pw'))).toEqual({ text: 'k: v\n', secret: true });
  });
});

describe('vault password sources', () => {
  it('label@source, a file (whitespace stripped), a script, a *-client script told its vault id, ANSIBLE_VAULT_PASSWORD_FILE', async () => {
    expect(splitVaultId('prod@/x')).toEqual(['prod', '/x']);
    expect(splitVaultId('/x')).toEqual(['default', '/x']);
    const script = join(dir, 'pw.sh');
    writeFileSync(script, '#!/bin/sh\necho from-script\n');
    chmodSync(script, 0o755);
    const client = join(dir, 'pw-client.sh');
    writeFileSync(client, '#!/bin/sh\necho "client-$2"\n');
    chmodSync(client, 0o755);
    process.env.ANSIBLE_VAULT_PASSWORD_FILE = pwFile('env-pw', '  from-env  ');
    try {
      const got = await resolveVaultSecrets(
        {
          vaultIds: [`dev@${pwFile('dev-pw', 'from-file')}`, `ops@${script}`, `prod@${client}`, 'ask@prompt'],
          passwordFiles: [pwFile('plain', 'plain-pw')],
        },
        async (q) => `typed for ${q}`,
      );
      expect(got).toEqual([
        { id: 'dev', password: 'from-file' },
        { id: 'ops', password: 'from-script' },
        { id: 'prod', password: 'client-prod' },
        { id: 'ask', password: 'typed for Vault password (ask): ' },
        { id: 'default', password: 'plain-pw' },
        { id: 'default', password: 'from-env' },
      ]);
    } finally {
      delete process.env.ANSIBLE_VAULT_PASSWORD_FILE;
    }
  });

  it('a missing file, an empty file and a failing script are errors before anything loads', async () => {
    await expect(resolveVaultSecrets({ passwordFiles: [join(dir, 'nope')] })).rejects.toThrow(
      /cannot read vault password file .*nope: ENOENT/,
    );
    await expect(resolveVaultSecrets({ passwordFiles: [pwFile('empty', '')] })).rejects.toThrow(/is empty/);
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, '#!/bin/sh\nexit 3\n');
    chmodSync(bad, 0o755);
    await expect(resolveVaultSecrets({ vaultIds: [`x@${bad}`] })).rejects.toThrow(/vault password script .*bad\.sh exited with 3/);
  });

  it('--ask-vault-pass without a terminal is a clear error', async () => {
    await expect(resolveVaultSecrets({ askVaultPass: true })).rejects.toThrow(/no terminal to ask for the vault password/);
  });
});

// Skipped only without ansible-vault (the oracle); scripts/setup.sh --tests installs ansible-core, so CI runs it.
describe.skipIf(!hasAnsibleVault)('against ansible-vault', () => {
  it('decrypts a file ansible-vault encrypted (1.1 and 1.2 with --vault-id); ansible-vault decrypts ours', () => {
    const pw = pwFile('oracle-pw', 'oracle sesame');
    const f11 = join(dir, 'web.yml');
    writeFileSync(f11, 'mongo_admin_pass: 31415926\nweb_token: tok-ANSIBLE-11\n');
    ansibleVault('encrypt', '--vault-password-file', pw, f11);
    const f12 = join(dir, 'prod.yml');
    writeFileSync(f12, 'label_secret: LABELLED-12\n');
    ansibleVault('encrypt', '--vault-id', `prod@${pw}`, f12);
    expect(readFileSync(f12, 'utf8').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');

    setVaultSecrets([{ id: 'default', password: 'oracle sesame' }]);
    expect(readVarsFile(f11)).toEqual({ mongo_admin_pass: 31415926, web_token: 'tok-ANSIBLE-11' });
    expect(readVarsFile(f12)).toEqual({ label_secret: 'LABELLED-12' });
    expect(redact('31415926 tok-ANSIBLE-11 LABELLED-12')).toBe('******** ******** ********');

    const ours = join(dir, 'ours.yml');
    writeFileSync(ours, encryptAnsible('from_runbook: yes-ours\n', 'oracle sesame', 'prod'));
    expect(ansibleVault('view', '--vault-id', `prod@${pw}`, ours)).toBe('from_runbook: yes-ours\n');
    expect(ansibleVault('view', '--vault-password-file', pw, join(dir, 'web.yml'))).toContain('tok-ANSIBLE-11');
  });

  it('reads encrypt_string values as !vault in group_vars; a wrong password points at the value', () => {
    const pw = pwFile('oracle-pw2', 'inline-pw');
    const snippet = ansibleVault('encrypt_string', '--vault-password-file', pw, '--name', 'db_password', 'INLINE-SECRET-42');
    const f = join(dir, 'inline.yml');
    writeFileSync(f, `plain: visible\n${snippet}`);
    setVaultSecrets([{ id: 'default', password: 'inline-pw' }]);
    expect(readVarsFile(f)).toEqual({ plain: 'visible', db_password: 'INLINE-SECRET-42' });
    expect(redact('x INLINE-SECRET-42 y')).toBe('x ******** y');
    setVaultSecrets([{ id: 'default', password: 'wrong' }]);
    let err: unknown;
    try {
      readVarsFile(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).at).toMatchObject({ file: f, line: 2 });
    expect((err as InputError).message).toMatch(/the !vault value: cannot decrypt: wrong vault password/);
  });
});
