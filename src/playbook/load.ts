// Reads a playbook file into validated plays; nothing reaches a host until the whole file is sound.
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { isMap, isSeq, type Node } from 'yaml';
import { hasTemplate } from '../template/render.js';
import { shortName } from './keywords.js';
import { parsePlay } from './play.js';
import { fieldsOf, isEmpty, resolve, type Source } from './positions.js';
import { inherit } from './block.js';
import { fail, str, tagList, varsMap } from './schema.js';
import { readYamlSource } from './source.js';
import type { Play, Playbook } from './types.js';

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
  return { file, baseDir, plays: root.items.flatMap((item) => playsOf(src, resolve(src, item), baseDir, [resolvePath(file)])) };
}

// A play, or `- import_playbook: other.yml`: that file's plays in place (relative to this file; cycles refused).
function playsOf(src: Source, node: Node | null, baseDir: string, stack: string[]): Play[] {
  const fields = isMap(node) ? fieldsOf(src, node) : [];
  const imp = fields.find((f) => shortName(f.key) === 'import_playbook');
  if (!imp) return [parsePlay(src, node, baseDir)];
  for (const f of fields) {
    if (f !== imp && !['name', 'vars', 'tags'].includes(f.key)) {
      fail(f.keyAt, `"${f.key}" is not supported on import_playbook`, 'put it on the plays in the imported file');
    }
  }
  // vars: over each imported play's own (Ansible's `entry.vars | import.vars`); tags: added to every play and its tasks
  const vf = fields.find((f) => f.key === 'vars');
  const tf = fields.find((f) => f.key === 'tags');
  const vars = vf ? varsMap(src, vf) : {};
  const tags = tf ? tagList(src, tf) : [];
  const name = str(imp, 'import_playbook: network.yml');
  if (hasTemplate(name))
    fail(imp.at, 'import_playbook reads its file when the playbook loads, so the name cannot be a template', 'name the file directly');
  const file = resolvePath(baseDir, name);
  if (stack.includes(file))
    fail(
      imp.at,
      `playbooks import each other in a cycle: ${[...stack, file].map((f) => basename(f)).join(' → ')}`,
      'remove one of the imports',
    );
  const inner = readYamlSource(file, 'playbook', {
    at: imp.at,
    hint: `import_playbook paths are relative to the importing playbook (${baseDir})`,
  });
  const root = resolve(inner, inner.doc.contents);
  if (isEmpty(root)) return [];
  if (!isSeq(root)) fail({ file, line: 1, col: 1 }, 'a playbook must be a list of plays', START_HINT);
  const dir = dirname(file);
  const plays = root.items.flatMap((item) => playsOf(inner, resolve(inner, item), dir, [...stack, file]));
  for (const p of plays) {
    p.vars = { ...p.vars, ...vars };
    if (!tags.length) continue;
    p.tags = [...new Set([...tags, ...p.tags])];
    for (const t of [...p.tasks, ...p.handlers]) inherit(t, { when: [], tags, vars: {} });
  }
  return plays;
}
