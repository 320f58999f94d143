// Where vault passwords come from (Ansible's --vault-id label@source, --vault-password-file, --ask-vault-pass,
// ANSIBLE_VAULT_PASSWORD_FILE, and runbook's RUNBOOK_VAULT_PASSWORD), and decrypting with them.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InputError } from '../errors.js';
import { askLine } from '../shared/ask.js';
import { decryptBody, isAnsibleVault, parseEnvelope } from './ansible.js';
import { runContext, type VaultSecret } from './context.js';
import { decryptVault, isVault } from './format.js';
import { addSecret } from './secrets.js';

export type { VaultSecret };

// The run's passwords (src/vault/context.ts).
const passwords = () => runContext().vaultSecrets;

export interface VaultSources {
  /** `--vault-id [label@]source`, source a file, an executable printing the password, or `prompt`. */
  vaultIds?: string[];
  /** `--vault-password-file FILE` (repeatable): Ansible's `default@FILE`. */
  passwordFiles?: string[];
  askVaultPass?: boolean;
}

export const VAULT_HINT =
  'give --vault-id [label@]FILE, --vault-password-file FILE, --ask-vault-pass, ANSIBLE_VAULT_PASSWORD_FILE or RUNBOOK_VAULT_PASSWORD';

const ASCII_SPACE = /^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g;

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

// Ansible's rule: an executable file is a script whose stdout is the password (a `*-client` script is also told the
// vault id); any other file holds the password, surrounding whitespace stripped.
export function readPasswordFile(file: string, id = 'default'): string {
  if (isExecutable(file)) {
    const client = basename(file, extname(file)).endsWith('-client');
    const r = spawnSync(file, client ? ['--vault-id', id] : [], { stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    if (r.error)
      throw new InputError(`cannot run vault password script ${file}: ${r.error.message}`, {
        at: { file },
        hint: 'if it is not a script, remove its executable bit',
      });
    if (r.status !== 0)
      throw new InputError(`vault password script ${file} exited with ${r.status ?? r.signal}`, {
        at: { file },
        hint: 'run it by hand to see why',
      });
    const pw = r.stdout.toString('utf8').replace(/^[\r\n]+|[\r\n]+$/g, '');
    if (!pw)
      throw new InputError(`vault password script ${file} printed no password`, {
        at: { file },
        hint: 'it must print the password on stdout',
      });
    return pw;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read vault password file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      at: { file },
      hint: 'the file holds the password (or is an executable that prints it)',
    });
  }
  const pw = text.replace(ASCII_SPACE, '');
  if (!pw) throw new InputError(`vault password file ${file} is empty`, { at: { file, line: 1, col: 1 }, hint: 'put the password in it' });
  return pw;
}

/** `label@source` → [label, source]; no `@` means the default label (as Ansible splits it). */
export function splitVaultId(slug: string): [string, string] {
  const i = slug.indexOf('@');
  return i < 0 ? ['default', slug] : [slug.slice(0, i) || 'default', slug.slice(i + 1)];
}

// Ansible's order: --vault-id in order, then --vault-password-file and ANSIBLE_VAULT_PASSWORD_FILE, then the prompt;
// RUNBOOK_VAULT_PASSWORD comes last. All are read now, so a missing file is reported before anything else happens.
export async function resolveVaultSecrets(
  o: VaultSources,
  ask: (prompt: string) => Promise<string> = promptPassword,
): Promise<VaultSecret[]> {
  const out: VaultSecret[] = [];
  const slugs = [...(o.vaultIds ?? [])];
  for (const f of o.passwordFiles ?? []) slugs.push(`default@${f}`);
  const envFile = process.env.ANSIBLE_VAULT_PASSWORD_FILE;
  if (envFile) slugs.push(`default@${envFile}`);
  if (o.askVaultPass) slugs.push('default@prompt_ask_vault_pass');
  for (const slug of slugs) {
    const [id, source] = splitVaultId(slug);
    if (source === 'prompt' || source === 'prompt_ask_vault_pass') {
      const pw = await ask(source === 'prompt' ? `Vault password (${id}): ` : 'Vault password: ');
      if (!pw) throw new InputError(`empty vault password for vault id "${id}"`, { hint: 'type a non-empty password' });
      out.push({ id, password: pw });
    } else {
      if (!source)
        throw new InputError(`--vault-id ${slug}: no password source after "@"`, { hint: 'use --vault-id label@FILE or label@prompt' });
      out.push({ id, password: readPasswordFile(source, id) });
    }
  }
  if (process.env.RUNBOOK_VAULT_PASSWORD) out.push({ id: 'default', password: process.env.RUNBOOK_VAULT_PASSWORD });
  return out;
}

export function setVaultSecrets(list: VaultSecret[]): void {
  runContext().vaultSecrets = list;
  for (const s of list) addSecret(s.password);
}

export function vaultSecrets(): VaultSecret[] {
  return passwords();
}

function noPassword(what: string): InputError {
  return new InputError(`${what} is vault-encrypted and no vault password was given`, { hint: VAULT_HINT });
}

// Like Ansible: the secrets labelled with the vault id of the data first, then every other one.
function candidates(vaultId: string): VaultSecret[] {
  return [...passwords().filter((s) => s.id === vaultId), ...passwords().filter((s) => s.id !== vaultId)];
}

/** Decrypts an Ansible vault (file contents or a `!vault` value); `what` names it in errors. */
export function decryptAnsible(text: string, what: string): Buffer {
  const env = parseEnvelope(text, what);
  if (!passwords().length) throw noPassword(what);
  for (const s of candidates(env.vaultId)) {
    const plain = decryptBody(env, s.password, what);
    if (plain) return plain;
  }
  const ids = [...new Set(passwords().map((s) => s.id))].join(', ');
  throw new InputError(`${what}: cannot decrypt: wrong vault password (vault id "${env.vaultId}"; tried ${ids})`, {
    hint: 'check --vault-id / --vault-password-file / RUNBOOK_VAULT_PASSWORD; the file itself is unchanged',
  });
}

// runbook's own earlier format: one password at a time, authenticated by GCM.
function decryptRunbook(text: string, file: string): string {
  if (!passwords().length) throw noPassword(file);
  let last: unknown;
  for (const s of passwords()) {
    try {
      return decryptVault(text, s.password, file);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** Whether text is a vault of either format. */
export function isAnyVault(text: string | Buffer): boolean {
  return isAnsibleVault(text) || isVault(text);
}

// Text of a vars file: decrypted when it is a vault (Ansible's or runbook's), and then every value in it is a secret.
export function readVarsText(file: string, text: string): { text: string; secret: boolean } {
  if (isAnsibleVault(text)) return { text: decryptAnsible(text, file).toString('utf8'), secret: true };
  if (isVault(text)) return { text: decryptRunbook(text, file), secret: true };
  return { text, secret: false };
}

// A line from the terminal without echo (vault commands and --ask-vault-pass).
export async function promptPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new InputError('no terminal to ask for the vault password', { hint: VAULT_HINT.replace('--ask-vault-pass, ', '') });
  return askLine(question, { hidden: true, interrupted: () => new InputError('vault password prompt cancelled') });
}
