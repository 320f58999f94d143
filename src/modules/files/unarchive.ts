// Ansible's unarchive: a tar (any compression GNU tar reads) or zip archive unpacked into a directory on the host,
// skipped when `creates` exists or when every member is already there with the same type, size (and tar mtime).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { cmd, quote } from '../../remote/quote.js';
import { fail, isTemplated, mode } from '../args.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan, type Step } from '../types.js';

export interface UnarchiveArgs {
  src: string;
  dest: string;
  remote_src: boolean;
  creates?: string;
  extra_opts: string[];
  exclude: string[];
  list_files: boolean;
  owner?: string;
  group?: string;
  /** Octal ("0755"), applied to every unpacked member as Ansible does. */
  mode?: string;
}

export type Kind = 'tar' | 'zip';

/** One archive member as its listing shows it. */
export interface Member {
  name: string;
  type: 'file' | 'dir' | 'link' | 'other';
  size: number;
  /** Seconds since the epoch (tar only: zip listings carry local times without a zone). */
  mtime?: number;
}

// tar -tv --full-time --numeric-owner under TZ=UTC: "-rw-r--r-- 0/0 5 2024-01-01 12:00:00 name".
const TAR_LINE = /^(\S)\S{9}\S*\s+\S+\s+(\d+|\d+,\s*\d+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s(.*)$/;
// unzip -Z -T: "-rw-r--r--  3.0 unx  6 tx stor 20261130.140814 name".
const ZIP_LINE = /^(\S)\S{9}\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\d{8}\.\d{6}\s(.*)$/;

const typeOf = (c: string): Member['type'] => (c === '-' || c === 'h' ? 'file' : c === 'd' ? 'dir' : c === 'l' ? 'link' : 'other');

/** A member name as it lands under dest: "./" and trailing "/" dropped; "." and "" are dest itself. */
const clean = (n: string) => n.replace(/^(\.\/)+/, '').replace(/\/+$/, '');

export function parseListing(kind: Kind, text: string): Member[] {
  const out: Member[] = [];
  for (const line of text.split('\n')) {
    if (kind === 'tar') {
      const m = TAR_LINE.exec(line);
      if (!m) continue;
      let name = m[4];
      if (m[1] === 'l') name = name.replace(/ -> .*$/, '');
      if (m[1] === 'h') name = name.replace(/ link to .*$/, '');
      const n = clean(name);
      if (n === '' || n === '.') continue;
      out.push({
        name: n,
        type: typeOf(m[1]),
        size: m[1] === '-' ? Number(m[2]) : 0,
        mtime: Date.parse(`${m[3].replace(' ', 'T')}Z`) / 1000,
      });
    } else {
      const m = ZIP_LINE.exec(line);
      if (!m) continue;
      const n = clean(m[3]);
      if (n === '' || n === '.') continue;
      out.push({ name: n, type: typeOf(m[1]), size: m[1] === '-' ? Number(m[2]) : 0 });
    }
  }
  return out;
}

export const listCmd = (kind: Kind, path: string): string =>
  kind === 'tar' ? `TZ=UTC ${cmd('tar', '-tv', '--full-time', '--numeric-owner', '-f', path)}` : `TZ=UTC ${cmd('unzip', '-Z', '-T', path)}`;

/** zip by its "PK\3\4" (or empty-archive "PK\5\6") magic, everything else is left to tar. */
export const kindOf = (head: Buffer): Kind => (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) ? 'zip' : 'tar');

