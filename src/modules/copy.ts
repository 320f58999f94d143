// Puts a file on the host from inline content or a controller file; unchanged content is never re-sent.
import { posix } from 'node:path';
import type { Location } from '../errors.js';
import { argsOf, bool, exactlyOne, fail, isTemplated, mode, optStr, str } from './args.js';
import { type Attrs, missingDirPlan, parentOf, planWrite, statPaths } from './fs.js';
import { defineModule, type Plan, type Probe, type TaskContext } from './types.js';

/** Where and how a file lands; shared with template. */
export interface CopyTarget extends Attrs {
  dest: string;
  backup: boolean;
  force: boolean;
}

/** Normalised copy args: exactly one of content/src is set. */
export interface CopyArgs extends CopyTarget {
  content?: string;
  src?: string;
}

// Args common to copy and template.
export function targetOf(raw: unknown, at: Location, name: string, extra: string[]) {
  const a = argsOf(raw, at, name, ['dest', 'mode', 'owner', 'group', 'backup', 'force', ...extra]);
  const t: CopyTarget = {
    dest: str(a, 'dest'),
    backup: bool(a, 'backup', false),
    force: bool(a, 'force', true),
    mode: mode(a, 'mode'),
    owner: optStr(a, 'owner'),
    group: optStr(a, 'group'),
  };
  return { a, t };
}

/**
 * Plan for writing `content` to t.dest. `srcName` (basename of the source) is used when dest ends in "/" or is
 * a directory; dest and its candidate child are stat'ed in the same probe command as the parent directory.
 */
export async function planCopy(t: CopyTarget, content: Buffer, srcName: string | undefined, probe: Probe, ctx: TaskContext): Promise<Plan> {
  let dest = t.dest;
  if (dest.endsWith('/')) {
    if (!srcName) return { changed: false, failed: `cannot use content with a directory as dest (${dest})` };
    dest = posix.join(dest, srcName);
  }
  const child = srcName && dest === t.dest ? posix.join(dest, srcName) : undefined;
  const paths = [dest, parentOf(dest), ...(child ? [child] : [])];
  const [have, parent, inner] = await statPaths(probe, paths, { follow: true, hash: true });
  if (have.type === 'dir' && inner) {
    return planWrite({ ...t, dest: child!, content }, inner, probe, ctx);
  }
  if (have.type === 'absent' && parent.type !== 'dir') return missingDirPlan(dest, content, ctx);
  return planWrite({ ...t, dest, content }, have, probe, ctx);
}

/** Ansible's copy for single files; result carries dest and the sha256 checksum. */
export const copy = defineModule<CopyArgs>({
  name: 'copy',
  parse(raw, at) {
    const { a, t } = targetOf(raw, at, 'copy', ['content', 'src']);
    const which = exactlyOne(a, ['content', 'src']);
    const p: CopyArgs = { ...t };
    if (which === 'src') p.src = str(a, 'src');
    else {
      const c = a.v.content;
      if (typeof c === 'string') p.content = c;
      else if (typeof c === 'number' || typeof c === 'boolean') p.content = String(c);
      else p.content = `${JSON.stringify(c, null, 2)}\n`;
    }
    if (p.content !== undefined && t.dest.endsWith('/') && !isTemplated(t.dest))
      fail(a, `cannot use content with a directory as dest (${t.dest})`, 'name the file in dest');
    return p;
  },
  plan(p, probe, ctx) {
    if (p.src !== undefined) return planCopy(p, ctx.readLocal(p.src), posix.basename(p.src), probe, ctx);
    return planCopy(p, Buffer.from(p.content ?? '', 'utf8'), undefined, probe, ctx);
  },
});
