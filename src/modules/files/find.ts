// Ansible's find: `find -printf` lists the trees on the host in one round trip; the filters run here.

import { posix } from 'node:path';
import { pyRegex } from '../../jinja/filters-regex.js';
import { cmd, quote } from '../../remote/quote.js';
import { fail, isTemplated } from '../args.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan, type Probe } from '../types.js';
import { permissionBits } from './stat.js';

export interface FindArgs {
  paths: string[];
  patterns: string[];
  excludes: string[];
  contains?: string;
  read_whole_file: boolean;
  file_type: 'any' | 'directory' | 'file' | 'link';
  age?: number;
  age_stamp: 'atime' | 'ctime' | 'mtime';
  size?: number;
  recurse: boolean;
  hidden: boolean;
  follow: boolean;
  get_checksum: boolean;
  use_regex: boolean;
  depth?: number;
}

const AGE = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as Record<string, number>;
const SIZE = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 } as Record<string, number>;

function unit(v: string, re: RegExp, units: Record<string, number>): number | undefined {
  const m = re.exec(v.toLowerCase());
  return m ? Number(m[1]) * (units[m[2] ?? ''] ?? 1) : undefined;
}

/** Python's fnmatch.translate: *, ?, [seq], [!seq], the whole name. */
export function fnmatch(name: string, pat: string): boolean {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pat[j] === '!') j++;
      if (pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) re += '\\[';
      else {
        let stuff = pat.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (stuff.startsWith('!')) stuff = `^${stuff.slice(1)}`;
        else if (stuff.startsWith('^')) stuff = `\\${stuff}`;
        re += `[${stuff}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's').test(name);
}

/** pfilter(): patterns (glob, or Python regex matched at the start) and excludes on the base name. */
export function nameMatches(name: string, p: Pick<FindArgs, 'patterns' | 'excludes' | 'use_regex'>): boolean {
  const test = (pat: string) => (p.use_regex ? pyRegex(pat, { sticky: true }).test(name) : fnmatch(name, pat));
  if (!p.patterns.some(test)) return false;
  return !p.excludes.some(test);
}

// type, mode, uid, gid, user, group, size, inode, dev, nlink, atime, mtime, ctime, path — NUL-terminated.
const PRINTF = '%y\\t%m\\t%U\\t%G\\t%u\\t%g\\t%s\\t%i\\t%D\\t%n\\t%A@\\t%T@\\t%C@\\t%p\\0';
const TYPE: Record<string, string> = { d: 'isdir', c: 'ischr', b: 'isblk', f: 'isreg', p: 'isfifo', l: 'islnk', s: 'issock' };

export function findProbe(p: FindArgs): string {
  const parts = [section('now', 'date +%s')];
  p.paths.forEach((path, i) => {
    const q = quote(path);
    const max = p.recurse ? (p.depth ? ['-maxdepth', String(p.depth)] : []) : ['-maxdepth', '1'];
    const find = cmd('find', ...(p.follow ? ['-L'] : []), path, '-mindepth', '1', ...max, '-printf', PRINTF);
    // find's records end in NUL, not a newline: the echo ends the section's last line before the next marker.
    parts.push(`if [ -d ${q} ]; then ${section(`p${i}`, `${find}; echo`)}; else ${section(`skip${i}`, 'true')}; fi`);
  });
  return parts.join('; ');
}

export interface Entry extends Record<string, unknown> {
  path: string;
}

/** Entries of one path's -printf output, as Ansible's statinfo() dicts. */
export function parseEntries(out: string): Entry[] {
  const entries: Entry[] = [];
  for (const rec of out.split('\0')) {
    const r = rec.replace(/^\n/, '');
    if (!r) continue;
    const f = r.split('\t');
    if (f.length < 14) continue;
    const [type, m, uid, gid, user, group, size, inode, dev, nlink, atime, mtime, ctime] = f;
    const path = posix.normalize(f.slice(13).join('\t'));
    const perm = Number.parseInt(m, 8);
    const e: Entry = { path, mode: perm.toString(8).padStart(4, '0') };
    for (const [c, key] of Object.entries(TYPE)) e[key] = type === c;
    Object.assign(e, {
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      inode: Number(inode),
      dev: Number(dev),
      nlink: Number(nlink),
      atime: Number(atime),
      mtime: Number(mtime),
      ctime: Number(ctime),
      gr_name: group === String(gid) ? '' : group,
      pw_name: user === String(uid) ? '' : user,
      ...permissionBits(perm),
    });
    entries.push(e);
  }
  return entries;
}

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** The filters of find's main() except contains (which needs the files' content). */
export function select(entries: Entry[], p: FindArgs, now: number): Entry[] {
  const age = (e: Entry) => {
    if (p.age === undefined) return true;
    const d = now - (e[p.age_stamp] as number);
    return p.age >= 0 ? d >= Math.abs(p.age) : d <= Math.abs(p.age);
  };
  const size = (e: Entry) =>
    p.size === undefined || (p.size >= 0 ? (e.size as number) >= Math.abs(p.size) : (e.size as number) <= Math.abs(p.size));
  return entries.filter((e) => {
    if (base(e.path).startsWith('.') && !p.hidden) return false;
    if (!nameMatches(base(e.path), p) || !age(e)) return false;
    switch (p.file_type) {
      case 'any':
        return !e.isreg || size(e);
      case 'directory':
        return e.isdir === true;
      case 'file':
        return e.isreg === true && size(e);
      default:
        return e.islnk === true;
    }
  });
}

/** contentfilter(): a line matching at its start, or (read_whole_file) a search of the whole text. */
export function contains(text: string, pattern: string, whole: boolean): boolean {
  if (whole) return pyRegex(pattern).test(text);
  const re = pyRegex(pattern, { sticky: true });
  return (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).some((l) => {
    re.lastIndex = 0;
    return re.test(l);
  });
}

async function checksums(probe: Probe, files: Entry[]): Promise<void> {
  if (!files.length) return;
  const r = await probe.run(files.map((f) => `${section('f', `sha1sum < ${quote(f.path)} 2>/dev/null`)}`).join('; '));
  const sums = r.stdout.split(/^@@f$/m).slice(1);
  files.forEach((f, i) => {
    const s = sums[i]?.trim().split(/\s+/)[0];
    if (s) f.checksum = s;
  });
}

export const find = defineModule({
  name: 'find',
  doc: 'Lists files under directories on the host by name pattern, type, age, size or content; never a change.',
  example: 'find: {paths: /var/log, patterns: "*.log", age: 2d, recurse: true}',
  args: {
    paths: { type: 'list', elements: 'path', required: true, aliases: ['name', 'path'], description: 'directories to search' },
    patterns: { type: 'list', default: [], aliases: ['pattern'], description: 'globs (or Python regexes with use_regex) on the base name' },
    excludes: { type: 'list', aliases: ['exclude'], description: 'globs (or regexes) of base names to leave out' },
    contains: { description: 'Python regex a line of the file must match (from its start); file_type=file only' },
    read_whole_file: { type: 'bool', default: false, description: 'contains searches the whole file instead of each line' },
    file_type: { choices: ['any', 'directory', 'file', 'link'], default: 'file', description: 'what kind of entry to report' },
    age: { description: 'at least this old (-: at most), in s/m/h/d/w (e.g. 2d, -1h)' },
    age_stamp: { choices: ['atime', 'ctime', 'mtime'], default: 'mtime', description: 'which time age compares' },
    size: { description: 'at least this big (-: at most), in b/k/m/g/t (e.g. 10m)' },
    recurse: { type: 'bool', default: false, description: 'descend into subdirectories' },
    hidden: { type: 'bool', default: false, description: 'include names starting with a dot' },
    follow: { type: 'bool', default: false, description: 'follow symlinks while walking' },
    get_checksum: { type: 'bool', default: false, description: 'add the sha1 of each regular file' },
    use_regex: { type: 'bool', default: false, description: 'patterns and excludes are Python regexes, not globs' },
    depth: { type: 'int', description: 'with recurse: how many levels down' },
  },
  build(v, a): FindArgs {
    const age = v.age === undefined || isTemplated(v.age) ? undefined : unit(v.age, /^(-?\d+)(s|m|h|d|w)?$/, AGE);
    if (v.age !== undefined && !isTemplated(v.age) && age === undefined) fail(a, `failed to process age: ${v.age}`, 'e.g. 30m, 2d, -1w');
    const size = v.size === undefined || isTemplated(v.size) ? undefined : unit(v.size, /^(-?\d+)(b|k|m|g|t)?$/, SIZE);
    if (v.size !== undefined && !isTemplated(v.size) && size === undefined)
      fail(a, `failed to process size: ${v.size}`, 'e.g. 10k, 1g, -100b');
    const patterns = v.patterns.length ? v.patterns : [v.use_regex ? '.*' : '*'];
    if (v.use_regex)
      for (const x of [...patterns, ...(v.excludes ?? [])]) {
        if (isTemplated(x)) continue;
        try {
          pyRegex(x);
        } catch (e) {
          fail(a, `not a valid regular expression: ${(e as Error).message}`);
        }
      }
    return {
      ...v,
      patterns,
      excludes: v.excludes ?? [],
      age,
      size,
      file_type: v.file_type as FindArgs['file_type'],
      age_stamp: v.age_stamp as FindArgs['age_stamp'],
    };
  },
  async plan(p, probe): Promise<Plan> {
    const r = await probe.run(findProbe(p));
    const s = sections(r.stdout);
    const now = Number(s.now?.trim()) || Date.now() / 1000;
    const skipped: Record<string, string> = {};
    let files: Entry[] = [];
    let examined = 0;
    p.paths.forEach((path, i) => {
      if (s[`skip${i}`] !== undefined) {
        skipped[path] = `'${path}' is not a directory`;
        return;
      }
      const entries = parseEntries(s[`p${i}`] ?? '');
      examined += entries.length;
      files.push(...select(entries, p, now));
    });
    for (const line of r.stderr.split('\n')) if (line.startsWith('find: ')) skipped[line.slice(6)] = line.slice(6);
    if (p.contains !== undefined && p.file_type === 'file') {
      const kept: Entry[] = [];
      for (const f of files) {
        const text = await probe.readFile(f.path);
        if (text && contains(text.toString('utf8'), p.contains, p.read_whole_file)) kept.push(f);
      }
      files = kept;
    }
    if (p.get_checksum)
      await checksums(
        probe,
        files.filter((f) => f.isreg),
      );
    const msg = Object.keys(skipped).length ? 'Not all paths examined, check warnings for details' : 'All paths examined';
    return {
      changed: false,
      note: `${files.length} matched of ${examined}`,
      result: { files, matched: files.length, examined, skipped_paths: skipped, msg },
    };
  },
});
