// Puts a file on the host from inline content or a controller file; unchanged content is never re-sent.
import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { InputError } from '../errors.js';
import { fail, isTemplated, mode, modeOrPreserve } from './args.js';
import { planCopyTree, planRemoteCopy } from './copy-tree.js';
import { type FileBatch, mergeFileSteps, withFileBatch } from './file-batch.js';
import { VALIDATE_ARG, withValidate } from './files/validate.js';
import {
  type Attrs,
  attrsOf,
  missingDirPlan,
  PRESERVE,
  parentOf,
  planWrite,
  preserved,
  SELINUX_ARGS,
  selinuxGuard,
  statPaths,
} from './fs.js';
import type { ArgSpecs } from './spec.js';
import { defineModule, type Plan, type Probe, type TaskContext } from './types.js';

/** Where and how a file lands; shared with template. */
export interface CopyTarget extends Attrs {
  dest: string;
  backup: boolean;
  force: boolean;
  /** Run on the new file (at a temporary name) before it replaces dest; %s is its path. */
  validate?: string;
}

/** Normalised copy args: exactly one of content/src is set. */
export interface CopyArgs extends CopyTarget {
  content?: string;
  src?: string;
  remote_src: boolean;
  directory_mode?: string;
}

/** Args common to copy and template: where the file lands and with which attributes. */
export const TARGET_ARGS = {
  dest: { type: 'path', required: true, description: 'path on the host; ending in / (or an existing directory) puts the file inside it' },
  mode: {
    type: 'raw',
    check: modeOrPreserve,
    description: 'octal mode such as "0644" (quote it in YAML), or preserve: the source file\'s own mode',
  },
  owner: { description: 'user that owns the file' },
  group: { description: 'group that owns the file' },
  backup: { type: 'bool', default: false, description: 'keep a timestamped copy of the old file beside it' },
  force: { type: 'bool', default: true, description: 'replace a file whose content differs (false: only create it when absent)' },
  validate: VALIDATE_ARG,
  ...SELINUX_ARGS,
} as const satisfies ArgSpecs;

/** The target part of copy's and template's parsed values. */
export function targetOf(v: {
  dest: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup: boolean;
  force: boolean;
  validate?: string;
  seuser?: string;
  serole?: string;
  setype?: string;
  selevel?: string;
}): CopyTarget {
  return { dest: v.dest, backup: v.backup, force: v.force, ...attrsOf(v), validate: v.validate };
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
    return withValidate(await planWrite({ ...t, dest: child!, content }, inner, probe, ctx), t.validate);
  }
  if (have.type === 'absent' && parent.type !== 'dir') return missingDirPlan(dest, content, ctx);
  return withValidate(await planWrite({ ...t, dest, content }, have, probe, ctx), t.validate);
}

/** Ansible's copy: a file, a controller directory (dir/ copies its contents), or a copy made on the host (remote_src). */
export const copy = defineModule({
  name: 'copy',
  doc: 'Puts a file on the host from inline content or a controller file; unchanged content is never re-sent.',
  example: 'copy: {dest: /etc/motd, content: "hi\\n", mode: "0644"}',
  args: {
    ...TARGET_ARGS,
    content: { type: 'raw', description: "the file's text (a mapping or list is written as JSON)" },
    src: {
      type: 'path',
      description:
        'controller file or directory (dir/: its contents), relative to the playbook or its files/ folder; a host path with remote_src',
    },
    remote_src: { type: 'bool', default: false, description: 'src is a file or directory on the host' },
    directory_mode: { type: 'raw', check: mode, description: 'mode of directories a recursive copy creates' },
  },
  mutually_exclusive: [['content', 'src']],
  required_one_of: [['content', 'src']],
  build(v, a): CopyArgs {
    const t = targetOf(v);
    const p: CopyArgs = { ...t, remote_src: v.remote_src, directory_mode: v.directory_mode };
    if (v.remote_src && v.src === undefined) fail(a, 'remote_src needs src');
    if (v.src !== undefined) p.src = v.src;
    else {
      const c = v.content;
      if (typeof c === 'string') p.content = c;
      else if (typeof c === 'number' || typeof c === 'boolean') p.content = String(c);
      else p.content = `${JSON.stringify(c, null, 2)}\n`;
    }
    if (p.content !== undefined && t.mode === PRESERVE)
      fail(a, 'mode: preserve needs src (content has no mode to keep)', 'give an octal mode such as "0644"');
    if (p.content !== undefined && t.dest.endsWith('/') && !isTemplated(t.dest))
      fail(a, `cannot use content with a directory as dest (${t.dest})`, 'name the file in dest');
    return p;
  },
  merge: (batches) => mergeFileSteps(batches as FileBatch[]),
  // A copy made on the host, or one checked by validate, is applied on its own.
  plan: async (p, probe, ctx) =>
    p.remote_src || p.validate !== undefined ? planCopyArgs(p, probe, ctx) : withFileBatch(await planCopyArgs(p, probe, ctx), [p.dest]),
  preflight(p, ctx) {
    if (p.src === undefined || p.remote_src) return undefined;
    const path = ctx.resolveLocal(p.src, 'files');
    if (!existsSync(path))
      throw new InputError(`copy: source file not found: ${p.src} (looked for ${path})`, {
        at: ctx.at,
        hint: 'put it in files/ beside the playbooks/ folder, or give a path relative to the playbook',
      });
    return undefined;
  },
});

async function planCopyArgs(p: CopyArgs, probe: Probe, ctx: TaskContext): Promise<Plan> {
  const refused = await selinuxGuard(p, probe, ctx);
  if (refused) return refused;
  if (p.src !== undefined && p.remote_src) return planRemoteCopy(p, p.src, probe);
  if (p.src !== undefined) {
    const local = ctx.localPath?.(p.src);
    if (local && isDir(local)) return planCopyTree(p, p.src, local, probe, ctx);
    return planCopy(preserved(p, local), ctx.readLocal(p.src), posix.basename(p.src), probe, ctx);
  }
  return planCopy(p, Buffer.from(p.content ?? '', 'utf8'), undefined, probe, ctx);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
