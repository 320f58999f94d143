// File facts in one round trip and the write/chmod decisions shared by copy, template, file and lineinfile.
import { existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { TaskError } from '../errors.js';
import { quote } from '../remote/quote.js';
import type { ExecResult, FileDiff, Plan, Probe, Step, TaskContext } from './types.js';

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

// Each line ends in "/", which no attribute holds (user and group names cannot), so builtins can split them.
const FMT = quote('%a %U %G %u %g %s/');

/** One path to stat, with how: several statPaths calls can share one script (see mergeStats). */
export interface StatEntry extends StatOpts {
  path: string;
}

/**
 * One shell line per path, printing one line each: "absent", "other", "link <target>", "dir <attrs>" or
 * "file <attrs> <sha>". The attributes of all the paths come from one `stat` (one process, not one per path), run
 * only when one of them exists; its lines, one per existing path and in order, are handed out by builtins as the
 * paths' tests find them. Paths with spaces or newlines are quoted arguments.
 */
export function statScript(paths: string | string[], o: StatOpts = {}): string {
  return entriesScript((Array.isArray(paths) ? paths : [paths]).map((path) => ({ path, ...o })));
}

/**
 * sharedHash: the files to checksum are collected as the tests find them and hashed by one `sha256sum` after the
 * paths' lines (a "@@sha256" line, then sha256sum's own "<digest>  <name>" lines, read by parseStats), instead of one
 * sha256sum per file inline.
 */
function entriesScript(entries: StatEntry[], sharedHash = false): string {
  const ps = entries.map((e) => quote(e.path));
  // stat -L answers exactly the paths `[ -e ]` finds (both follow links), so the two agree on which line is whose.
  const load = `if ${ps.map((p) => `[ -e ${p} ]`).join(' || ')}; then rb_s=$(stat -L -c ${FMT} -- ${ps.join(' ')} 2>/dev/null); fi`;
  const hashing = sharedHash && entries.some((e) => e.hash);
  const lines = entries.map((e, i) => pathLine(ps[i], e, hashing));
  // An unreadable file has no digest line (and sha256sum says why on stderr): its stat comes without a hash.
  if (hashing) return [load, 'set --', ...lines, 'if [ $# -gt 0 ]; then echo @@sha256; sha256sum -- "$@" || :; fi'].join('; ');
  return [load, ...lines].join('; ');
}

// Takes the next attribute line (rb_a) off rb_s without a fork: up to its "/", then that and the newline after it.
// biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
const NEXT = 'rb_a=${rb_s%%/*}; rb_s=${rb_s#*/}; rb_s=${rb_s#?}';

function pathLine(p: string, o: StatOpts, collect = false): string {
  // sha256sum prints "<digest>  -"; parseStat keeps the digest. A file it cannot read still ends its line.
  const file = !o.hash
    ? `printf 'file %s\\n' "$rb_a"`
    : collect
      ? `printf 'file %s\\n' "$rb_a"; set -- "$@" ${p}`
      : `printf 'file %s ' "$rb_a"; sha256sum < ${p} || echo`;
  const tests = [
    ...(o.follow ? [] : [`[ -L ${p} ]; then if [ -e ${p} ]; then ${NEXT}; fi; printf 'link '; readlink -- ${p} || echo`]),
    `[ -f ${p} ]; then ${NEXT}; ${file}`,
    `[ -d ${p} ]; then ${NEXT}; printf 'dir %s\\n' "$rb_a"`,
    `[ -e ${p} ]; then ${NEXT}; echo other`,
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

// Stats several paths with a single probe command (a batching probe shares it with the other stat calls of its batch).
export async function statPaths(probe: Probe, paths: string[], o: StatOpts = {}): Promise<FileStat[]> {
  if (probe.stat) return probe.stat(paths, o);
  return parseStats(
    await probe.run(
      entriesScript(
        paths.map((path) => ({ path, ...o })),
        true,
      ),
    ),
    paths,
  );
}

// One line per path, in order, then the digests if any; a short answer is an error naming the paths, never a guess.
function parseStats(r: ExecResult, paths: string[]): FileStat[] {
  const [own, sums] = r.stdout.split('\n@@sha256\n');
  const lines = own.split('\n').filter((l) => l.trim() !== '');
  if (r.code !== 0 || lines.length !== paths.length)
    throw new TaskError(`could not inspect ${paths.join(', ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
  const stats = lines.map(parseStat);
  if (sums === undefined) return stats;
  const digests = digestsOf(sums);
  return stats.map((st, i) => (st.type === 'file' && digests.has(paths[i]) ? { ...st, sha256: digests.get(paths[i]) } : st));
}

// sha256sum's lines: "<digest>  <name>"; a name with a backslash or newline is escaped and its line starts with "\".
function digestsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\\?)([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (!m) continue;
    const name = m[1] ? m[3].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c)) : m[3];
    out.set(name, m[2]);
  }
  return out;
}

/**
 * Several statPaths calls as one script: one line per distinct (path, follow), hashed when any call asks, so the
 * parent directory every file module stats is looked at once. `answer` gives each call its own stats, or throws.
 */
export function mergeStats(calls: Array<{ paths: string[]; o: StatOpts }>): {
  script: string;
  answer: (r: ExecResult) => FileStat[][];
} {
  // a path holds no NUL
  const key = (path: string, o: StatOpts) => `${o.follow ? 'f' : 'l'}\0${path}`;
  const entries = new Map<string, StatEntry>();
  for (const c of calls)
    for (const path of c.paths) {
      const e = entries.get(key(path, c.o)) ?? { path, follow: !!c.o.follow, hash: false };
      e.hash ||= !!c.o.hash;
      entries.set(key(path, c.o), e);
    }
  const list = [...entries.values()];
  const answer = (r: ExecResult) => {
    const all = parseStats(
      r,
      list.map((e) => e.path),
    );
    const at = new Map(list.map((e, i) => [key(e.path, e), all[i]]));
    // A call that did not ask for the hash gets none, as if it had run alone.
    const own = (st: FileStat, o: StatOpts) => (o.hash || st.sha256 === undefined ? st : { ...st, sha256: undefined });
    return calls.map((c) => c.paths.map((p) => own(at.get(key(p, c.o)) as FileStat, c.o)));
  };
  return { script: entriesScript(list, true), answer };
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
  /** The SELinux context arguments given (seuser, setype…): see selinuxGuard. */
  selinux?: string[];
}

const SE_KEYS = ['seuser', 'serole', 'setype', 'selevel'] as const;

/** Ansible's SELinux context arguments of the file modules. */
export const SELINUX_ARGS = Object.fromEntries(
  SE_KEYS.map((k) => [
    k,
    { description: `SELinux ${k.slice(2)}: ignored where SELinux is off, as in Ansible; on an SELinux host the task fails` },
  ]),
) as Record<(typeof SE_KEYS)[number], { description: string }>;

/** A parsed task's mode, owner and group, and which SELinux context arguments it gives. */
export function attrsOf(v: { mode?: string; owner?: string; group?: string } & Partial<Record<(typeof SE_KEYS)[number], unknown>>): Attrs {
  const a: Attrs = { mode: v.mode, owner: v.owner, group: v.group };
  const se = selinuxGiven(v);
  if (se) a.selinux = se;
  return a;
}

/** Which SELinux context arguments a task gives (undefined: none). */
export function selinuxGiven(v: Partial<Record<(typeof SE_KEYS)[number], unknown>>): string[] | undefined {
  const given = SE_KEYS.filter((k) => v[k] !== undefined && v[k] !== null);
  return given.length ? given : undefined;
}

/**
 * Ansible ignores the SELinux context arguments where SELinux is off (most Debian and Ubuntu hosts). runbook sets no
 * contexts, so on a host with SELinux on the task fails rather than leave a wrong label. The facts say which, when
 * gathered; else one test of /sys/fs/selinux in the probe round trip.
 */
export async function selinuxGuard(a: Attrs, probe: Probe, ctx: Pick<TaskContext, 'vars'>): Promise<Plan | undefined> {
  if (!a.selinux) return undefined;
  const status = (ctx.vars.ansible_selinux as { status?: unknown } | undefined)?.status;
  const on =
    status === 'enabled' || status === 'disabled'
      ? status === 'enabled'
      : (await probe.run('if [ -e /sys/fs/selinux/enforce ]; then echo on; else echo off; fi')).stdout.trim() === 'on';
  if (!on) return undefined;
  return {
    changed: false,
    failed: `${a.selinux.join(', ')}: this host has SELinux on, and runbook does not set SELinux contexts (chcon/semanage by a command task can)`,
  };
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
  if (mode) step.mode = mode;
  // An owner or group not asked for is the replaced file's: the upload keeps it (best effort, as Ansible's
  // atomic_move: a user who may not give a file away still writes it), and needs no chown where it is the user's own.
  if (w.owner) step.owner = w.owner;
  if (w.group) step.group = w.group;
  if (w.backup && have.type === 'file') step.backup = true;
  const plan: Plan = { changed: true, steps: [step], note: have.type === 'absent' ? 'created' : 'content changed', result };
  if (ctx.diff) plan.diff = [await fileDiff(w, have, probe)];
  return plan;
}

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

/** mode: preserve — the file lands with its source's own mode. */
export const PRESERVE = 'preserve';

/** A controller file's mode, as 4 octal digits. */
export const localMode = (path: string): string => (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');

/** The target with mode: preserve made the source's mode (undefined where the source cannot be found: left as is). */
export function preserved<T extends { mode?: string }>(t: T, sourcePath: string | undefined): T {
  if (t.mode !== PRESERVE) return t;
  return { ...t, mode: sourcePath && existsSync(sourcePath) ? localMode(sourcePath) : undefined };
}
