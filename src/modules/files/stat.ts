// Ansible's stat: facts about one path on the host, read in one round trip, never a change.
import { quote } from '../../remote/quote.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan } from '../types.js';

export const CHECKSUMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

export interface StatArgs {
  path: string;
  follow: boolean;
  get_checksum: boolean;
  checksum_algorithm: (typeof CHECKSUMS)[number];
  get_mime: boolean;
  get_attributes: boolean;
}

// %f raw mode (hex), then the fields Ansible reports; '|' cannot occur in any of them.
const FMT = '%f|%u|%g|%U|%G|%s|%i|%d|%h|%.9X|%.9Y|%.9Z|%b|%B|%t|%T';

/** One probe command: stat line, link target, access, checksum, mime and attributes as @@sections. */
export function statProbe(p: StatArgs): string {
  const q = quote(p.path);
  const L = p.follow ? '-L ' : '';
  const parts = [
    section('stat', `stat ${L}-c ${quote(FMT)} -- ${q} 2>/dev/null`),
    `if [ -L ${q} ]; then ${section('link', `readlink -- ${q}; readlink -f -- ${q}`)}; fi`,
    section('access', `{ [ -r ${q} ] && printf r; [ -w ${q} ] && printf w; [ -x ${q} ] && printf x; echo; }`),
  ];
  if (p.get_checksum) parts.push(`if [ -f ${q} ] && [ -r ${q} ]; then ${section('checksum', `${p.checksum_algorithm}sum < ${q}`)}; fi`);
  if (p.get_mime) parts.push(`if [ -e ${q} ]; then ${section('mime', `file -b --mime-type -- ${q}; file -b --mime-encoding -- ${q}`)}; fi`);
  if (p.get_attributes) parts.push(`if [ -e ${q} ]; then ${section('attr', `lsattr -d -- ${q} 2>/dev/null`)}; fi`);
  return parts.join('; ');
}

const TYPES: [number, string][] = [
  [0o040000, 'isdir'],
  [0o020000, 'ischr'],
  [0o060000, 'isblk'],
  [0o100000, 'isreg'],
  [0o010000, 'isfifo'],
  [0o120000, 'islnk'],
  [0o140000, 'issock'],
];

/** The `stat` dict of Ansible's result from the probe's output. */
export function parseStatProbe(p: StatArgs, stdout: string): Record<string, unknown> {
  const s = sections(stdout);
  const line = s.stat?.trim();
  if (!line) return { exists: false };
  const [rawMode, uid, gid, pw, gr, size, inode, dev, nlink, atime, mtime, ctime, blocks, blockSize, major, minor] = line.split('|');
  const m = Number.parseInt(rawMode, 16);
  const perm = m & 0o7777;
  const fmt = m & 0o170000;
  const out: Record<string, unknown> = { exists: true, path: p.path, mode: perm.toString(8).padStart(4, '0') };
  for (const [bits, key] of TYPES) out[key] = fmt === bits;
  Object.assign(out, {
    uid: Number(uid),
    gid: Number(gid),
    pw_name: pw,
    gr_name: gr,
    size: Number(size),
    inode: Number(inode),
    dev: Number(dev),
    nlink: Number(nlink),
    atime: Number(atime),
    mtime: Number(mtime),
    ctime: Number(ctime),
    blocks: Number(blocks),
    block_size: Number(blockSize),
    ...permissionBits(perm),
  });
  const access = s.access?.trim() ?? '';
  out.readable = access.includes('r');
  out.writeable = access.includes('w');
  out.executable = access.includes('x');
  if (out.ischr || out.isblk) out.device_type = (Number.parseInt(major, 16) << 8) | Number.parseInt(minor, 16);
  if (s.link !== undefined && out.islnk) {
    const [target, real] = s.link.split('\n');
    out.lnk_target = target;
    out.lnk_source = real || target;
  }
  if (s.checksum !== undefined && out.isreg) out.checksum = s.checksum.trim().split(/\s+/)[0];
  if (s.mime !== undefined) {
    const [type, charset] = s.mime.split('\n');
    out.mimetype = type?.trim() || 'unknown';
    out.charset = charset?.trim() || 'unknown';
  }
  if (s.attr !== undefined) {
    const flags = s.attr.trim().split(/\s+/)[0] ?? '';
    out.attributes = ATTR_NAMES.filter(([c]) => flags.includes(c)).map(([, n]) => n);
  }
  return out;
}

// lsattr letters → the names Ansible's format_attributes gives.
const ATTR_NAMES: [string, string][] = [
  ['a', 'append'],
  ['A', 'noatime'],
  ['c', 'compressed'],
  ['C', 'nocow'],
  ['d', 'nodump'],
  ['D', 'dirsync'],
  ['e', 'extents'],
  ['E', 'encrypted'],
  ['F', 'casefold'],
  ['i', 'immutable'],
  ['I', 'indexed'],
  ['j', 'journalled'],
  ['N', 'inline'],
  ['P', 'projinherit'],
  ['s', 'secure'],
  ['S', 'synchronous'],
  ['t', 'notail'],
  ['T', 'topdir'],
  ['u', 'undelete'],
  ['V', 'verity'],
];

export const stat = defineModule({
  name: 'stat',
  doc: 'Reports facts about a path on the host (exists, mode, owner, size, times, checksum…); never changes anything.',
  example: 'stat: {path: /etc/motd}',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'], description: 'the path on the host' },
    follow: { type: 'bool', default: false, description: 'report what a symlink points to instead of the link' },
    get_checksum: { type: 'bool', default: true, description: 'add the checksum of a readable regular file' },
    checksum_algorithm: { choices: CHECKSUMS, default: 'sha1', aliases: ['checksum', 'checksum_algo'], description: 'digest for checksum' },
    get_mime: {
      type: 'bool',
      default: false,
      aliases: ['mime', 'mime_type', 'mime-type'],
      description: 'add mimetype and charset (file -i)',
    },
    get_attributes: { type: 'bool', default: true, aliases: ['attr', 'attributes'], description: 'add the lsattr attributes' },
  },
  build: (v): StatArgs => ({ ...v, checksum_algorithm: v.checksum_algorithm as StatArgs['checksum_algorithm'] }),
  async plan(p, probe): Promise<Plan> {
    const r = await probe.run(statProbe(p));
    if (!r.stdout.includes('@@stat')) return { changed: false, failed: `cannot stat ${p.path}: ${r.stderr.trim() || `exit ${r.code}`}` };
    const st = parseStatProbe(p, r.stdout);
    return { changed: false, note: st.exists ? `${p.path} exists` : `${p.path} is absent`, result: { stat: st } };
  },
});

/** The permission flags Ansible's stat and find return (wusr, rgrp, xoth, isuid…), from a mode's bits. */
export function permissionBits(perm: number): Record<string, boolean> {
  const bit = (b: number) => (perm & b) !== 0;
  return {
    wusr: bit(0o200),
    rusr: bit(0o400),
    xusr: bit(0o100),
    wgrp: bit(0o020),
    rgrp: bit(0o040),
    xgrp: bit(0o010),
    woth: bit(0o002),
    roth: bit(0o004),
    xoth: bit(0o001),
    isuid: bit(0o4000),
    isgid: bit(0o2000),
  };
}
