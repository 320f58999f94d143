// Reads a playbook file into validated plays; nothing reaches a host until the whole file is sound.
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type ScalarTag, type YAMLError } from 'yaml';
import { PlaybookError } from '../errors.js';
import { parsePlay } from './play.js';
import { fieldsOf, isEmpty, resolve, type Source } from './positions.js';
import { fail, rejectUnquotedTemplates } from './schema.js';
import type { Playbook } from './types.js';

export { formatPlaybookOutline } from './outline.js';

// Ansible reads YAML 1.1, where `gather_facts: no` is false; keep that, but nothing else of 1.1.
const yaml11Bool: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (s: string) => /^(?:yes|on)$/i.test(s),
};

const START_HINT = 'a playbook is a list of plays, e.g.\n- hosts: all\n  tasks:\n    - shell: echo hi';

// The one entry point: a path in, a Playbook out, or a PlaybookError pointing at file:line:col.
export function loadPlaybook(file: string): Playbook {
  const text = readSource(file);
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    merge: true,
    prettyErrors: false,
    customTags: (tags) => [...tags, yaml11Bool],
  });
  if (doc.errors.length > 0) throw yamlError(file, lc, doc.errors[0]);
  const src: Source = { file, doc, lc };
  rejectUnquotedTemplates(src);
  const root = resolve(src, doc.contents);
  if (isEmpty(root)) fail({ file }, 'playbook is empty', START_HINT);
  if (!isSeq(root)) {
    const looksLikePlay = isMap(root) && fieldsOf(src, root).some((f) => f.key === 'hosts');
    fail(
      { file, line: 1, col: 1 },
      'a playbook must be a list of plays',
      looksLikePlay ? 'put "- " before hosts: so the play is an item of a list' : START_HINT,
    );
  }
  if (root.items.length === 0) fail({ file, line: 1, col: 1 }, 'playbook has no plays', START_HINT);
  const baseDir = dirname(resolvePath(file));
  return { file, baseDir, plays: root.items.map((item) => parsePlay(src, resolve(src, item), baseDir)) };
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new PlaybookError(`playbook not found: ${file}`, {
        at: { file },
        hint: `check the path (looked in ${resolvePath(file)})`,
        cause: e,
      });
    }
    if (code === 'EISDIR') {
      throw new PlaybookError(`playbook is a directory: ${file}`, {
        at: { file },
        hint: 'give the path of a .yml file inside it',
        cause: e,
      });
    }
    throw new PlaybookError(`cannot read playbook ${file}: ${(e as Error).message}`, {
      at: { file },
      hint: 'check the file permissions',
      cause: e,
    });
  }
}

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MULTIPLE_DOCS: 'keep one YAML document per playbook: remove the extra "---"',
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
