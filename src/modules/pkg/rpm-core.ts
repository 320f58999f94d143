// dnf/yum decisions shared by the dnf and yum modules and the generic package module: rpm -q says what is
// installed, `check-update` what is upgradable, and one dnf/yum call does the work.
import { cmd, quote } from '../../remote/quote.js';

export type RpmManager = 'dnf' | 'yum';

/** Options that shape the dnf/yum command line. */
export interface RpmFlags {
  enablerepo?: string[];
  disablerepo?: string[];
  disableGpgCheck?: boolean;
  exclude?: string[];
  skipBroken?: boolean;
  allowDowngrade?: boolean;
  installWeakDeps?: boolean;
  confFile?: string;
  releasever?: string;
  security?: boolean;
  bugfix?: boolean;
  nobest?: boolean;
  allowerasing?: boolean;
  cacheonly?: boolean;
}

export function rpmFlagWords(f: RpmFlags): string[] {
  const w: string[] = [];
  for (const r of f.disablerepo ?? []) w.push(`--disablerepo=${r}`);
  for (const r of f.enablerepo ?? []) w.push(`--enablerepo=${r}`);
  if (f.disableGpgCheck) w.push('--nogpgcheck');
  for (const x of f.exclude ?? []) w.push(`--exclude=${x}`);
  if (f.skipBroken) w.push('--skip-broken');
  if (f.allowDowngrade) w.push('--allowdowngrade');
  if (f.installWeakDeps === false) w.push('--setopt=install_weak_deps=False');
  if (f.confFile) w.push(`--config=${f.confFile}`);
  if (f.releasever) w.push(`--releasever=${f.releasever}`);
  if (f.security) w.push('--security');
  if (f.bugfix) w.push('--bugfix');
  if (f.nobest) w.push('--nobest');
  if (f.allowerasing) w.push('--allowerasing');
  if (f.cacheonly) w.push('--cacheonly');
  return w;
}

/** A local .rpm file is asked for by the name-version-release.arch it holds. */
const isRpmFile = (n: string) => n.endsWith('.rpm') && n.includes('/');

/** Prints "<name> yes|no" per name asked: installed (rpm -q, which takes name, name-version, name.arch…)? */
export function rpmQueryScript(names: string[]): string {
  const files = names.filter(isRpmFile);
  const plain = names.filter((n) => !isRpmFile(n));
  const parts: string[] = [];
  if (plain.length) parts.push(`for p in ${plain.map(quote).join(' ')}; do rpm -q --quiet "$p" && echo "$p yes" || echo "$p no"; done`);
  if (files.length)
    parts.push(
      `for f in ${files.map(quote).join(' ')}; do q=$(rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}' "$f" 2>/dev/null) && rpm -q --quiet "$q" && echo "$f yes" || echo "$f no"; done`,
    );
  return parts.join('; ');
}

/** Names with a newer version available: `check-update` prints "name.arch version repo" lines (exit 100 when there are some). */
export const rpmUpgradableScript = (m: RpmManager, names: string[], f: RpmFlags): string =>
  `${cmd(m, '-q', 'check-update', ...rpmFlagWords(f), ...names)} 2>/dev/null | awk 'NF==3 {sub(/\\.[^.]*$/, "", $1); print $1}'`;

export const parseYesNo = (text: string): Set<string> =>
  new Set(
    text
      .split('\n')
      .map((l) => l.trim().split(' '))
      .filter((w) => w[1] === 'yes')
      .map((w) => w[0]),
  );

export const parseLines = (text: string): Set<string> =>
  new Set(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );

/** The bare name check-update reports for a spec ("foo-1.2" stays as is: only plain names match). */
const baseOf = (n: string) => n.replace(/\.(x86_64|noarch|i686|aarch64|ppc64le|s390x)$/, '');

export interface RpmWork {
  install: string[];
  upgrade: string[];
  remove: string[];
}

/** What a state needs, from the installed set and (latest) the upgradable names. */
export function rpmPending(
  state: 'present' | 'absent' | 'latest',
  names: string[],
  installed: Set<string>,
  upgradable: Set<string>,
): RpmWork {
  if (state === 'absent') return { install: [], upgrade: [], remove: names.filter((n) => installed.has(n)) };
  const install = names.filter((n) => !installed.has(n));
  const upgrade = state === 'latest' ? names.filter((n) => installed.has(n) && upgradable.has(baseOf(n))) : [];
  return { install, upgrade, remove: [] };
}

/** The dnf/yum commands doing the work: one call per verb, all names in it. */
export function rpmCommands(m: RpmManager, w: RpmWork, f: RpmFlags): string[] {
  const flags = rpmFlagWords(f);
  const out: string[] = [];
  if (w.install.length) out.push(cmd(m, 'install', '-y', ...flags, ...w.install));
  if (w.upgrade.length) out.push(cmd(m, 'upgrade', '-y', ...flags, ...w.upgrade));
  if (w.remove.length) out.push(cmd(m, 'remove', '-y', ...flags, ...w.remove));
  return out;
}

export const makecacheCommand = (m: RpmManager, f: RpmFlags): string => cmd(m, '-q', 'makecache', ...rpmFlagWords(f));
