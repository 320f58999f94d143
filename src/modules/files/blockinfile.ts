// Ansible's blockinfile: one block of lines between marker lines, inserted, replaced in place or removed.
import { pyRegex } from '../../jinja/filters-regex.js';
import { type Args, fail, isTemplated, mode } from '../args.js';
import { defineModule } from '../types.js';
import { planTextEdit, pyLines, type TextTarget } from './text-edit.js';
import { VALIDATE_ARG } from './validate.js';

export interface BlockArgs extends TextTarget {
  state: 'present' | 'absent';
  marker: string;
  block: string;
  insertafter?: string;
  insertbefore?: string;
  create: boolean;
  marker_begin: string;
  marker_end: string;
}

function checkRegex(a: Args, key: string, v: string | undefined, special: string): void {
  if (v === undefined || v === special || isTemplated(v)) return;
  try {
    pyRegex(v);
  } catch (e) {
    fail(a, `argument "${key}" is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** The file's new text, following blockinfile's main() line by line; msg '' when nothing changes. */
export function editBlock(original: string | null, p: BlockArgs): { text: string; msg: string } {
  const lines = pyLines(original ?? '');
  const present = p.state === 'present';
  let insertafter = p.insertafter;
  if (p.insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  const pattern =
    insertafter !== undefined && insertafter !== 'EOF'
      ? insertafter
      : p.insertbefore !== undefined && p.insertbefore !== 'BOF'
        ? p.insertbefore
        : undefined;
  const marker0 = `${p.marker.split('{mark}').join(p.marker_begin)}\n`;
  const marker1 = `${p.marker.split('{mark}').join(p.marker_end)}\n`;
  let blocklines: string[] = [];
  if (present && p.block) {
    const block = p.block.endsWith('\n') ? p.block : `${p.block}\n`;
    blocklines = [marker0, ...pyLines(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((l, i) => {
    if (l === marker0) n0 = i;
    if (l === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (pattern !== undefined) {
      const re = pyRegex(pattern);
      if (re.multiline) {
        const m = re.exec(original ?? '');
        if (m) {
          const upto = (original ?? '').slice(0, insertafter !== undefined ? m.index + m[0].length : m.index);
          n0 = upto.split('\n').length - 1;
        }
      } else
        lines.forEach((l, i) => {
          if (re.test(l)) n0 = i;
        });
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (p.insertbefore !== undefined) n0 = 0;
    else n0 = lines.length;
  } else if (n0 < n1) lines.splice(n0, n1 - n0 + 1);
  else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
  lines.splice(n0, 0, ...blocklines);
  const text = lines.join('');
  if (original === text) return { text, msg: '' };
  if (original === null) return { text, msg: 'File created' };
  return { text, msg: blocklines.length ? 'Block inserted' : 'Block removed' };
}

export const blockinfile = defineModule({
  name: 'blockinfile',
  doc: 'Keeps a block of lines between marker lines in a file: inserted once, replaced in place, or removed.',
  example: 'blockinfile: {path: /etc/hosts, block: "10.0.0.2 db\\n10.0.0.3 cache"}',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'], description: 'the file on the host' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'present: the block is in the file; absent: removed' },
    marker: { default: '# {mark} ANSIBLE MANAGED BLOCK', description: 'marker line template; {mark} becomes marker_begin / marker_end' },
    block: { default: '', aliases: ['content'], description: 'the lines to keep between the markers (empty: remove the block)' },
    insertafter: { description: 'regex of the line to insert after when no block exists yet, or EOF (default)' },
    insertbefore: { description: 'regex of the line to insert before when no block exists yet, or BOF' },
    create: { type: 'bool', default: false, description: 'create the file (and its directory) when absent' },
    backup: { type: 'bool', default: false, description: 'keep a timestamped copy of the old file beside it' },
    validate: VALIDATE_ARG,
    marker_begin: { default: 'BEGIN', description: 'what {mark} becomes in the first marker' },
    marker_end: { default: 'END', description: 'what {mark} becomes in the last marker' },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0644" (quote it in YAML)' },
    owner: { description: 'user that owns the file' },
    group: { description: 'group that owns the file' },
  },
  mutually_exclusive: [['insertbefore', 'insertafter']],
  build(v, a): BlockArgs {
    checkRegex(a, 'insertafter', v.insertafter, 'EOF');
    checkRegex(a, 'insertbefore', v.insertbefore, 'BOF');
    return { ...v, state: v.state as BlockArgs['state'] };
  },
  plan(p, probe, ctx) {
    const o = {
      create: p.create,
      missing: `Path ${p.path} does not exist !`,
      absentOk: p.state === 'absent' ? `File ${p.path} not present` : undefined,
    };
    return planTextEdit(p, o, probe, ctx, (old) => {
      const e = editBlock(old, p);
      return { text: e.msg ? e.text : undefined, msg: e.msg };
    });
  },
});
