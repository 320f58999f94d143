// Brings a path to a state (file, directory, link, touched, absent) with the wanted mode and ownership.
import { posix } from 'node:path';
import { cmd, quote } from '../remote/quote.js';
import { fail, isTemplated, mode } from './args.js';
import { type FileBatch, mergeFileSteps, withFileBatch } from './file-batch.js';
import { type Attrs, attrFix, attrsOf, type FileStat, parentOf, SELINUX_ARGS, selinuxGuard, statPaths } from './fs.js';
import { defineModule, type Plan, type Probe, type Step } from './types.js';

const STATES = ['file', 'directory', 'absent', 'touch', 'link', 'hard'] as const;

/** Normalised file args (path aliases dest/name folded in). */
export interface FileArgs extends Attrs {
  path: string;
  /** absent: not given (the path's current state is used, as Ansible) */
  state?: (typeof STATES)[number];
  src?: string;
  force: boolean;
  /** state=directory: mode/owner/group for the whole tree. */
  recurse: boolean;
  /** 'preserve' (default), 'now', or a touch -t stamp (YYYYMMDDhhmm.SS). */
  modification_time?: string;
  access_time?: string;
}

// Ansible's default *_time_format; other formats are refused (touch -t reads exactly this one).
const TIME_FORMAT = '%Y%m%d%H%M.%S';
const STAMP = /^\d{12}\.\d{2}$/;

const exec = (cmds: string[]): Step[] => (cmds.length ? [{ kind: 'exec', cmd: cmds.join(' && ') }] : []);

function done(steps: Step[], note: string[], path: string, unchanged: string): Plan {
  const result = { path };
  if (!steps.length) return { changed: false, note: unchanged, result };
  return { changed: true, steps, note: note.join(', '), result };
}

function attrsOnly(p: FileArgs, have: FileStat, unchanged: string): Plan {
  const fix = attrFix(p.path, p, have);
  return done(exec(fix.cmds), fix.changes, p.path, unchanged);
}

/**
 * A symlink to src. As Ansible's file module (follow: true, its default), mode, owner and group go to what the link
 * points to, when that exists (chmod and chown through the link); a dangling link takes none.
 */
function planLink(p: FileArgs, have: FileStat, parent: FileStat, target: FileStat): Plan {
  const src = p.src!;
  const path = quote(p.path);
  const ln = `ln -s -- ${quote(src)} ${path}`;
  const attrs = target.type === 'absent' ? { cmds: [], changes: [] } : attrFix(p.path, p, target);
  const withAttrs = (cmds: string[], note: string) =>
    done(exec([...cmds, ...attrs.cmds]), [note, ...attrs.changes].filter(Boolean), p.path, '');
  if (have.type === 'link' && have.target === src)
    return done(
      exec(attrs.cmds),
      attrs.changes.map((c) => `${c} (on ${src})`),
      p.path,
      `already links to ${src}`,
    );
  if (have.type === 'absent') {
    if (parent.type !== 'dir') return { changed: false, failed: `directory ${parentOf(p.path)} does not exist` };
    return withAttrs([ln], `linked to ${src}`);
  }
  if (have.type === 'link') return withAttrs([`ln -sfn -- ${quote(src)} ${path}`], `relinked ${have.target} → ${src}`);
  if (!p.force) return { changed: false, failed: `refusing to replace the ${have.type} at ${p.path} with a symlink (set force: true)` };
  const clear = have.type === 'dir' ? `rmdir -- ${path}` : `rm -f -- ${path}`;
  return withAttrs([clear, ln], `replaced ${have.type} with link to ${src}`);
}

