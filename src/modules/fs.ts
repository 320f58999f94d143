// File facts in one round trip and the write/chmod decisions shared by copy, template, file and lineinfile.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { TaskError } from '../errors.js';
import { quote } from '../remote/quote.js';
import type { FileDiff, Plan, Probe, Step, TaskContext } from './types.js';

/** What one line of the stat probe says about a path. */
export interface FileStat {
  type: 'file' | 'dir' | 'link' | 'other' | 'absent';
  /** 4-digit octal, e.g. "0644" */
  mode?: string;
  owner?: string;
  group?: string;
  uid?: string;
  gid?: string;
  size?: number;
  sha256?: string;
  /** symlink target (only when not following links) */
  target?: string;
}

/** copy/lineinfile write through links; file must see the link itself. */
export interface StatOpts {
  /** Report what a symlink points to instead of the link itself. */
  follow?: boolean;
  /** Add the sha256 of regular files. */
  hash?: boolean;
}

const FMT = quote('%a %U %G %u %g %s');

// One shell line per path, printing one line: "absent", "other", "link <target>", "dir <attrs>" or "file <attrs> <sha>".
export function statScript(path: string, o: StatOpts = {}): string {
  const p = quote(path);
  const attrs = `"$(stat -L -c ${FMT} -- ${p})"`;
  // sha256sum prints "<digest>  -"; parseStat keeps the digest (one process fewer than piping it through cut).
  const sha = o.hash ? ` "$(sha256sum < ${p})"` : '';
  const tests = [
    ...(o.follow ? [] : [`[ -L ${p} ]; then printf 'link %s\\n' "$(readlink -- ${p})"`]),
    `[ -f ${p} ]; then printf 'file %s${o.hash ? ' %s' : ''}\\n' ${attrs}${sha}`,
    `[ -d ${p} ]; then printf 'dir %s\\n' ${attrs}`,
    `[ -e ${p} ]; then echo other`,
  ];
  return `if ${tests.join('; elif ')}; else echo absent; fi`;
}

// Inverse of statScript; anything else means the probe is not talking to GNU coreutils.
export function parseStat(line: string): FileStat {
  const [type, ...rest] = line.trim().split(' ');
  if (type === 'link') return { type, target: line.trim().slice(5) };
  if (type === 'absent' || type === 'other') return { type };
  if (type !== 'file' && type !== 'dir') throw new TaskError(`unexpected stat output: ${line}`);
  const [mode, owner, group, uid, gid, size, sha256] = rest;
  return { type, mode: mode.padStart(4, '0'), owner, group, uid, gid, size: Number(size), sha256 };
}

