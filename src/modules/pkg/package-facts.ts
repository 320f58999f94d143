// Ansible's package_facts: the host's installed packages as ansible_facts.packages ({name: [{name, version, …}]}),
// read in one round trip from dpkg-query (apt), rpm or apk instead of through Python bindings on the host.

import { fail, unavailable } from '../args.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, factsPlan, type Plan } from '../types.js';

type Manager = 'apt' | 'rpm' | 'apk';
const MANAGERS: readonly Manager[] = ['apt', 'rpm', 'apk'];
/** Managers Ansible knows that runbook does not read (refused when asked for by name). */
const OTHERS = ['portage', 'pkg', 'pacman', 'pkg_info'];

export interface PackageFactsArgs {
  managers: Manager[];
  strategy: 'first' | 'all';
}

export type PackageFact = Record<string, string | null>;

const TAB = '\\t';
const PROBES: Record<Manager, string> = {
  // the status's second letter: n(ot installed) and c(onfig files only) have no installed version
  apt: `command -v dpkg-query >/dev/null 2>&1 && dpkg-query -W -f='\${db:Status-Abbrev}${TAB}\${binary:Package}${TAB}\${Version}${TAB}\${Architecture}${TAB}\${Section}\\n'`,
  rpm: `command -v rpm >/dev/null 2>&1 && rpm -qa --qf '%{NAME}${TAB}%{VERSION}${TAB}%{RELEASE}${TAB}%{EPOCH}${TAB}%{ARCH}\\n'`,
  // apk info -v prints name-version-rrel per line
  apk: 'command -v apk >/dev/null 2>&1 && apk info -v 2>/dev/null',
};

function add(out: Record<string, PackageFact[]>, p: PackageFact): void {
  const name = p.name as string;
  (out[name] ??= []).push(p);
}

/** One manager's listing as Ansible's dict of lists (a name installed twice, e.g. two kernels, has two entries). */
export function parsePackages(m: Manager, text: string): Record<string, PackageFact[]> {
  const out: Record<string, PackageFact[]> = {};
  for (const line of text.split('\n')) {
    if (!line) continue;
    if (m === 'apt') {
      const [status, name, version, arch, category] = line.split('\t');
      if (!name || status.length < 2 || status[1] === 'n' || status[1] === 'c') continue;
      // origin: python-apt's is the archive offering the version (Debian…); runbook reads no apt lists
      add(out, { name, version, arch, category, origin: '', source: 'apt' });
    } else if (m === 'rpm') {
      const [name, version, release, epoch, arch] = line.split('\t');
      if (!name) continue;
      add(out, { name, version, release, epoch: epoch === '(none)' ? null : epoch, arch, source: 'rpm' });
    } else {
      const r = /^(.+)-([^-]+)-(r\d+)$/.exec(line.trim());
      if (!r) continue;
      add(out, { name: r[1], version: `${r[2]}-${r[3]}`, source: 'apk' });
    }
  }
  return out;
}

export const packageFacts = defineModule({
  name: 'package_facts',
  doc: 'Reads the installed packages (dpkg, rpm or apk) into ansible_facts.packages: {name: [{name, version, arch, …}]}.',
  example: 'package_facts: {manager: auto}',
  args: {
    manager: {
      type: 'list',
      default: ['auto'],
      description: `which package managers to read: auto, ${MANAGERS.join(', ')} (${OTHERS.join(', ')} are refused)`,
    },
    strategy: { choices: ['first', 'all'], default: 'first', description: 'first: the first manager found; all: every one found' },
  },
  build: (v, a): PackageFactsArgs => {
    const managers: Manager[] = [];
    for (const m of (v.manager as string[]).map((x) => String(x).toLowerCase())) {
      if (m === 'auto') managers.push(...MANAGERS);
      else if ((MANAGERS as readonly string[]).includes(m)) managers.push(m as Manager);
      else if (OTHERS.includes(m)) unavailable(a, `runbook does not read ${m}'s packages`, `use manager: ${MANAGERS.join(', ')} or auto`);
      else fail(a, `unknown package manager "${m}"`, `manager takes auto, ${MANAGERS.join(', ')}`);
    }
    return { managers: [...new Set(managers)], strategy: v.strategy as PackageFactsArgs['strategy'] };
  },
  async plan(p, probe, ctx): Promise<Plan> {
    const r = await probe.run(p.managers.map((m) => section(m, `${PROBES[m]} || true`)).join('; '));
    const s = sections(r.stdout);
    const packages: Record<string, PackageFact[]> = {};
    let found = 0;
    for (const m of p.managers) {
      if (found && p.strategy === 'first') break;
      const text = s[m];
      if (!text?.trim()) continue;
      found++;
      Object.assign(packages, parsePackages(m, text));
    }
    if (!found)
      return {
        changed: false,
        failed: `Could not detect a supported package manager from the following list: ${p.managers.join(', ')}`,
      };
    return factsPlan(ctx, { packages }, `${Object.keys(packages).length} packages`);
  },
});
