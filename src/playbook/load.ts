// Reads a playbook file into validated plays; nothing reaches a host until the whole file is sound.
import { dirname, resolve as resolvePath } from 'node:path';
import { isMap, isSeq } from 'yaml';
import { parsePlay } from './play.js';
import { fieldsOf, isEmpty, resolve } from './positions.js';
import { fail } from './schema.js';
import { readYamlSource } from './source.js';
import type { Playbook } from './types.js';

export { formatPlaybookOutline } from './outline.js';

const START_HINT = 'a playbook is a list of plays, e.g.\n- hosts: all\n  tasks:\n    - shell: echo hi';

// The one entry point: a path in, a Playbook out, or a PlaybookError pointing at file:line:col.
export function loadPlaybook(file: string): Playbook {
  const src = readYamlSource(file, 'playbook');
  const { doc } = src;
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