// Stats several paths with a single probe command.
export async function statPaths(probe: Probe, paths: string[], o: StatOpts = {}): Promise<FileStat[]> {
  const r = await probe.run(paths.map((p) => statScript(p, o)).join('; '));
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  if (r.code !== 0 || lines.length !== paths.length)
    throw new TaskError(`could not inspect ${paths.join(', ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return lines.map(parseStat);
}

// A trailing slash must not make a path its own parent.
export const parentOf = (path: string): string => posix.dirname(path.replace(/\/+$/, '') || '/');

// The same digest the remote `sha256sum` prints, so content is compared without transferring it.
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Wanted attributes; undefined means "leave as is". */
export interface Attrs {
  mode?: string;
  owner?: string;
  group?: string;
}

const matches = (want: string | undefined, name?: string, id?: string) => want === undefined || want === name || want === id;

// chmod/chown commands that bring an existing path to the wanted attributes; empty when it already matches.
export function attrFix(path: string, want: Attrs, have: FileStat, noDeref = false): { cmds: string[]; changes: string[] } {
  const cmds: string[] = [];
  const changes: string[] = [];
  const p = quote(path);
  if (want.mode !== undefined && want.mode !== have.mode) {
    cmds.push(`chmod ${quote(want.mode)} ${p}`);
    changes.push(`mode ${have.mode ?? '?'} → ${want.mode}`);
  }
  const o = matches(want.owner, have.owner, have.uid) ? undefined : want.owner;
  const g = matches(want.group, have.group, have.gid) ? undefined : want.group;
  const h = noDeref ? '-h ' : '';
  if (o !== undefined) cmds.push(`chown ${h}${quote(g === undefined ? o : `${o}:${g}`)} ${p}`);
  else if (g !== undefined) cmds.push(`chgrp ${h}${quote(g)} ${p}`);
  if (o !== undefined) changes.push(`owner ${have.owner ?? '?'} → ${o}`);
  if (g !== undefined) changes.push(`group ${have.group ?? '?'} → ${g}`);
  return { cmds, changes };
}

// Files this big or bigger are not read back just to show a diff.
export const LARGE = 256 * 1024;
export const OPAQUE = '(binary or large file)';

// Diffs show text only: a NUL byte or 256 KiB and up makes a file opaque.
export function diffText(b: Buffer): string {
  return b.length >= LARGE || b.subarray(0, 8192).includes(0) ? OPAQUE : b.toString('utf8');
}

/** Everything planWrite needs to decide between nothing, chmod/chown and an upload. */
export interface WriteSpec extends Attrs {
  dest: string;
  content: Buffer;
  backup?: boolean;
  /** false: leave an existing file alone even if it differs */
  force?: boolean;
  /** Old content when the caller already read it. */
  old?: Buffer | null;
}

/**
 * Plan to make `dest` (already stat'ed, following links, with hash) hold `content`. The upload step carries
 * the complete final mode/owner/group, existing ones kept where not given, because the atomic rename
 * replaces the inode.
 */
export async function planWrite(w: WriteSpec, have: FileStat, probe: Probe, ctx: TaskContext): Promise<Plan> {
  const checksum = sha256(w.content);
  const result = { dest: w.dest, checksum };
  if (have.type === 'dir') return { changed: false, failed: `${w.dest} is a directory`, result };
  if (have.type === 'other' || have.type === 'link')
    return { changed: false, failed: `${w.dest} exists and is not a regular file`, result };
  if (have.type === 'file' && have.sha256 === checksum) {
    const fix = attrFix(w.dest, w, have);
    if (!fix.cmds.length) return { changed: false, note: 'up to date', result };
    const step: Step = { kind: 'exec', cmd: fix.cmds.join(' && ') };
    return { changed: true, steps: [step], note: fix.changes.join(', '), result };
  }
  if (have.type === 'file' && w.force === false) return { changed: false, note: 'differs, left alone (force: false)', result };
  const step: Step = { kind: 'upload', dest: w.dest, content: w.content };
  const mode = w.mode ?? have.mode;
  const owner = w.owner ?? keep(have.owner, have.uid);
  const group = w.group ?? keep(have.group, have.gid);
  if (mode) step.mode = mode;
  if (owner) step.owner = owner;
  if (group) step.group = group;
  if (w.backup && have.type === 'file') step.backup = true;
  const plan: Plan = { changed: true, steps: [step], note: have.type === 'absent' ? 'created' : 'content changed', result };
  if (ctx.diff) plan.diff = [await fileDiff(w, have, probe)];
  return plan;
}

const keep = (name?: string, id?: string) => (name && name !== 'UNKNOWN' ? name : id);

async function fileDiff(w: WriteSpec, have: FileStat, probe: Probe): Promise<FileDiff> {
  let before = '';
  if (have.type === 'file') {
    if ((have.size ?? 0) >= LARGE) before = OPAQUE;
    else {
      const old = w.old !== undefined ? w.old : await probe.readFile(w.dest);
      before = old ? diffText(old) : '';
    }
  }
  return { path: w.dest, before, after: diffText(w.content) };
}

/** A write into a missing directory fails; under --check an earlier task that would create it did not run, so predict. */
export function missingDirPlan(
  dest: string,
  content: Buffer,
  ctx: TaskContext,
  what = `destination directory ${parentOf(dest)} does not exist`,
  missing = parentOf(dest),
): Plan {
  if (ctx.check)
    return {
      changed: true,
      note: `would create ${dest} once ${missing} exists`,
      diff: [{ path: dest, before: '', after: content.toString('utf8') }],
    };
  return { changed: false, failed: what };
}
