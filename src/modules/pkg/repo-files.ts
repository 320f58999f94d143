// Repository and key files: read a set of files in one round trip, write one through copy's atomic upload, remove one.
import { quote } from '../../remote/quote.js';
import { type Attrs, missingDirPlan, parentOf, planWrite, statPaths } from '../fs.js';
import type { Plan, Probe, Step, TaskContext } from '../types.js';

const MARK = '@@@file ';

/** Shell printing every regular file matching the globs (unquoted on purpose: they are ours, not the user's) with a header line. */
export function readFilesScript(globs: string[]): string {
  return `for f in ${globs.join(' ')}; do [ -f "$f" ] || continue; printf '${MARK}%s\\n' "$f"; cat "$f"; echo; done`;
}

/** path → content, from readFilesScript's output (each file's text as it was, the separating newline dropped). */
export function parseFiles(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = stdout.split(new RegExp(`(?:^|\\n)${MARK}`));
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    const nl = part.indexOf('\n');
    const path = nl < 0 ? part : part.slice(0, nl);
    const body = nl < 0 ? '' : part.slice(nl + 1);
    // the split took the newline `echo` added after each file but the last
    out.set(path, i === parts.length - 1 && body.endsWith('\n') ? body.slice(0, -1) : body);
  }
  return out;
}

/** Write `content` to `dest` with copy's decisions (no upload when equal); `old` when already read (null: absent), else read for the diff. */
export async function planText(
  probe: Probe,
  ctx: TaskContext,
  dest: string,
  content: string,
  old?: string | null,
  attrs: Attrs = {},
): Promise<Plan> {
  const [have, parent] = await statPaths(probe, [dest, parentOf(dest)], { follow: true, hash: true });
  const body = Buffer.from(content);
  if (have.type === 'absent' && parent.type !== 'dir')
    return missingDirPlan(dest, body, ctx, `directory ${parentOf(dest)} does not exist (for ${dest})`);
  return planWrite(
    { dest, content: body, old: old === undefined ? undefined : old === null ? null : Buffer.from(old), ...attrs },
    have,
    probe,
    ctx,
  );
}

export const removeStep = (...paths: string[]): Step => ({ kind: 'exec', cmd: `rm -f -- ${paths.map(quote).join(' ')}` });

/** Several plans (several files) as one: changed if any is, steps and diffs in order, the first failure wins. */
export function mergePlans(plans: Plan[], note: string, result?: Record<string, unknown>): Plan {
  const failed = plans.find((p) => p.failed);
  if (failed) return { changed: false, failed: failed.failed, result };
  const changed = plans.some((p) => p.changed);
  const steps = plans.flatMap((p) => p.steps ?? []);
  const diff = plans.flatMap((p) => p.diff ?? []);
  const plan: Plan = { changed, note: changed ? note : (plans.map((p) => p.note).find(Boolean) ?? 'up to date'), result };
  if (steps.length) plan.steps = steps;
  if (diff.length) plan.diff = diff;
  return plan;
}
