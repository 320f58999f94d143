// apt-get decisions shared by the apt module and the generic package module: which names need work, and the one
// apt-get command that does it (all names in one call, never one call per package).
import { cmd, quote } from '../../remote/quote.js';

/** Options that shape the apt-get command line (what Ansible's apt module passes on). */
export interface AptFlags {
  /** Dpkg::Options (Ansible's dpkg_options, e.g. ["force-confdef", "force-confold"]). */
  dpkgOptions?: string[];
  /** true/false: APT::Install-Recommends yes/no; undefined: apt's configuration decides. */
  installRecommends?: boolean;
  defaultRelease?: string;
  force?: boolean;
  allowUnauthenticated?: boolean;
  allowDowngrade?: boolean;
  allowChangeHeld?: boolean;
  onlyUpgrade?: boolean;
  autoremove?: boolean;
  failOnAutoremove?: boolean;
  purge?: boolean;
  /** state=fixed: --fix-broken */
  fixBroken?: boolean;
  lockTimeout?: number;
}

/** What dpkg says about one package name asked for: installed version, or only config files left. */
export interface DpkgState {
  installed: boolean;
  version?: string;
  /** removed but its configuration files remain ("rc"): purge still has work to do */
  configFiles?: boolean;
}

/** "foo=1.2" → {name: "foo", version: "1.2"}; "foo:i386" keeps its architecture in name. */
export function splitVersion(spec: string): { name: string; version?: string } {
  const i = spec.indexOf('=');
  return i < 0 ? { name: spec } : { name: spec.slice(0, i), version: spec.slice(i + 1) };
}

/** The bare package name dpkg-query answers for ("foo:amd64=1" → "foo"). */
export const bareName = (spec: string): string => splitVersion(spec).name.replace(/:.*$/, '');

/** Why a name cannot be handed to apt-get as it is, or undefined when it can. */
export function badName(spec: string): string | undefined {
  const { name, version } = splitVersion(spec);
  if (name === '') return `empty package name in "${spec}"`;
  if (name.startsWith('-')) return `"${spec}" looks like an option, not a package name`;
  if (/[*?[\]]/.test(name))
    return `package name wildcards ("${spec}") are not supported: name the packages (apt would pick them from its cache)`;
  if (/[<>]/.test(name) || (version !== undefined && /^[<>=]/.test(version)))
    return `version comparisons ("${spec}") are not supported: pin an exact version with name=version`;
  if (version === '') return `empty version in "${spec}"`;
  if (/\s/.test(spec)) return `"${spec}" holds blanks: give one package per list item`;
  return undefined;
}

// fnmatch for versions, as Ansible's apt does ("1.2*" matches "1.2.3-1").
const versionMatches = (pattern: string, v: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(v);

/** Does dpkg's state satisfy "present" for this name (at its pinned version, if any)? */
export function satisfied(spec: string, s: DpkgState | undefined): boolean {
  if (!s?.installed) return false;
  const { version } = splitVersion(spec);
  return version === undefined || (s.version !== undefined && versionMatches(version, s.version));
}

/** One dpkg-query line per package: name, architecture, version, status abbreviation ("ii", "rc"). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
export const DPKG_QUERY_FORMAT = '${Package} ${Architecture} ${Version} ${db:Status-Abbrev}\\n';

/**
 * One line per installed-or-known package, keyed by the names asked for: "foo" answers for any architecture,
 * "foo:i386" only for that one.
 */
export function parseDpkgStatus(text: string, asked: string[]): Map<string, DpkgState> {
  const rows = text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w.length >= 4)
    .map(([pkg, arch, version, abbrev]) => ({ pkg, arch, version, abbrev }));
  const out = new Map<string, DpkgState>();
  for (const spec of asked) {
    const name = splitVersion(spec).name;
    const [pkg, arch] = name.split(':');
    const mine = rows.filter((r) => r.pkg === pkg && (arch === undefined || r.arch === arch || r.arch === 'all'));
    const inst = mine.find((r) => r.abbrev.startsWith('ii') || r.abbrev.startsWith('hi'));
    if (inst) out.set(spec, { installed: true, version: inst.version });
    else out.set(spec, { installed: false, configFiles: mine.some((r) => r.abbrev.startsWith('rc')) });
  }
  return out;
}

