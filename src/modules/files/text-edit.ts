// blockinfile, replace and ini_file: read the host file, compute its new text on the controller, write it like copy.
import { quote } from '../../remote/quote.js';
import { type Attrs, missingDirPlan, parentOf, planWrite, sha256, statPaths } from '../fs.js';
import type { Plan, Probe, TaskContext } from '../types.js';
import { withValidate } from './validate.js';

export interface TextTarget extends Attrs {
  path: string;
  backup: boolean;
  validate?: string;
}

/** What an edit decided: the new text (undefined: as it was) and Ansible's msg. */
export interface TextEdit {
  text?: string;
  msg: string;
  /** Extra result keys. */
  result?: Record<string, unknown>;
}

export interface EditOpts {
  /** Create a missing file (its parent too); otherwise `missing` is the failure message. */
  create: boolean;
  missing: string;
  /** The module decides a missing file is nothing to do (state=absent): this plan. */
  absentOk?: string;
}

/** Python's bytes.splitlines(keepends=True): \r\n, \r and \n end lines. */
export const pyLines = (s: string): string[] => s.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];

/** Stat (following links), read, edit, and plan the write with the file's attributes kept (mode/owner/group if given). */
export async function planTextEdit(
  t: TextTarget,
  o: EditOpts,
  probe: Probe,
  ctx: TaskContext,
  edit: (old: string | null) => TextEdit | { failed: string },
): Promise<Plan> {
  const [have, parent] = await statPaths(probe, [t.path, parentOf(t.path)], { follow: true });
  if (have.type === 'dir') return { changed: false, failed: `Path ${t.path} is a directory !`, result: { rc: 256 } };
  if (have.type !== 'absent' && have.type !== 'file') return { changed: false, failed: `${t.path} is not a regular file` };
  let old: Buffer | null = null;
  if (have.type === 'file') {
    old = await probe.readFile(t.path);
    if (!old) return { changed: false, failed: `cannot read ${t.path}` };
    have.sha256 = sha256(old);
  } else if (o.absentOk !== undefined) return { changed: false, note: o.absentOk, result: { msg: o.absentOk } };
  else if (!o.create) return { changed: false, failed: o.missing, result: { rc: 257 } };
  const e = edit(old === null ? null : old.toString('utf8'));
  if ('failed' in e) return { changed: false, failed: e.failed };
  if (e.text === undefined && have.type === 'absent')
    return { changed: false, note: e.msg || 'nothing to do', result: { msg: e.msg, ...e.result } };
  const content = e.text === undefined ? old! : Buffer.from(e.text, 'utf8');
  if (have.type === 'absent' && parent.type !== 'dir' && ctx.check) return missingDirPlan(t.path, content, ctx, '', parentOf(t.path));
  const plan = withValidate(await planWrite({ ...t, dest: t.path, content, old }, have, probe, ctx), t.validate);
  if (plan.steps && have.type === 'absent' && parent.type !== 'dir')
    plan.steps.unshift({ kind: 'exec', cmd: `mkdir -p -- ${quote(parentOf(t.path))}` });
  const contentChanged = e.text !== undefined && (old === null || !old.equals(content));
  const msg = contentChanged ? e.msg : plan.changed ? plan.note : e.msg;
  plan.note = msg || plan.note;
  plan.result = { ...plan.result, msg: msg ?? '', ...e.result };
  delete plan.result.dest;
  delete plan.result.checksum;
  return plan;
}
