// Keeps one line of a file right (Ansible semantics), computing the new content on the controller.

import { quote } from '../remote/quote.js';
import { type Args, fail, isTemplated, mode } from './args.js';
import { type FileBatch, mergeFileSteps, withFileBatch } from './file-batch.js';
import { VALIDATE_ARG, withValidate } from './files/validate.js';
import { type Attrs, missingDirPlan, parentOf, planWrite, sha256, statPaths } from './fs.js';
import { defineModule, type Plan, type Probe, type TaskContext } from './types.js';

/** Normalised lineinfile args (dest/name/regex/value aliases folded in). */
export interface LineArgs extends Attrs {
  path: string;
  state: 'present' | 'absent';
  line?: string;
  regexp?: string;
  insertafter?: string;
  insertbefore?: string;
  create: boolean;
  backup: boolean;
  backrefs: boolean;
  firstmatch: boolean;
  /** Run on the new file (at a temporary name) before it replaces path; %s is its path. */
  validate?: string;
}

/** Python `re` syntax the JS engine spells differently: named groups and their back-references. */
export function pyRegex(src: string): RegExp {
  return new RegExp(src.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'));
}

function checkRegex(a: Args, key: string, v: string | undefined, special?: string): void {
  if (v === undefined || v === special || isTemplated(v)) return;
  try {
    pyRegex(v);
  } catch (e) {
    fail(a, `argument "${key}" is not a valid regular expression: ${(e as Error).message}`);
  }
}

// Python's match.expand: \1, \g<1>, \g<name> and the common character escapes.
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(?:g<(\w+)>|(\d{1,2})|([ntr\\]))/g, (_, g: string, d: string, c: string) => {
    if (c) return ({ n: '\n', t: '\t', r: '\r', '\\': '\\' } as Record<string, string>)[c];
    const key = g ?? d;
    return (/^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key]) ?? '';
  });
}

/** The edited lines and Ansible's message for the edit. */
export interface Edit {
  out: string[];
  msg: string;
}

const bare = (l: string) => l.replace(/\n$/, '');
const trimEol = (l: string) => l.replace(/[\r\n]+$/, '');