// On the controller: the archive listed with the controller's tar/unzip.
function listLocal(kind: Kind, content: Buffer): { text: string; error?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-unarchive-'));
  try {
    const file = join(dir, 'archive');
    writeFileSync(file, content);
    const r = spawnSync('sh', ['-c', listCmd(kind, file)], { encoding: 'utf8' });
    if (r.status !== 0) return { text: '', error: (r.stderr || r.error?.message || `exit ${r.status}`).trim() };
    return { text: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What dest holds for the archive's top-level names: "type size mtime user group path" records. */
export function destProbe(dest: string, members: Member[]): string {
  const tops = [...new Set(members.map((m) => m.name.split('/')[0]))];
  if (!tops.length) return 'true';
  const paths = tops.map((t) => `./${t}`);
  return `cd ${quote(dest)} && { find ${paths.map(quote).join(' ')} -printf ${quote('%y\\t%s\\t%T@\\t%u\\t%g\\t%U\\t%G\\t%m\\t%p\\0')} 2>/dev/null; true; }`;
}

interface Have {
  type: string;
  size: number;
  mtime: number;
  user: string;
  group: string;
  uid: string;
  gid: string;
  /** Permission bits in octal, as find's %m prints them ("644"). */
  mode: string;
}

export function parseDest(out: string): Map<string, Have> {
  const map = new Map<string, Have>();
  for (const rec of out.split('\0')) {
    const f = rec.split('\t');
    if (f.length < 9) continue;
    const [y, size, mtime, user, group, uid, gid, m] = f;
    map.set(clean(f.slice(8).join('\t')), { type: y, size: Number(size), mtime: Number(mtime), user, group, uid, gid, mode: m });
  }
  return map;
}

const FIND_TYPE: Record<Member['type'], string> = { file: 'f', dir: 'd', link: 'l', other: '?' };

/** The first member that differs from what dest holds, as a reason; undefined when all match. */
export function firstDifference(
  members: Member[],
  have: Map<string, Have>,
  p: Pick<UnarchiveArgs, 'owner' | 'group' | 'exclude' | 'mode'>,
): string | undefined {
  for (const m of members) {
    if (p.exclude.some((x) => m.name === clean(x) || m.name.startsWith(`${clean(x)}/`))) continue;
    const h = have.get(m.name);
    if (!h) return `${m.name} does not exist`;
    if (m.type !== 'other' && h.type !== FIND_TYPE[m.type]) return `${m.name} is not a ${m.type}`;
    if (m.type === 'file' && h.size !== m.size) return `${m.name}: size differs`;
    if (m.type === 'file' && m.mtime !== undefined && Math.floor(h.mtime) !== Math.floor(m.mtime)) return `${m.name}: mod time differs`;
    if (p.owner !== undefined && p.owner !== h.user && p.owner !== h.uid) return `${m.name}: owner differs`;
    if (p.group !== undefined && p.group !== h.group && p.group !== h.gid) return `${m.name}: group differs`;
    if (p.mode !== undefined && m.type !== 'link' && Number.parseInt(h.mode, 8) !== Number.parseInt(p.mode, 8))
      return `${m.name}: mode differs`;
  }
  return undefined;
}

export function extractCmd(kind: Kind, archive: string, p: UnarchiveArgs): string {
  if (kind === 'tar') return cmd('tar', '-x', '-f', archive, '-C', p.dest, ...p.exclude.map((x) => `--exclude=${x}`), ...p.extra_opts);
  return cmd('unzip', '-o', archive, ...p.extra_opts, '-d', p.dest, ...(p.exclude.length ? ['-x', ...p.exclude] : []));
}

export const unarchive = defineModule({
  name: 'unarchive',
  doc: 'Unpacks a tar (gz/bz2/xz…) or zip archive from the controller (or the host: remote_src) into a directory; skipped when its members are already there.',
  example: 'unarchive: {src: app.tar.gz, dest: /opt/app, creates: /opt/app/bin}',
  args: {
    src: {
      type: 'path',
      required: true,
      description: 'the archive: on the controller (relative to the playbook or files/), or on the host with remote_src',
    },
    dest: { type: 'path', required: true, description: 'existing directory on the host to unpack into' },
    remote_src: { type: 'bool', default: false, description: 'src is already on the host' },
    copy: { type: 'bool', description: "Ansible's older spelling: copy: no is remote_src: yes" },
    creates: { type: 'path', description: 'skip when this path exists on the host' },
    extra_opts: { type: 'list', default: [], description: 'more options for tar / unzip, one per item' },
    exclude: { type: 'list', default: [], description: 'member paths not to unpack (and not to compare)' },
    list_files: { type: 'bool', default: false, description: 'return the member names in files' },
    owner: { description: 'user that owns the unpacked members' },
    group: { description: 'group that owns the unpacked members' },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0755" for every unpacked member (as Ansible applies it)' },
  },
  build(v, a): UnarchiveArgs {
    if (!isTemplated(v.src) && /^[a-z][a-z0-9+.-]*:\/\//i.test(v.src))
      fail(a, 'downloading src from a URL is not supported', 'fetch it with get_url first, then unarchive with remote_src: true');
    if (v.copy !== undefined && v.remote_src && v.copy)
      fail(a, 'copy: yes and remote_src: yes say opposite things', 'keep remote_src only');
    const { copy, ...rest } = v;
    return { ...rest, remote_src: v.remote_src || copy === false };
  },
  async plan(p, probe, ctx): Promise<Plan> {
    const q = quote(p.dest);
    const parts = [`if [ -d ${q} ]; then ${section('dest', 'true')}; fi`];
    if (p.creates) parts.push(`if [ -e ${quote(p.creates)} ]; then ${section('creates', 'true')}; fi`);
    if (p.remote_src) {
      const s = quote(p.src);
      parts.push(`if [ -f ${s} ]; then ${section('magic', `head -c 4 -- ${s} | od -An -tx1`)}; fi`);
    }
    const r1 = sections((await probe.run(parts.join('; '))).stdout);
    if (p.creates && r1.creates !== undefined) return { changed: false, skipped: `skipped, since ${p.creates} exists` };
    if (r1.dest === undefined) return { changed: false, failed: `Destination '${p.dest}' is not a directory` };
    let kind: Kind;
    let listing: string;
    let local: Buffer | undefined;
    if (p.remote_src) {
      if (r1.magic === undefined) return { changed: false, failed: `Source '${p.src}' does not exist` };
      kind = kindOf(
        Buffer.from(
          r1.magic
            .trim()
            .split(/\s+/)
            .map((h) => Number.parseInt(h, 16)),
        ),
      );
      const r = await probe.run(listCmd(kind, p.src));
      if (r.code !== 0) return { changed: false, failed: `Failed to find handler for "${p.src}": ${r.stderr.trim() || `exit ${r.code}`}` };
      listing = r.stdout;
    } else {
      local = ctx.readLocal(p.src);
      kind = kindOf(local);
      const l = listLocal(kind, local);
      if (l.error !== undefined) return { changed: false, failed: `Failed to find handler for "${p.src}": ${l.error}` };
      listing = l.text;
    }
    const members = parseListing(kind, listing);
    const have = parseDest((await probe.run(destProbe(p.dest, members))).stdout);
    const why = firstDifference(members, have, p);
    const result: Record<string, unknown> = { dest: p.dest, src: p.src, handler: kind === 'tar' ? 'TgzArchive' : 'ZipArchive' };
    if (p.list_files) result.files = members.map((m) => (m.type === 'dir' ? `${m.name}/` : m.name));
    if (!why) return { changed: false, note: `${members.length} members already unpacked`, result };
    const steps: Step[] = [];
    let archive = p.src;
    if (local) {
      archive = `/tmp/.runbook-unarchive-${randomBytes(6).toString('hex')}${kind === 'zip' ? '.zip' : ''}`;
      steps.push({ kind: 'upload', dest: archive, content: local, mode: '0600' });
    }
    let run = extractCmd(kind, archive, p);
    const tops = [...new Set(members.map((m) => m.name.split('/')[0]))].map((t) => posix.join(p.dest, t));
    if ((p.owner !== undefined || p.group !== undefined) && tops.length)
      run += ` && ${cmd('chown', '-R', `${p.owner ?? ''}${p.group !== undefined ? `:${p.group}` : ''}`, '--', ...tops)}`;
    if (p.mode !== undefined && tops.length) run += ` && ${cmd('chmod', '-R', p.mode, '--', ...tops)}`;
    steps.push({ kind: 'exec', cmd: local ? `{ ${run}; }; r=$?; rm -f -- ${quote(archive)}; exit $r` : run });
    return { changed: true, steps, note: `unpacked (${why})`, result };
  },
});
