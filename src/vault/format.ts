// The vault file format: a text header, then base64 of salt | nonce | tag | AES-256-GCM ciphertext.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { InputError } from '../errors.js';

export const VAULT_HEADER = '$RUNBOOK_VAULT;1;AES256GCM';
const SALT = 16;
const NONCE = 12;
const TAG = 16;
// scrypt N=2^15, r=8, p=1: ~50 ms and 32 MiB per file, so guessing a passphrase offline is slow.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

// A file (or string) is a vault when its first line is the header; nothing else is guessed.
export function isVault(text: string | Buffer): boolean {
  const head = typeof text === 'string' ? text : text.toString('utf8', 0, VAULT_HEADER.length);
  return head.startsWith(VAULT_HEADER);
}

function keyFor(password: string, salt: Buffer): Buffer {
  return scryptSync(password.normalize('NFC'), salt, 32, SCRYPT);
}

// Fresh salt and nonce every time: encrypting the same text twice gives different files.
export function encryptVault(plain: string | Buffer, password: string): string {
  if (!password) throw new InputError('the vault password is empty', { hint: 'give a non-empty password' });
  const salt = randomBytes(SALT);
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', keyFor(password, salt), nonce);
  c.setAAD(Buffer.from(VAULT_HEADER));
  const body = Buffer.concat([c.update(Buffer.from(plain)), c.final()]);
  const b64 = Buffer.concat([salt, nonce, c.getAuthTag(), body]).toString('base64');
  return `${VAULT_HEADER}\n${b64.replace(/.{1,76}/g, '$&\n')}`;
}

// GCM authenticates: a wrong password and a tampered file are both refused, never half-decrypted.
export function decryptVault(text: string, password: string, file: string): string {
  if (!isVault(text))
    throw new InputError(`${file} is not a runbook vault file`, {
      at: { file, line: 1, col: 1 },
      hint: `its first line must be ${VAULT_HEADER}`,
    });
  const raw = Buffer.from(text.slice(VAULT_HEADER.length).replace(/\s+/g, ''), 'base64');
  if (raw.length < SALT + NONCE + TAG)
    throw new InputError(`${file}: vault data is truncated`, {
      at: { file, line: 2, col: 1 },
      hint: 'restore the file from version control',
    });
  const salt = raw.subarray(0, SALT);
  const nonce = raw.subarray(SALT, SALT + NONCE);
  const tag = raw.subarray(SALT + NONCE, SALT + NONCE + TAG);
  const d = createDecipheriv('aes-256-gcm', keyFor(password, salt), nonce);
  d.setAAD(Buffer.from(VAULT_HEADER));
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(raw.subarray(SALT + NONCE + TAG)), d.final()]).toString('utf8');
  } catch {
    throw new InputError(`${file}: cannot decrypt: wrong vault password (or the file was modified)`, {
      at: { file },
      hint: 'check --vault-password-file / RUNBOOK_VAULT_PASSWORD; the file itself is unchanged',
    });
  }
}
