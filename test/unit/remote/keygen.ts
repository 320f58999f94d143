// Test helper: real keys from ssh-keygen, so formats and fingerprints are OpenSSH's own.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestKey {
  file: string;
  pubLine: string;
  blob: Buffer;
  type: string;
  /** As printed by `ssh-keygen -lf`. */
  fingerprint: string;
}

export function keygen(dir: string, name: string, type = 'ed25519', passphrase = ''): TestKey {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', name, '-f', file]);
  const pubLine = readFileSync(`${file}.pub`, 'utf8').trim();
  const [keyType, b64] = pubLine.split(' ');
  const fp = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
  return { file, pubLine, blob: Buffer.from(b64, 'base64'), type: keyType, fingerprint: fp };
}
