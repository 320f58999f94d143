// Ansible's replace: every match of a Python regex (multiline) replaced, optionally only between after and before.
import { allMatches, expandTemplate, pyRegex } from '../../jinja/filters-regex.js';
import { type Args, fail, isTemplated, mode } from '../args.js';
import { defineModule } from '../types.js';
import { planTextEdit, type TextTarget } from './text-edit.js';
import { VALIDATE_ARG } from './validate.js';

export interface ReplaceArgs extends TextTarget {
  regexp: string;
  replace: string;
  after?: string;
  before?: string;
}

/** re.subn(regexp, replace, text) with MULTILINE: the new text and the number of replacements. */
export function subn(regexp: string, replace: string, text: string): [string, number] {
  const ms = allMatches(pyRegex(regexp, { multiline: true, global: true }), text);
  let out = '';
  let at = 0;
  for (const m of ms) {
    out += text.slice(at, m.index) + expandTemplate(replace, m);
    at = m.index + m[0].length;
  }
  return [out + text.slice(at), ms.length];
}

/** replace's main(): undefined text when nothing changes (or after/before did not match: msg says so). */
export function editReplace(contents: string, p: ReplaceArgs): { text?: string; msg: string } {
  let pattern = '';
  if (p.after && p.before) pattern = `${p.after}(?P<subsection>.*?)${p.before}`;
  else if (p.after) pattern = `${p.after}(?P<subsection>.*)`;
  else if (p.before) pattern = `(?P<subsection>.*)${p.before}`;
  let section = contents;
  let start = 0;
  let end = contents.length;
  if (pattern) {
    const re = pyRegex(`(?s)${pattern}`);
    // hasIndices: where the subsection group starts and ends.
    const m = new RegExp(re.source, `${re.flags}d`).exec(contents);
    if (!m) return { msg: `Pattern for before/after params did not match the given file: ${pattern}` };
    section = m.groups?.subsection ?? '';
    start = m.indices?.groups?.subsection?.[0] ?? m.index;
    end = start + section.length;
  }
  const [res, n] = subn(p.regexp, p.replace, section);
  if (n === 0 || res === section) return { msg: '' };
  return { text: contents.slice(0, start) + res + contents.slice(end), msg: `${n} replacements made` };
}

function checkRegex(a: Args, key: string, v: string | undefined): void {
  if (v === undefined || isTemplated(v)) return;
  try {
    pyRegex(v);
  } catch (e) {
    fail(a, `argument "${key}" is not a valid regular expression: ${(e as Error).message}`);
  }
}

export const replace = defineModule({
  name: 'replace',
  doc: 'Replaces every match of a regular expression in a file (Python syntax, multiline), optionally between after and before.',
  example: "replace: {path: /etc/hosts, regexp: '(\\s+)old\\.example(\\s+.*)?$', replace: '\\1new.example\\2'}",
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'], description: 'the file on the host' },
    regexp: { required: true, description: 'Python regex, applied with MULTILINE' },
    replace: { default: '', description: 'replacement; \\1 and \\g<name> refer to groups' },
    after: { description: 'only replace after the first match of this regex (DOTALL)' },
    before: { description: 'only replace before this regex (DOTALL)' },
    backup: { type: 'bool', default: false, description: 'keep a timestamped copy of the old file beside it' },
    validate: VALIDATE_ARG,
    encoding: { default: 'utf-8', choices: ['utf-8', 'utf8'], description: "the file's encoding (only UTF-8)" },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0644" (quote it in YAML)' },
    owner: { description: 'user that owns the file' },
    group: { description: 'group that owns the file' },
  },
  build(v, a): ReplaceArgs {
    for (const k of ['regexp', 'after', 'before'] as const) checkRegex(a, k, v[k]);
    const { encoding: _e, ...rest } = v;
    return rest;
  },
  plan(p, probe, ctx) {
    return planTextEdit(p, { create: false, missing: `Path ${p.path} does not exist !` }, probe, ctx, (old) => editReplace(old ?? '', p));
  },
});
