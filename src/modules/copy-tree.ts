// copy's directory and remote_src cases: a controller directory copied file by file, or a copy made on the host.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { cmd, quote } from '../remote/quote.js';
import { type Attrs, attrFix, PRESERVE, parentOf, planWrite, preserved, statPaths } from './fs.js';
import { section, sections } from './net/probe-text.js';
import type { FileDiff, Plan, Probe, Step, TaskContext } from './types.js';

export interface TreeTarget extends Attrs {
  dest: string;
  backup: boolean;
  force: boolean;
  directory_mode?: string;
  validate?: string;
}

/** Relative directories and files under root, sorted, directories before what they hold. */
export function walkLocal(root: string): { dirs: string[]; files: string[] } {
  const dirs: string[] = [];
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(root, r)).isDirectory()) {
        dirs.push(r);
        walk(r);
      } else files.push(r);
    }
  };
  walk('');
  return { dirs, files };
}

/** Where a directory src lands: its contents into dest ("dir/"), or dest/<dir> ("dir"), as Ansible's copy. */
export const treeBase = (src: string, dest: string): string =>
  src.endsWith('/') ? dest : posix.join(dest, posix.basename(src.replace(/\/+$/, '')));

/** A controller directory to the host: missing directories made (directory_mode), each file planned like copy. */
export async function planCopyTree(t: TreeTarget, src: string, root: string, probe: Probe, ctx: TaskContext): Promise<Plan> {
  const base = treeBase(src, t.dest);
  const { dirs, files } = walkLocal(root);
  const dirPaths = [base, ...dirs.map((d) => posix.join(base, d))];
  const filePaths = files.map((f) => posix.join(base, f));
  const stats = await statPaths(probe, [...dirPaths, ...filePaths], { follow: true, hash: true });
  const steps: Step[] = [];
  const diff: FileDiff[] = [];
  const notes: string[] = [];
  const mk: string[] = [];
  for (const [i, d] of dirPaths.entries()) {
    const h = stats[i];
    if (h.type === 'absent') {
      mk.push(`mkdir -p -- ${quote(d)}`);
      if (t.directory_mode) mk.push(`chmod ${quote(t.directory_mode)} ${quote(d)}`);
    } else if (h.type !== 'dir') return { changed: false, failed: `${d} exists and is not a directory` };
  }
  if (mk.length) {
    steps.push({ kind: 'exec', cmd: mk.join(' && ') });
    notes.push(`${mk.filter((c) => c.startsWith('mkdir')).length} directories created`);
  }
  let changedFiles = 0;
  for (const [i, f] of filePaths.entries()) {
    const from = join(root, files[i]);
    const plan = await planWrite(
      { ...preserved(t, from), validate: undefined, dest: f, content: readFileSync(from) } as never,
      stats[dirPaths.length + i],
      probe,
      ctx,
    );
    if (plan.failed) return { changed: false, failed: plan.failed };
    if (!plan.changed) continue;
    changedFiles++;
    steps.push(...(plan.steps ?? []));
    diff.push(...(plan.diff ?? []));
  }
  if (changedFiles) notes.push(`${changedFiles} files copied or fixed`);
  const result = { dest: base.endsWith('/') ? base : `${base}/`, src };
  if (!steps.length) return { changed: false, note: 'up to date', result };
  return { changed: true, steps, note: notes.join(', '), result, ...(ctx.diff && diff.length ? { diff } : {}) };
}

