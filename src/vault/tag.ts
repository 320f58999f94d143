// Ansible's inline vault: `key: !vault |` followed by a vault envelope. Every YAML reader adds this tag; the value is
// decrypted while the file is parsed (with the passwords given on the command line) and becomes a masked secret.
import type { Document, LineCounter, ScalarTag } from 'yaml';
import { InputError, type Location } from '../errors.js';
import { runContext } from './context.js';
import { decryptAnsible } from './password.js';
import { addSecret } from './secrets.js';

const PREFIX = 'vault: ';
// yaml turns a failing tag into a document error carrying only a message; the full error is kept here by message.
const failures = () => runContext().cache<string, InputError>('vault-tag-failures');

export const vaultTag: ScalarTag = {
  tag: '!vault',
  resolve(text: string, onError: (message: string) => void): string {
    try {
      const plain = decryptAnsible(text, 'the !vault value').toString('utf8');
      addSecret(plain);
      return plain;
    } catch (e) {
      const err = e instanceof InputError ? e : new InputError(String((e as Error).message ?? e));
      const message = `${PREFIX}${err.message}`;
      failures().set(message, err);
      onError(message);
      return '';
    }
  },
};

/** A !vault value that did not decrypt, as an InputError at its file:line:col (undefined when there is none). */
export function vaultFailure(doc: Document, file: string, lc?: LineCounter): InputError | undefined {
  for (const e of doc.errors) {
    if (e.code !== 'TAG_RESOLVE_FAILED' || !e.message.startsWith(PREFIX)) continue;
    const key = [...failures().keys()].find((k) => e.message.startsWith(k));
    const cause = key ? failures().get(key) : undefined;
    const pos = lc ? lc.linePos(e.pos[0]) : e.linePos?.[0];
    const at: Location = { file, ...(pos ? { line: pos.line, col: pos.col } : {}) };
    return new InputError(cause?.message ?? e.message.slice(PREFIX.length).split('\n')[0], { at, hint: cause?.hint, cause: e });
  }
  return undefined;
}
