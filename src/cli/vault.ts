// `runbook vault encrypt|decrypt|view|edit|encrypt-string`, and the vault password options of run/exec/inventory.
// runbook writes Ansible's vault format (so files move both ways with ansible-vault) and still reads its own older one.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { encryptAnsible, isAnsibleVault, parseEnvelope } from '../vault/ansible.js';
import { isVault } from '../vault/format.js';
import { isAnyVault, promptPassword, readVarsText, resolveVaultSecrets, setVaultSecrets, type VaultSecret } from '../vault/password.js';

export interface VaultFlags {
  vaultId?: string[];
  vaultPasswordFile?: string[];
  askVaultPass?: boolean;
  encryptVaultId?: string;
  name?: string;
}

export type VaultAction = 'encrypt' | 'decrypt' | 'view' | 'edit' | 'encrypt-string';

const sources = (f: VaultFlags) => ({ vaultIds: f.vaultId, passwordFiles: f.vaultPasswordFile, askVaultPass: f.askVaultPass });

// run/exec/inventory: read every password before anything is loaded (a prompt cannot happen mid-load).
export async function setupVault(f: VaultFlags): Promise<void> {
  setVaultSecrets(await resolveVaultSecrets(sources(f)));
}

// The passwords given, else one typed at a prompt (twice when it will encrypt something new).
async function secretsFor(f: VaultFlags, confirm: boolean): Promise<VaultSecret[]> {
  const given = await resolveVaultSecrets(sources(f));
  if (given.length) return given;
  const pw = await promptPassword(confirm ? 'New vault password: ' : 'Vault password: ');
  if (confirm && (await promptPassword('Confirm new vault password: ')) !== pw)
    throw new InputError('the two passwords differ', { hint: 'run the command again' });
  if (!pw) throw new InputError('the vault password is empty', { hint: 'type a non-empty password' });
  return [{ id: 'default', password: pw }];
}

// Like ansible-vault: --encrypt-vault-id picks the password to encrypt with, else the first one given.
function encryptingSecret(list: VaultSecret[], f: VaultFlags): VaultSecret {
  if (!f.encryptVaultId) return list[0];
  const s = list.find((x) => x.id === f.encryptVaultId);
  if (!s)
    throw new UsageError(`--encrypt-vault-id ${f.encryptVaultId}: no --vault-id with that label was given`, {
      hint: `add --vault-id ${f.encryptVaultId}@FILE`,
    });
  return s;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      at: { file },
      hint: 'check the path',
    });
  }
}

// Temp file beside the target, then rename: an interrupted write leaves the old file whole.
function writeAtomic(file: string, text: string): void {
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600;
  const tmp = join(dirname(file), `.${basename(file)}.runbook-vault.${process.pid}`);
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export async function vaultCommand(action: VaultAction, file: string, f: VaultFlags): Promise<number> {
  if (action === 'encrypt-string') {
    const s = encryptingSecret(await secretsFor(f, true), f);
    const body = encryptAnsible(file, s.password, s.id).trimEnd().replace(/\n/g, '\n  ');
    process.stdout.write(`${f.name ?? 'value'}: !vault |\n  ${body}\n`);
    return 0;
  }
  if (action === 'encrypt') {
    const text = readText(file);
    if (isAnyVault(text)) throw new UsageError(`${file} is already encrypted`, { hint: `use: runbook vault edit ${file}` });
    const creating =
      !f.vaultId?.length && !f.vaultPasswordFile?.length && !process.env.RUNBOOK_VAULT_PASSWORD && !process.env.ANSIBLE_VAULT_PASSWORD_FILE;
    const s = encryptingSecret(await secretsFor(f, creating), f);
    writeAtomic(file, encryptAnsible(text, s.password, s.id));
    process.stderr.write(`encrypted ${file}\n`);
    return 0;
  }
  if (action === 'decrypt' || action === 'view') {
    const text = readText(file);
    if (!isAnyVault(text)) throw new UsageError(`${file} is not vault-encrypted`, { at: { file }, hint: 'nothing to decrypt' });
    setVaultSecrets(await secretsFor(f, false));
    const plain = readVarsText(file, text).text;
    if (action === 'view') process.stdout.write(plain);
    else {
      writeAtomic(file, plain);
      process.stderr.write(`decrypted ${file}\n`);
    }
    return 0;
  }
  return edit(file, f);
}

// $EDITOR on a 0600 file in a 0700 temp dir; re-encrypted (Ansible's format, fresh salt) only if it changed.
async function edit(file: string, f: VaultFlags): Promise<number> {
  const exists = existsSync(file);
  const text = exists ? readText(file) : '';
  if (exists && !isAnyVault(text))
    throw new UsageError(`${file} is not vault-encrypted`, { at: { file }, hint: `encrypt it first: runbook vault encrypt ${file}` });
  const list = await secretsFor(f, !exists && !f.vaultId?.length && !f.vaultPasswordFile?.length && !process.env.RUNBOOK_VAULT_PASSWORD);
  setVaultSecrets(list);
  const before = exists ? readVarsText(file, text).text : '';
  // Keep the file's vault id when one of the passwords is labelled with it (as ansible-vault edit does).
  const id = exists && isAnsibleVault(text) ? parseEnvelope(text, file).vaultId : undefined;
  const s = (!f.encryptVaultId && list.find((x) => x.id === id)) || encryptingSecret(list, f);
  const dir = mkdtempSync(join(tmpdir(), 'runbook-vault-'));
  const tmp = join(dir, basename(file).replace(/(\.vault)?$/, '') || 'vars.yaml');
  try {
    writeFileSync(tmp, before, { mode: 0o600 });
    const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
    const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', tmp], { stdio: 'inherit' });
    if (r.status !== 0)
      throw new InputError(`the editor (${editor}) exited with ${r.status ?? r.signal}; ${file} is unchanged`, {
        hint: 'set EDITOR to a working editor',
      });
    const after = readFileSync(tmp, 'utf8');
    if (exists && after === before && !isVault(text)) {
      process.stderr.write(`${file} unchanged\n`);
      return 0;
    }
    writeAtomic(file, encryptAnsible(after, s.password, s.id));
    process.stderr.write(`saved ${file} (encrypted)\n`);
    return 0;
  } finally {
    if (existsSync(tmp)) writeFileSync(tmp, Buffer.alloc(statSync(tmp).size));
    rmSync(dir, { recursive: true, force: true });
  }
}