/** remote_src: src is on the host; a file is copied to a temporary name and renamed, a directory with cp -R. */
export async function planRemoteCopy(t: TreeTarget, src: string, probe: Probe): Promise<Plan> {
  const s = quote(src);
  const r = sections(
    (await probe.run(`if [ -d ${s} ]; then ${section('dir', 'true')}; elif [ -f ${s} ]; then ${section('file', 'true')}; fi`)).stdout,
  );
  if (r.dir !== undefined) {
    const base = treeBase(src, t.dest);
    const same = await probe.run(`diff -rq -- ${s} ${quote(base)} >/dev/null 2>&1 && echo same`);
    const result = { dest: base, src };
    const keep = t.mode === PRESERVE;
    if (same.stdout.trim() === 'same') {
      const have = (await statPaths(probe, [base]))[0];
      const fix = attrFix(base, keep ? { ...t, mode: undefined } : t, have);
      if (!fix.cmds.length) return { changed: false, note: 'up to date', result };
      return { changed: true, steps: [{ kind: 'exec', cmd: fix.cmds.join(' && ') }], note: fix.changes.join(', '), result };
    }
    const cp = keep ? 'cp -R --preserve=mode --' : 'cp -R --';
    const cmds = [cmd('mkdir', '-p', '--', base), `${cp} ${quote(`${src.replace(/\/+$/, '')}/.`)} ${quote(base)}`];
    if (t.mode && !keep) cmds.push(cmd('chmod', '-R', t.mode, base));
    if (t.owner || t.group) cmds.push(cmd('chown', '-R', `${t.owner ?? ''}${t.group ? `:${t.group}` : ''}`, base));
    return { changed: true, steps: [{ kind: 'exec', cmd: cmds.join(' && ') }], note: 'directory copied', result };
  }
  if (r.file === undefined) return { changed: false, failed: `Source ${src} not found` };
  let dest = t.dest.endsWith('/') ? posix.join(t.dest, posix.basename(src)) : t.dest;
  let [from, have, parent, inner] = await statPaths(probe, [src, dest, parentOf(dest), posix.join(dest, posix.basename(src))], {
    follow: true,
    hash: true,
  });
  if (have.type === 'dir') {
    dest = posix.join(dest, posix.basename(src));
    have = inner;
    parent = { type: 'dir' };
  }
  const result = { dest, src, checksum: from.sha256 };
  if (have.type === 'absent' && parent.type !== 'dir')
    return { changed: false, failed: `Destination directory ${parentOf(dest)} does not exist` };
  // mode: preserve is the host source's own mode
  if (t.mode === PRESERVE) t = { ...t, mode: from.mode };
  if (have.type === 'file' && have.sha256 === from.sha256) {
    const fix = attrFix(dest, t, have);
    if (!fix.cmds.length) return { changed: false, note: 'up to date', result };
    return { changed: true, steps: [{ kind: 'exec', cmd: fix.cmds.join(' && ') }], note: fix.changes.join(', '), result };
  }
  if (have.type === 'file' && !t.force) return { changed: false, note: 'differs, left alone (force: false)', result };
  if (have.type !== 'file' && have.type !== 'absent') return { changed: false, failed: `${dest} exists and is not a regular file` };
  const tmpPath = posix.join(parentOf(dest), `.${posix.basename(dest)}.runbook-cp-${randomBytes(4).toString('hex')}`);
  const tmp = quote(tmpPath);
  const d = quote(dest);
  const mode = t.mode ?? have.mode;
  const owner = t.owner ?? (have.type === 'file' ? have.owner : undefined);
  const group = t.group ?? (have.type === 'file' ? have.group : undefined);
  const cmds = [`cp -- ${s} ${tmp}`];
  if (mode) cmds.push(`chmod ${quote(mode)} ${tmp}`);
  if (owner || group) cmds.push(cmd('chown', `${owner ?? ''}${group ? `:${group}` : ''}`, '--', tmpPath));
  const steps: Step[] = [{ kind: 'exec', cmd: cmds.join(' && ') }];
  if (t.validate) {
    const check = t.validate.split('%s').join(tmp);
    steps.push({ kind: 'exec', cmd: `{ ${check}\n} || { r=$?; rm -f -- ${tmp}; exit $r; }` });
  }
  if (t.backup && have.type === 'file') steps.push({ kind: 'exec', cmd: `cp -p -- ${d} ${d}.$(date +%Y%m%d%H%M%S)~` });
  steps.push({ kind: 'exec', cmd: `mv -f -- ${tmp} ${d}` });
  return { changed: true, steps, note: have.type === 'absent' ? 'created' : 'content changed', result };
}
