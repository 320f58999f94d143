// Where the vault password comes from: --vault-password-file, RUNBOOK_VAULT_PASSWORD, or a no-echo prompt.
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { decryptVault, isVault } from './format.js';
import { addSecret } from './secrets.js';

let password: string | undefined;
let passwordFile: string | undefined;

const HINT = 'give --vault-password-file FILE, set RUNBOOK_VAULT_PASSWORD, or pass --ask-vault-pass';

// Reads the password file now, so a missing file is reported before anything else happens.
export function configureVault(o: { passwordFile?: string; password?: string }): void {
  passwordFile = o.passwordFile;
  password = o.password;
  if (passwordFile !== undefined && password === undefined) password = readPasswordFile(passwordFile);
}

export function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read vault password file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      at: { file },
      hint: 'the file holds the password on its first line',
    });
  }
  const pw = text.split(/\r?\n/)[0];
  if (!pw) throw new InputError(`vault password file ${file} is empty`, { at: { file, line: 1, col: 1 }, hint: 'put the password on its first line' });
  return pw;
}

// The password for decrypting `file`, or an error that says how to give one.
export function vaultPassword(file: string): string {
  const pw = password ?? (process.env.RUNBOOK_VAULT_PASSWORD || undefined);
  if (pw === undefined) throw new InputError(`${file} is vault-encrypted and no vault password was given`, { at: { file }, hint: HINT });
  addSecret(pw);
  return pw;
}

// Text of a vars file: decrypted when it is a vault, and then every value in it is a secret.
export function readVarsText(file: string, text: string): { text: string; secret: boolean } {
  if (!isVault(text)) return { text, secret: false };
  return { text: decryptVault(text, vaultPassword(file), file), secret: true };
}

// A line from the terminal without echo (vault commands and --ask-vault-pass).
export async function promptPassword(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new InputError('no terminal to ask for the vault password', { hint: HINT });
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (err?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new InputError('vault password prompt cancelled'));
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    input.on('data', onData);
  });
}