/** New lines for state=present, mirroring ansible.builtin.lineinfile's present(); undefined when nothing changes. */
export function present(lines: string[], p: LineArgs): Edit | undefined {
  const line = p.line ?? '';
  const re = p.regexp !== undefined ? pyRegex(p.regexp) : undefined;
  const insAfter = p.insertafter !== undefined && p.insertafter !== 'EOF' && p.insertafter !== 'BOF';
  const insBefore = p.insertbefore !== undefined && p.insertbefore !== 'BOF';
  const ins = insAfter ? pyRegex(p.insertafter!) : insBefore ? pyRegex(p.insertbefore!) : undefined;
  let found = -1;
  let insertAt = -1;
  let match: RegExpExecArray | null = null;
  if (re) {
    for (let i = 0; i < lines.length; i++) {
      const m = re.exec(bare(lines[i]));
      if (m) {
        found = i;
        match = m;
        if (p.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (let i = 0; i < lines.length; i++) {
      if (trimEol(lines[i]) === line) found = i;
      else if (ins?.test(bare(lines[i]))) {
        insertAt = insAfter ? i + 1 : i;
        if (p.firstmatch) break;
      }
    }
  }
  const out = [...lines];
  if (found !== -1) {
    let next = p.backrefs && match ? expand(line, match) : line;
    if (!next.endsWith('\n')) next += '\n';
    if (out[found] === next) return undefined;
    out[found] = next;
    return { out, msg: 'line replaced' };
  } else if (p.backrefs) {
    return undefined;
  } else if (p.insertbefore === 'BOF' || p.insertafter === 'BOF') {
    out.unshift(`${line}\n`);
  } else if (p.insertafter === 'EOF' || insertAt === -1) {
    if (out.length && !/[\n\r]$/.test(out[out.length - 1])) out.push('\n');
    out.push(`${line}\n`);
  } else if (insAfter) {
    if (insertAt === out.length) {
      if (trimEol(out[insertAt - 1]) === line) return undefined;
      if (!out[insertAt - 1].endsWith('\n')) out[insertAt - 1] += '\n';
      out.push(`${line}\n`);
    } else {
      if (trimEol(out[insertAt]) === line) return undefined;
      out.splice(insertAt, 0, `${line}\n`);
    }
  } else {
    out.splice(insertAt, 0, `${line}\n`);
  }
  return { out, msg: 'line added' };
}

/** state=absent: drop every line matching regexp, or equal to line. */
export function absent(lines: string[], p: LineArgs): Edit | undefined {
  const re = p.regexp !== undefined ? pyRegex(p.regexp) : undefined;
  const out = lines.filter((l) => !(re ? re.test(bare(l)) : trimEol(l) === p.line));
  const n = lines.length - out.length;
  return n ? { out, msg: `${n} line(s) removed` } : undefined;
}

// Python readlines(): lines keep their "\n"; a last line without one is kept too.
export const splitLines = (s: string): string[] => s.match(/[^\n]*\n|[^\n]+$/g) ?? [];

/** Ansible's lineinfile; the new content is computed here and uploaded whole, keeping mode and owner. */
export const lineinfile = defineModule({
  name: 'lineinfile',
  doc: 'Keeps one line of a file right (Ansible semantics), computing the new content on the controller.',
  example: 'lineinfile: {path: /etc/rc.local, line: /root/autorun.sh, insertbefore: "^exit 0"}',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'], description: 'the file on the host' },
    line: { aliases: ['value'], description: 'the line to have (state=present), or to remove (state=absent)' },
    regexp: { aliases: ['regex'], description: 'Python regex of the line to replace or remove; the last match counts' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'present: the line is in the file; absent: no line matches' },
    insertafter: { description: 'regex of the line to insert after when nothing matches, or EOF' },
    insertbefore: { description: 'regex of the line to insert before when nothing matches, or BOF' },
    create: { type: 'bool', default: false, description: 'create the file when it is absent' },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0644" (quote it in YAML)' },
    owner: { description: 'user that owns the file' },
    group: { description: 'group that owns the file' },
    backup: { type: 'bool', default: false, description: 'keep a timestamped copy of the old file beside it' },
    backrefs: { type: 'bool', default: false, description: 'expand \\1 and \\g<name> of regexp in line; no match leaves the file alone' },
    firstmatch: { type: 'bool', default: false, description: 'use the first match of regexp/insertafter/insertbefore instead of the last' },
    validate: VALIDATE_ARG,
  },
  mutually_exclusive: [['insertafter', 'insertbefore']],
  required_if: [
    ['state', 'present', ['line']],
    ['state', 'absent', ['regexp', 'line'], true],
    ['backrefs', true, ['regexp'], true],
  ],
  build(v, a): LineArgs {
    const p: LineArgs = { ...v, state: v.state as LineArgs['state'] };
    checkRegex(a, 'regexp', p.regexp);
    checkRegex(a, 'insertafter', p.insertafter, 'EOF');
    checkRegex(a, 'insertbefore', p.insertbefore, 'BOF');
    return p;
  },
  merge: (batches) => mergeFileSteps(batches as FileBatch[]),
  // A file checked by validate is written on its own (its check runs between the upload and the rename).
  plan: async (p, probe, ctx) =>
    p.validate !== undefined
      ? withValidate(await planLine(p, probe, ctx), p.validate)
      : withFileBatch(await planLine(p, probe, ctx), [p.path]),
});

async function planLine(p: LineArgs, probe: Probe, ctx: TaskContext): Promise<Plan> {
  // The read goes with the stat (one round trip, not two); it counts only when the stat finds a regular file.
  const reading = probe.readFile(p.path).then(
    (b) => ({ b }),
    (e: unknown) => ({ e }),
  );
  const [have, parent] = await statPaths(probe, [p.path, parentOf(p.path)], { follow: true });
  if (have.type !== 'absent' && have.type !== 'file') return { changed: false, failed: `${p.path} is not a regular file` };
  let old: Buffer | null = null;
  if (have.type === 'file') {
    const read = await reading;
    if ('e' in read) throw read.e;
    old = read.b;
    if (!old) return { changed: false, failed: `cannot read ${p.path}` };
    have.sha256 = sha256(old);
  } else if (p.state === 'absent') return { changed: false, note: `${p.path} does not exist` };
  else if (!p.create)
    return missingDirPlan(
      p.path,
      Buffer.from(`${p.line ?? ''}\n`),
      ctx,
      `${p.path} does not exist (set create: true to create it)`,
      p.path,
    );
  const lines = splitLines(old?.toString('utf8') ?? '');
  const next = p.state === 'present' ? present(lines, p) : absent(lines, p);
  const content = next ? Buffer.from(next.out.join(''), 'utf8') : (old ?? Buffer.alloc(0));
  const plan = await planWrite({ ...p, dest: p.path, content, old }, have, probe, ctx);
  if (plan.steps && have.type === 'absent' && parent.type !== 'dir')
    plan.steps.unshift({ kind: 'exec', cmd: `mkdir -p -- ${quote(parentOf(p.path))}` });
  if (plan.changed && next) plan.note = next.msg;
  return plan;
}
