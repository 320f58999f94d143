// What a plan read on its host and what applying it can change, as resource keys: a change then stales only the plans
// made ahead that read what it wrote (a first run used to plan every task again after its first change: one round trip
// more per task). Keys: `file:<absolute path>` (overlapping its ancestors and descendants), `net` (links, addresses,
// routes, rules), `ovs` (the Open vSwitch database), `pkg` (the package database), `*` (anything).
// A module not listed reads and writes everything: it stales every plan after it, and is planned again after any change.
// Not seen: two names of one file through a symlink (/var/run and /run); see ARCHITECTURE.md, "Plans made ahead".
import { posix } from 'node:path';

export interface Footprint {
  reads: readonly string[];
  writes: readonly string[];
}

export const EVERYTHING: Footprint = { reads: ['*'], writes: ['*'] };

const short = (m: string) => m.replace(/^.*\./, '');

function fileKey(p: unknown): string | undefined {
  if (typeof p !== 'string' || !p.startsWith('/')) return undefined;
  return `file:${posix.normalize(p).replace(/(.)\/+$/, '$1')}`;
}

/** Keys of files, or everything when a path is not a plain absolute one (relative, templated late, missing). */
function files(...paths: unknown[]): string[] {
  const keys = paths.map(fileKey);
  return keys.every((k) => k !== undefined) ? (keys as string[]) : ['*'];
}

const same = (keys: string[]): Footprint => ({ reads: keys, writes: keys });

type Args = Record<string, unknown>;

/** Modules whose probes and steps touch only what their arguments name. */
const BY_MODULE: Record<string, (a: Args) => Footprint> = {
  // files: the path itself (its parent's existence is an ancestor, so a mkdir of the parent stales it too)
  file: (a) => same(files(a.path)),
  template: (a) => same(files(a.dest)),
  copy: (a) => (a.remote_src ? { reads: files(a.dest, a.src), writes: files(a.dest) } : same(files(a.dest))),
  lineinfile: (a) => same(files(a.path)),
  blockinfile: (a) => same(files(a.path)),
  replace: (a) => same(files(a.path)),
  ini_file: (a) => same(files(a.path)),
  json_merge: (a) => same(files(a.path)),
  stat: (a) => ({ reads: files(a.path), writes: [] }),
  slurp: (a) => ({ reads: files(a.src ?? a.path), writes: [] }),
  // the kernel's value (a file under /proc/sys) and the file it is kept in; a net.* key can read or change links,
  // addresses and routes (conf.*.disable_ipv6, ipv6 forwarding and RAs), except IPv4 forwarding, which only forwards
  sysctl: (a) => {
    const name = typeof a.name === 'string' && /^[\w.-]+$/.test(a.name) ? a.name : undefined;
    if (!name) return EVERYTHING;
    const keys = files(`/proc/sys/${name.replace(/\./g, '/')}`, a.file);
    return same(name.startsWith('net.') && name !== 'net.ipv4.ip_forward' ? [...keys, 'net'] : keys);
  },
  bridge: () => same(['net']),
  route: () => same(['net']),
  // their plans read the OVS database only (configured columns; ovs-vswitchd's kernel-driven ones are read after the
  // write): a bridge or route applied before them leaves the plans good; applying one makes or moves kernel links
  ovs_bridge: () => ({ reads: ['ovs'], writes: ['ovs', 'net'] }),
  ovs_port: () => ({ reads: ['ovs'], writes: ['ovs', 'net'] }),
  // starting the daemons can change anything OVS touches; a running one changes nothing (and stales nothing). Its
  // probe reads files and pids only: a bridge or route applied before it leaves its plan good.
  ovs_service: (a) => ({ reads: ['ovs', ...files(a.db, a.rundir, a.logdir)], writes: ['*'] }),
  // an install runs maintainer scripts: anything may change
  package: () => ({ reads: ['pkg'], writes: ['*'] }),
  apt: () => ({ reads: ['pkg'], writes: ['*'] }),
  dnf: () => ({ reads: ['pkg'], writes: ['*'] }),
  yum: () => ({ reads: ['pkg'], writes: ['*'] }),
};

/** The footprint of one planned item of `module` with its parsed arguments. */
export function footprintOf(module: string, args: unknown): Footprint {
  const f = BY_MODULE[short(module)];
  if (!f || args === null || typeof args !== 'object') return EVERYTHING;
  return f(args as Args);
}

function keysOverlap(a: string, b: string): boolean {
  if (a === '*' || b === '*' || a === b) return true;
  if (!a.startsWith('file:') || !b.startsWith('file:')) return false;
  const [x, y] = [a.slice(5), b.slice(5)];
  const under = (p: string, dir: string) => dir === '/' || p.startsWith(`${dir}/`);
  return under(x, y) || under(y, x);
}

/** Whether what was written since a plan was made can have changed what the plan read. */
export function stale(reads: readonly string[], written: ReadonlySet<string>): boolean {
  for (const w of written) for (const r of reads) if (keysOverlap(r, w)) return true;
  return false;
}
