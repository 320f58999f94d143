// Ansible Vault's format (1.1, and 1.2 with a vault id): PBKDF2-SHA256 (10000 rounds) gives an AES-256 key, an HMAC
// key and a CTR counter; the body is hex of "hex(salt)\nhex(hmac)\nhex(ciphertext)", in 80-column lines.
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { InputError } from '../errors.js';

export const ANSIBLE_HEADER = '$ANSIBLE_VAULT';
const ROUNDS = 10000;

export interface Envelope {
  version: string;
  cipher: string;
  /** The label of a 1.2 file; a 1.1 file is Ansible's "default". */
  vaultId: string;
  body: string;
}

// The header names the format; Ansible checks only this prefix too.
export function isAnsibleVault(text: string | Buffer): boolean {
  const head = typeof text === 'string' ? text.slice(0, 64) : text.toString('utf8', 0, 64);
  return head.trimStart().startsWith(ANSIBLE_HEADER);
}

export function parseEnvelope(text: string, what: string): Envelope {
  const lines = text.trim().split(/\r?\n/);
  const head = lines[0].split(';').map((s) => s.trim());
  if (head[0] !== ANSIBLE_HEADER || head.length < 3) {
    throw new InputError(`${what}: not an Ansible vault (bad header "${lines[0]}")`, {
      hint: `the first line must be like ${ANSIBLE_HEADER};1.1;AES256`,
    });
  }
  const [, version, cipher, vaultId] = head;
  if (cipher !== 'AES256')
    throw new InputError(`${what}: vault cipher ${cipher} is not supported`, {
      hint: 'Ansible only writes AES256; re-encrypt with ansible-vault rekey',
    });
  return { version, cipher, vaultId: vaultId || 'default', body: lines.slice(1).join('').replace(/\s+/g, '') };
}

const keys = (password: Buffer, salt: Buffer) => {
  const k = pbkdf2Sync(password, salt, ROUNDS, 80, 'sha256');
  return { aes: k.subarray(0, 32), mac: k.subarray(32, 64), iv: k.subarray(64, 80) };
};

const hexToBuf = (hex: string, what: string): Buffer => {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex))
    throw new InputError(`${what}: vault data is damaged (not hexadecimal)`, { hint: 'restore the file from version control' });
  return Buffer.from(hex, 'hex');
};

/** The plaintext, or undefined when the password is not the one (the HMAC differs). */
export function decryptBody(env: Envelope, password: string, what: string): Buffer | undefined {
  const parts = hexToBuf(env.body, what).toString('latin1').split('\n');
  if (parts.length !== 3)
    throw new InputError(`${what}: vault data is damaged (expected salt, hmac and ciphertext)`, {
      hint: 'restore the file from version control',
    });
  const [salt, mac, data] = parts.map((p) => hexToBuf(p, what));
  const k = keys(Buffer.from(password, 'utf8'), salt);
  const want = createHmac('sha256', k.mac).update(data).digest();
  if (want.length !== mac.length || !timingSafeEqual(want, mac)) return undefined;
  const d = createDecipheriv('aes-256-ctr', k.aes, k.iv);
  const padded = Buffer.concat([d.update(data), d.final()]);
  // Ansible pads with PKCS#7 even in CTR mode.
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > 16 || pad > padded.length)
    throw new InputError(`${what}: vault data is damaged (bad padding)`, { hint: 'restore the file from version control' });
  return padded.subarray(0, padded.length - pad);
}

// Ansible writes 1.1 without a label (or with "default") and 1.2;LABEL with one; lines of 80 characters.
export function encryptAnsible(plain: string | Buffer, password: string, vaultId?: string): string {
  if (!password) throw new InputError('the vault password is empty', { hint: 'give a non-empty password' });
  const salt = randomBytes(32);
  const k = keys(Buffer.from(password, 'utf8'), salt);
  const body = Buffer.from(plain);
  const pad = 16 - (body.length % 16);
  const c = createCipheriv('aes-256-ctr', k.aes, k.iv);
  const data = Buffer.concat([c.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), c.final()]);
  const mac = createHmac('sha256', k.mac).update(data).digest();
  const hex = Buffer.from([salt.toString('hex'), mac.toString('hex'), data.toString('hex')].join('\n')).toString('hex');
  const labelled = vaultId && vaultId !== 'default';
  const header = labelled ? `${ANSIBLE_HEADER};1.2;AES256;${vaultId}` : `${ANSIBLE_HEADER};1.1;AES256`;
  return `${header}\n${hex.replace(/.{1,80}/g, '$&\n')}`;
}