/** The dpkg-query reading the state of `names` (bare names, architecture kept), all in one call. */
export function dpkgQuery(names: string[]): string {
  const asked = [...new Set(names.map((n) => splitVersion(n).name))];
  return `dpkg-query -W -f=${quote(DPKG_QUERY_FORMAT)} -- ${asked.map(quote).join(' ')} 2>/dev/null`;
}

/** apt-get's option words for the flags, in a fixed order. */
export function flagWords(f: AptFlags): string[] {
  const w: string[] = [];
  for (const o of f.dpkgOptions ?? []) w.push('-o', `Dpkg::Options::=--${o}`);
  if (f.lockTimeout !== undefined) w.push('-o', `DPkg::Lock::Timeout=${f.lockTimeout}`);
  if (f.installRecommends !== undefined) w.push('-o', `APT::Install-Recommends=${f.installRecommends ? 'yes' : 'no'}`);
  if (f.defaultRelease) w.push('-t', f.defaultRelease);
  if (f.force) w.push('--allow-unauthenticated', '--allow-downgrades', '--allow-remove-essential', '--allow-change-held-packages');
  else {
    if (f.allowUnauthenticated) w.push('--allow-unauthenticated');
    if (f.allowDowngrade) w.push('--allow-downgrades');
    if (f.allowChangeHeld) w.push('--allow-change-held-packages');
  }
  if (f.onlyUpgrade) w.push('--only-upgrade');
  if (f.fixBroken) w.push('--fix-broken');
  if (f.purge) w.push('--purge');
  if (f.autoremove) w.push('--auto-remove');
  if (f.failOnAutoremove) w.push('--no-remove');
  return w;
}

export type AptAction = 'install' | 'remove' | 'build-dep' | 'upgrade' | 'dist-upgrade' | 'autoremove' | 'autoclean' | 'clean';

/** The apt-get words of one action: `<action> -y -q <flags> <names>` (`-s` instead of `-y` simulates). */
export function aptWords(action: AptAction, names: string[], f: AptFlags, simulate = false): string[] {
  const extra = action === 'upgrade' ? ['--with-new-pkgs'] : [];
  return [action, simulate ? '-s' : '-y', '-q', ...extra, ...flagWords(f), ...names];
}

/** The command that acts: noninteractive, so a package's debconf questions never hang the task. */
export const aptCommand = (action: AptAction, names: string[], f: AptFlags): string =>
  cmd('env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...aptWords(action, names, f));

/** The same command as a read-only simulation, in the C locale so its output can be read. */
export const aptSimulation = (action: AptAction, names: string[], f: AptFlags): string =>
  `${cmd('env', 'LC_ALL=C', 'apt-get', ...aptWords(action, names, f, true))} 2>&1; echo "rc=$?"`;

/** What `apt-get -s` printed: the packages it would install/upgrade and remove, its errors, and its exit code. */
export interface Simulation {
  inst: string[];
  remv: string[];
  errors: string[];
  rc: number;
  /** the "N upgraded, N newly installed, N to remove" numbers, when printed */
  counts?: { upgraded: number; installed: number; removed: number };
}

export function parseSimulation(text: string): Simulation {
  const lines = text.split('\n');
  const rcLine = lines.map((l) => /^rc=(\d+)$/.exec(l.trim())).find(Boolean);
  const word = (re: RegExp) => lines.map((l) => re.exec(l)?.[1]).filter((x): x is string => x !== undefined);
  const sum = lines.map((l) => /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove/.exec(l.trim())).find(Boolean);
  return {
    inst: word(/^Inst (\S+)/),
    remv: word(/^(?:Remv|Purg) (\S+)/),
    errors: lines.filter((l) => /^E: /.test(l)).map((l) => l.slice(3).trim()),
    rc: rcLine ? Number(rcLine[1]) : 0,
    counts: sum ? { upgraded: Number(sum[1]), installed: Number(sum[2]), removed: Number(sum[3]) } : undefined,
  };
}

/** A simulation's would-do list as diff text: "install foo", "remove bar". */
export const simulationText = (s: Simulation): string =>
  [...s.inst.map((n) => `install ${n}\n`), ...s.remv.map((n) => `remove ${n}\n`)].join('');

/** Which names need work for a state, from dpkg's answers (latest and the rest are decided by simulation). */
export function pending(state: 'present' | 'absent', names: string[], st: Map<string, DpkgState>, purge: boolean): string[] {
  if (state === 'absent') return names.filter((n) => satisfied(n, st.get(n)) || (purge && st.get(n)?.configFiles));
  return names.filter((n) => !satisfied(n, st.get(n)));
}