async function planHard(p: FileArgs, probe: Probe, have: FileStat, parent: FileStat): Promise<Plan> {
  const src = p.src!;
  const r = await probe.run(
    `stat -c '%d:%i' -- ${quote(src)} 2>/dev/null || echo missing; stat -c '%d:%i' -- ${quote(p.path)} 2>/dev/null || echo missing`,
  );
  const [s, d] = r.stdout.trim().split('\n');
  if (s === 'missing') return { changed: false, failed: `src ${src} does not exist` };
  const own = attrFix(p.path, p, have.type === 'absent' ? { type: 'file' } : have);
  if (s === d) return done(exec(own.cmds), own.changes, p.path, `already a hard link to ${src}`);
  if (have.type === 'absent') {
    if (parent.type !== 'dir') return { changed: false, failed: `directory ${parentOf(p.path)} does not exist` };
    return done(exec([cmd('ln', '--', src, p.path), ...attrFix(p.path, p, { type: 'file' }).cmds]), [`hard linked to ${src}`], p.path, '');
  }
  if (!p.force && have.type !== 'link')
    return { changed: false, failed: `Cannot link: ${p.path} exists and is not a hard link to ${src} (set force: true)` };
  if (have.type === 'dir') return { changed: false, failed: `${p.path} is a directory` };
  return done(exec([cmd('ln', '-f', '--', src, p.path), ...attrFix(p.path, p, { type: 'file' }).cmds]), [`relinked to ${src}`], p.path, '');
}

// recurse: entries under the directory whose mode/owner/group differ (find prints the first one), fixed with -R.
async function planTree(p: FileArgs, probe: Probe): Promise<{ cmds: string[]; changes: string[] }> {
  const tests: string[] = [];
  if (p.mode !== undefined) tests.push(`! -perm ${quote(p.mode)}`);
  if (p.owner !== undefined) tests.push(`! -user ${quote(p.owner)}`);
  if (p.group !== undefined) tests.push(`! -group ${quote(p.group)}`);
  if (!tests.length) return { cmds: [], changes: [] };
  const q = quote(p.path);
  const r = await probe.run(`find ${q} -mindepth 1 ! -type l \\( ${tests.join(' -o ')} \\) -print -quit 2>&1`);
  if (!r.stdout.trim()) return { cmds: [], changes: [] };
  const cmds: string[] = [];
  if (p.mode !== undefined) cmds.push(`chmod -R ${quote(p.mode)} ${q}`);
  const who = p.owner !== undefined ? `${p.owner}${p.group !== undefined ? `:${p.group}` : ''}` : undefined;
  if (who !== undefined) cmds.push(`chown -R -h ${quote(who)} ${q}`);
  else if (p.group !== undefined) cmds.push(`chgrp -R -h ${quote(p.group)} ${q}`);
  return { cmds, changes: ['tree attributes fixed'] };
}

// modification_time / access_time: now always touches (as Ansible); a stamp only when the time differs.
async function planTimes(p: FileArgs, probe: Probe, exists: boolean): Promise<{ cmds: string[]; changes: string[] }> {
  const cmds: string[] = [];
  const changes: string[] = [];
  const want = [['-m', p.modification_time, '%Y'] as const, ['-a', p.access_time, '%X'] as const].filter(
    ([, v]) => v !== undefined && v !== 'preserve',
  );
  if (!want.length) return { cmds, changes };
  let now: string[] = [];
  if (exists && want.some(([, v]) => v !== 'now')) now = (await probe.run(`stat -c '%Y %X' -- ${quote(p.path)}`)).stdout.trim().split(' ');
  for (const [flag, v, field] of want) {
    const noDeref = p.state === 'link' ? ' -h' : '';
    if (v === 'now') {
      cmds.push(`touch${noDeref} ${flag} -- ${quote(p.path)}`);
      changes.push(`${flag === '-m' ? 'mtime' : 'atime'} now`);
      continue;
    }
    const secs = stampSeconds(v!);
    if (exists && Number(now[field === '%Y' ? 0 : 1]) === secs) continue;
    cmds.push(`touch${noDeref} ${flag} -t ${quote(v!)} -- ${quote(p.path)}`);
    changes.push(`${flag === '-m' ? 'mtime' : 'atime'} ${v}`);
  }
  return { cmds, changes };
}

// YYYYMMDDhhmm.SS in the controller's local time, as touch -t reads it on a host in the same zone.
function stampSeconds(v: string): number {
  const n = (a: number, b: number) => Number(v.slice(a, b));
  return new Date(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(13, 15)).getTime() / 1000;
}

