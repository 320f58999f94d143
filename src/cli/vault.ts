// `runbook vault encrypt|decrypt|view|edit FILE`, and the vault password options of run/exec/inventory.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { decryptVault, encryptVault, isVault } from '../vault/format.js';
import { configureVault, promptPassword, readPasswordFile } from '../vault/password.js';

export interface VaultFlags {
  vaultPasswordFile?: string;
  askVaultPass?: boolean;
}

export type VaultAction = 'encrypt' | 'decrypt' | 'view' | 'edit';

// run/exec/inventory: decide the password before anything is loaded (a prompt cannot happen mid-load).
export async function setupVault(f: VaultFlags): Promise<void> {
  if (f.askVaultPass) configureVault({ password: await promptPassword('Vault password: ') });
  else configureVault({ passwordFile: f.vaultPasswordFile });
}

async function password(f: VaultFlags, confirm: boolean): Promise<string> {
  if (f.vaultPasswordFile) return readPasswordFile(f.vaultPasswordFile);
  if (process.env.RUNBOOK_VAULT_PASSWORD) return process.env.RUNBOOK_VAULT_PASSWORD;
  const pw = await promptPassword(confirm ? 'New vault password: ' : 'Vault password: ');
  if (confirm && (await promptPassword('Confirm new vault password: ')) !== pw) throw new InputError('the two passwords differ', { hint: 'run the command again' });
  if (!pw) throw new InputError('the vault password is empty', { hint: 'type a non-empty password' });
  return pw;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { at: { file }, hint: 'check the path' });
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
  if (action === 'encrypt') {
    const text = readText(file);
    if (isVault(text)) throw new UsageError(`${file} is already encrypted`, { hint: `use: runbook vault edit ${file}` });
    writeAtomic(file, encryptVault(text, await password(f, !f.vaultPasswordFile && !process.env.RUNBOOK_VAULT_PASSWORD)));
    process.stderr.write(`encrypted ${file}\n`);
    return 0;
  }
  if (action === 'decrypt' || action === 'view') {
    const text = readText(file);
    const plain = decryptVault(text, await password(f, false), file);
    if (action === 'view') process.stdout.write(plain);
    else {
      writeAtomic(file, plain);
      process.stderr.write(`decrypted ${file}\n`);
    }
    return 0;
  }
  return edit(file, f);
}

// $EDITOR on a 0600 file in a 0700 temp dir; re-encrypted (fresh salt and nonce) only if it changed.
async function edit(file: string, f: VaultFlags): Promise<number> {
  const exists = existsSync(file);
  const pw = await password(f, !exists && !f.vaultPasswordFile && !process.env.RUNBOOK_VAULT_PASSWORD);
  const before = exists ? decryptVault(readText(file), pw, file) : '';
  const dir = mkdtempSync(join(tmpdir(), 'runbook-vault-'));
  const tmp = join(dir, basename(file).replace(/(\.vault)?$/, '') || 'vars.yaml');
  try {
    writeFileSync(tmp, before, { mode: 0o600 });
    const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
    const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', tmp], { stdio: 'inherit' });
    if (r.status !== 0) throw new InputError(`the editor (${editor}) exited with ${r.status ?? r.signal}; ${file} is unchanged`, { hint: 'set EDITOR to a working editor' });
    const after = readFileSync(tmp, 'utf8');
    if (exists && after === before) {
      process.stderr.write(`${file} unchanged\n`);
      return 0;
    }
    writeAtomic(file, encryptVault(after, pw));
    process.stderr.write(`saved ${file} (encrypted)\n`);
    return 0;
  } finally {
    if (existsSync(tmp)) writeFileSync(tmp, Buffer.alloc(statSync(tmp).size));
    rmSync(dir, { recursive: true, force: true });
  }
}
