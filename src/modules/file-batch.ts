// file, lineinfile and copy loops (a directory per app, a line per setting): every item's steps in one shell
// script, one round trip instead of one or more per item. Uploads travel in the script as base64 and land as
// Connection.put lands them (putScript: temp name + rename, the old owner kept).
import { randomBytes } from 'node:crypto';
import { quote } from '../remote/quote.js';
import { ownerSpec, putScript } from '../remote/remote-scripts.js';
import type { Plan, Step } from './types.js';

/** The steps of one item's plan and every path they write. */
export interface FileBatch {
  paths: string[];
  steps: Step[];
}

/** Above this the merged script would strain a command line (the kernel caps one argument at 128 KiB). */
const MAX_SCRIPT = 96 * 1024;

/** Marks a changed plan as mergeable when its steps are plain commands and uploads that write only under `paths`. */
export function withFileBatch(plan: Plan, paths: string[]): Plan {
  const steps = plan.steps ?? [];
  if (!plan.changed || !steps.length || plan.failed || plan.always || plan.session) return plan;
  if (steps.some((s) => s.kind === 'local-write' || (s.kind === 'exec' && (s.capture || s.stdin !== undefined)))) return plan;
  const dests = steps.flatMap((s) => (s.kind === 'upload' ? [s.dest] : []));
  const batch: FileBatch = { paths: [...new Set([...paths, ...dests])], steps };
  return { ...plan, batch };
}

// Two paths overlap when they are the same or one lies inside the other: such items must see each other's result.
const inside = (a: string, b: string) => a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`);
const overlap = (a: string, b: string) => inside(a, b) || inside(b, a);

/** One script for every item's steps, in item order, stopping at the first that fails; undefined when two items touch the same path. */
export function mergeFileSteps(batches: FileBatch[]): Step[] | undefined {
  if (batches.length < 2) return undefined;
  const all = batches.flatMap((b, i) => b.paths.map((p) => [i, p] as const));
  for (const [i, p] of all) if (all.some(([j, q]) => j > i && overlap(p, q))) return undefined;
  const mark = `RB${randomBytes(8).toString('hex')}`;
  const lines: string[] = [];
  let n = 0;
  for (const b of batches) for (const s of b.steps) lines.push(...stepLines(s, `${mark}_${n++}`, mark));
  const script = lines.join('\n');
  return script.length > MAX_SCRIPT ? undefined : [{ kind: 'exec', cmd: script }];
}

// One step as script lines, as applyPlan would run it: a command, or an upload (backup, then put with its owner).
function stepLines(s: Step, fn: string, mark: string): string[] {
  // Each command in its own subshell, as in its own exec: an `exit` in it ends only that step.
  if (s.kind === 'exec') return [`(\n${s.cmd}\n) </dev/null || exit $?`];
  if (s.kind !== 'upload') throw new Error('internal: a controller-side write cannot join a host script');
  const out: string[] = [];
  const d = quote(s.dest);
  if (s.backup) out.push(`{ [ ! -e ${d} ] || cp -p ${d} ${d}.$(date +%Y%m%d%H%M%S)~; } || exit $?`);
  // A function with a subshell body: putScript's traps and exits stay inside it.
  out.push(`${fn}() (\n${putScript(s.dest, s.mode, s.content.length, ownerSpec(s.owner, s.group))}\n)`);
  out.push(`base64 -d <<'${mark}' | ${fn} || exit $?`, ...base64Lines(s.content), mark);
  return out;
}

const base64Lines = (b: Buffer): string[] => b.toString('base64').match(/.{1,76}/g) ?? [];