/** Ansible's file; touch is only a change when it creates or fixes attributes. */
export const file = defineModule({
  name: 'file',
  doc: 'Brings a path to a state (file, directory, link, touched, absent) with the wanted mode and ownership.',
  example: 'file: {path: /etc/docker, state: directory, mode: "0755"}',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'], description: 'the path on the host' },
    state: {
      choices: STATES,
      description:
        "file: must exist; directory: created with parents; link: a symlink to src; touch: created if absent; absent: removed. Unset: the path's current state (directory where recurse and it is absent, else file), as Ansible",
    },
    src: { type: 'path', description: 'the link target (state=link only)' },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0755" (quote it in YAML)' },
    owner: { description: 'user that owns the path' },
    group: { description: 'group that owns the path' },
    force: { type: 'bool', default: false, description: 'state=link/hard: replace a file or empty directory at path' },
    follow: { type: 'bool', default: true, description: "true (the default) sets attributes on a link's target; false is refused" },
    recurse: { type: 'bool', default: false, description: 'state=directory: apply mode/owner/group to everything under path too' },
    modification_time: { description: 'preserve (default), now, or a time as YYYYMMDDhhmm.SS' },
    modification_time_format: { default: TIME_FORMAT, choices: [TIME_FORMAT], description: 'only the default format is read' },
    access_time: { description: 'preserve (default), now, or a time as YYYYMMDDhhmm.SS' },
    access_time_format: { default: TIME_FORMAT, choices: [TIME_FORMAT], description: 'only the default format is read' },
    ...SELINUX_ARGS,
  },
  required_if: [
    ['state', 'link', ['src'], true],
    ['state', 'hard', ['src'], true],
  ],
  build(v, a): FileArgs {
    if (v.follow === false && !isTemplated(v.follow))
      fail(a, 'follow: false is not supported', 'runbook sets mode and owner on what a link points to; drop follow: false');
    const p: FileArgs = {
      path: v.path,
      state: v.state as FileArgs['state'],
      src: v.src,
      force: v.force,
      ...attrsOf(v),
      recurse: v.recurse,
      modification_time: v.modification_time,
      access_time: v.access_time,
    };
    if (p.src !== undefined && p.state !== 'link' && p.state !== 'hard' && !isTemplated(p.state))
      fail(a, 'src is only used with state=link or state=hard');
    if (p.recurse && p.state !== undefined && p.state !== 'directory' && !isTemplated(v.state))
      fail(a, "recurse option requires state to be 'directory'");
    for (const k of ['modification_time', 'access_time'] as const) {
      const t = p[k];
      if (t !== undefined && !isTemplated(t) && t !== 'now' && t !== 'preserve' && !STAMP.test(t))
        fail(a, `${k} must be preserve, now or a time as YYYYMMDDhhmm.SS, got ${JSON.stringify(t)}`);
    }
    return p;
  },
  merge: (batches) => mergeFileSteps(batches as FileBatch[]),
  // Links are left out of merged loops: `ln` without -f fails when an item by item retry meets its own link.
  plan: async (p, probe, ctx) => {
    const refused = p.state === 'absent' ? undefined : await selinuxGuard(p, probe, ctx);
    if (refused) return refused;
    return p.state === 'link' || p.state === 'hard' ? planFile(p, probe) : withFileBatch(await planFile(p, probe), [p.path]);
  },
});

async function planFile(given: FileArgs, probe: Probe): Promise<Plan> {
  const { plan, p } = await planState(given, probe);
  if (plan.failed || p.state === 'absent') return plan;
  const extra = { cmds: [] as string[], changes: [] as string[] };
  if (p.recurse && p.state === 'directory') {
    const tree = await planTree(p, probe);
    extra.cmds.push(...tree.cmds);
    extra.changes.push(...tree.changes);
  }
  const times = await planTimes(p, probe, !/^(created|linked|hard linked)/.test(plan.note ?? ''));
  extra.cmds.push(...times.cmds);
  extra.changes.push(...times.changes);
  if (!extra.cmds.length) return plan;
  const steps = [...(plan.steps ?? []), ...exec(extra.cmds)];
  return { ...plan, changed: true, steps, note: [plan.changed ? plan.note : '', ...extra.changes].filter(Boolean).join(', ') };
}

