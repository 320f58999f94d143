// Files the net modules rewrite (sysctl.d, route-<dev>, daemon.json) go through copy's write plan, stat'ed only on change.
import { type FileStat, missingDirPlan, parentOf, planWrite, sha256, statPaths } from '../fs.js';
import type { Plan, Probe, TaskContext } from '../types.js';

export interface FileUpdate {
  dest: string;
  content: Buffer;
  /** What the module already read (null: absent), so the diff needs no second read. */
  old: Buffer | null;
  mode?: string;
  backup?: boolean;
  /** The stat of dest and its directory when the caller started it with its read (one round trip, not two). */
  stats?: Promise<FileStat[]>;
}

/** Upload plan keeping the file's mode/owner, or `failed` when its directory is missing. */
export async function planFileUpdate(probe: Probe, ctx: TaskContext, u: FileUpdate): Promise<Plan> {
  const [have, parent] = await (u.stats ?? statPaths(probe, [u.dest, parentOf(u.dest)], { follow: true, hash: true }));
  // A stat made beside the read has no hash: the content read is the file's.
  if (u.stats && have.type === 'file' && u.old) have.sha256 = sha256(u.old);
  if (have.type === 'absent' && parent.type !== 'dir')
    return missingDirPlan(u.dest, u.content, ctx, `directory ${parentOf(u.dest)} does not exist (for ${u.dest})`);
  return planWrite({ dest: u.dest, content: u.content, old: u.old, mode: u.mode, backup: u.backup }, have, probe, ctx);
}
