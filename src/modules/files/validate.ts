// validate: the new file lands at a temporary name beside dest, the command checks it, and only then is it renamed.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { quote } from '../../remote/quote.js';
import { type Args, fail, isTemplated } from '../args.js';
import type { ArgSpec } from '../spec.js';
import type { Plan, Step } from '../types.js';

export const VALIDATE_ARG = {
  description:
    'command run on the new file before it replaces dest, %s standing for its path (e.g. visudo -cf %s); failing leaves dest untouched',
  check: (a: Args, k: string) => {
    const v = String(a.v[k]);
    if (!isTemplated(a.v[k]) && !v.includes('%s')) fail(a, `validate must contain %s: ${v}`);
    return v;
  },
} as const satisfies ArgSpec;

/**
 * Rewrites the upload of `dest` in a plan into: upload to a temporary name, run validate on it (removing it when it
 * fails), back up the old file if asked, rename over dest. Other steps stay as they are.
 */
export function withValidate(plan: Plan, validate: string | undefined): Plan {
  if (!validate || !plan.steps) return plan;
  const steps: Step[] = [];
  for (const s of plan.steps) {
    if (s.kind !== 'upload') {
      steps.push(s);
      continue;
    }
    const tmp = posix.join(posix.dirname(s.dest), `.${posix.basename(s.dest)}.runbook-validate-${randomBytes(4).toString('hex')}`);
    const t = quote(tmp);
    const d = quote(s.dest);
    const check = validate.split('%s').join(t);
    steps.push({ ...s, dest: tmp, backup: undefined });
    steps.push({
      kind: 'exec',
      cmd: `{ ${check}\n} || { r=$?; rm -f -- ${t}; echo "failed to validate ${s.dest.replace(/["$`\\]/g, '')}" >&2; exit $r; }`,
    });
    if (s.backup) steps.push({ kind: 'exec', cmd: `[ ! -e ${d} ] || cp -p -- ${d} ${d}.$(date +%Y%m%d%H%M%S)~` });
    steps.push({ kind: 'exec', cmd: `mv -f -- ${t} ${d}` });
  }
  return { ...plan, steps };
}