// `if [ ! -d A ]; then mkdir A && chmod …; fi` for each ancestor of the path, outermost first (which exist is known only on the host).
function missingParents(p: FileArgs): string[] {
  const parts = p.path.split('/').filter(Boolean).slice(0, -1);
  return parts.map((_, i) => {
    const dir = `/${parts.slice(0, i + 1).join('/')}`;
    const q = quote(dir);
    return `if [ ! -d ${q} ]; then mkdir -- ${q} && ${attrFix(dir, p, { type: 'dir' }).cmds.join(' && ')}; fi`;
  });
}

/** The plan for the path's state, and the args with the state settled (Ansible's default when none is given). */
async function planState(given: FileArgs, probe: Probe): Promise<{ plan: Plan; p: FileArgs }> {
  const follow = given.state !== 'link' && given.state !== 'absent' && given.state !== 'hard';
  const [have, parent] = await statPaths(probe, [given.path, parentOf(given.path)], { follow });
  // no state: the path's current one (directory where recurse and it is absent), else file
  const p: FileArgs =
    given.state !== undefined
      ? given
      : { ...given, state: have.type === 'dir' || (have.type === 'absent' && given.recurse) ? 'directory' : 'file' };
  if (p.recurse && p.state !== 'directory')
    return { plan: { changed: false, failed: "recurse option requires state to be 'directory'" }, p };
  return { plan: await planFor(p, probe, have, parent), p };
}

async function planFor(p: FileArgs, probe: Probe, have: FileStat, parent: FileStat): Promise<Plan> {
  const q = quote(p.path);
  switch (p.state) {
    case 'absent':
      if (have.type === 'absent') return done([], [], p.path, 'already absent');
      return done(exec([`rm -rf -- ${q}`]), [`removed ${have.type}`], p.path, '');
    case 'directory': {
      if (have.type === 'absent') {
        const fix = attrFix(p.path, p, { type: 'dir' });
        // As Ansible's file module: every directory it creates on the way gets the mode and owner, not just the last.
        const made = parent.type === 'absent' && fix.cmds.length && p.path.startsWith('/') ? missingParents(p) : [];
        return done(exec([...made, `mkdir -p -- ${q}`, ...fix.cmds]), ['created directory'], p.path, '');
      }
      if (have.type !== 'dir') return { changed: false, failed: `${p.path} exists and is a ${have.type}, not a directory` };
      return attrsOnly(p, have, 'directory present');
    }
    case 'file':
      if (have.type === 'absent')
        return { changed: false, failed: `file ${p.path} is absent, cannot continue (state=file does not create files; use touch)` };
      if (have.type === 'dir') return { changed: false, failed: `${p.path} is a directory, cannot continue` };
      return attrsOnly(p, have, 'file present');
    case 'touch': {
      // Honest touch: an existing path with the right attributes is reported unchanged and its times are left alone.
      if (have.type !== 'absent') return attrsOnly(p, have, 'exists');
      if (parent.type !== 'dir') return { changed: false, failed: `directory ${parentOf(p.path)} does not exist` };
      const fix = attrFix(p.path, p, { type: 'file' });
      return done(exec([`touch -- ${q}`, ...fix.cmds]), ['created'], p.path, '');
    }
    case 'link': {
      // what the link will point to, for its mode and owner (a relative src is relative to the link's folder)
      const wanted = p.mode !== undefined || p.owner !== undefined || p.group !== undefined;
      const to = p.src!.startsWith('/') ? p.src! : posix.join(parentOf(p.path), p.src!);
      const [target] = wanted ? await statPaths(probe, [to], { follow: true }) : [{ type: 'absent' } as FileStat];
      return planLink(p, have, parent, target);
    }
    case 'hard':
      return planHard(p, probe, have, parent);
    default:
      return { changed: false, failed: `unknown state ${JSON.stringify(p.state)}` };
  }
}
