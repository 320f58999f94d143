// Reads one YAML file of the playbook (the playbook itself, or a task file it imports) into a located Source.
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { type Location, PlaybookError } from '../errors.js';
import { readVarsText } from '../vault/password.js';
import { addSecret } from '../vault/secrets.js';
import { vaultFailure, vaultTag } from '../vault/tag.js';
import { yaml11Bool } from '../yaml11.js';
import type { Source } from './positions.js';
import { rejectUnquotedTemplates } from './schema.js';

// Ansible reads YAML 1.1, where `gather_facts: no` is false; keep that, but nothing else of 1.1.

/** Where a file was named (an import), so a missing file is reported there, with what the path is relative to. */
export interface NamedAt {
  at: Location;
  hint: string;
}

/**
 * Parses `file` (a "playbook" or a "task file", as messages call it); YAML errors point at file:line:col. A file
 * another one names (`from`) that is missing or a directory is reported where it is named.
 */
export function readYamlSource(file: string, kind: string, from?: NamedAt): Source {
  // A whole file may be vault-encrypted (a role's vars/main.yml often is); the values of a vaulted vars file are secrets.
  const opened = readVarsText(file, readText(file, kind, from));
  const text = opened.text;
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    merge: true,
    prettyErrors: false,
    customTags: (tags) => [...tags, yaml11Bool, vaultTag],
  });
  const vault = vaultFailure(doc, file, lc);
  if (vault) throw vault;
  if (opened.secret && kind.includes('vars')) addSecret(doc.toJS());
  if (doc.errors.length > 0) throw yamlError(file, lc, doc.errors[0] as YAMLError);
  const src: Source = { file, doc, lc };
  rejectUnquotedTemplates(src);
  return src;
}

function readText(file: string, kind: string, from?: NamedAt): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new PlaybookError(`${kind} not found: ${file}`, {
        at: from?.at ?? { file },
        hint: from?.hint ?? `check the path (looked in ${resolvePath(file)})`,
        cause: e,
      });
    }
    if (code === 'EISDIR') {
      throw new PlaybookError(`${kind} is a directory: ${file}`, {
        at: from?.at ?? { file },
        hint: from?.hint ?? 'give the path of a .yml file inside it',
        cause: e,
      });
    }
    throw new PlaybookError(`cannot read ${kind} ${file}: ${(e as Error).message}`, {
      at: { file },
      hint: 'check the file permissions',
      cause: e,
    });
  }
}

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MULTIPLE_DOCS: 'keep one YAML document per file: remove the extra "---"',
  BAD_ALIAS: 'define the &anchor before using *anchor',
};

// Parser wording that names parser APIs, said in the user's terms instead.
const YAML_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: 'the file holds more than one YAML document',
};

// YAML's own message and position, plus the mistakes that usually cause it.
function yamlError(file: string, lc: LineCounter, err: YAMLError): PlaybookError {
  const pos = err.linePos?.[0] ?? lc.linePos(err.pos[0]);
  const message = YAML_MESSAGES[err.code] ?? err.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
  const hint =
    YAML_HINTS[err.code] ??
    'check the indentation on this line and the one before; quote values that contain ": ", " #" or start with "{{"';
  return new PlaybookError(`YAML syntax error: ${message}`, {
    at: { file, line: pos?.line, col: pos?.col },
    hint,
    cause: err,
  });
}
