// Packages by name, installed only when missing; one playbook line can name them per manager (apt vs dnf/yum).

import { cmd, quote } from '../../remote/quote.js';
import { type Args, fail, list } from '../args.js';
import { mergeNames, type NamesBatch } from '../names-batch.js';
import { apt, updateCommand } from '../pkg/apt.js';
import { aptCommand } from '../pkg/apt-core.js';
import { dnf, yum } from '../pkg/dnf.js';
import { makecacheCommand, rpmCommands, rpmPending, rpmQueryScript, rpmUpgradableScript } from '../pkg/rpm-core.js';
import type { ArgSpec } from '../spec.js';
import { defineModule, type ModuleDef, type Plan, type Probe, type Step, type TaskContext } from '../types.js';
import { firstError, section, sections } from './probe-text.js';

const MANAGERS = ['apt', 'dnf', 'yum'] as const;
/** Installed-state queries take the bare name: "foo=1.2" and "foo:amd64" are both "foo". */
const base = (n: string) => n.replace(/[:=].*$/, '');
export type Manager = (typeof MANAGERS)[number];

const BACKENDS: Record<Manager, ModuleDef<unknown>> = { apt, dnf, yum };
const APT_REPOS = "enablerepo/disablerepo are dnf/yum arguments: apt has no such option (Ansible's apt refuses them too)";
/** What package takes itself (a backend's aliases of these are the same arguments). */
const OWN = new Set(['name', 'state', 'update_cache', 'enablerepo', 'disablerepo', 'allow_downgrade', 'allow_downgrades']);

/**
 * The backends' other arguments (apt's purge, cache_valid_time…, dnf's exclude…), each with the managers that take
 * it: as Ansible's package action passes every argument but use to the module of the host's manager.
 */
export const PASSED: Readonly<Record<string, Manager[]>> = (() => {
  const out: Record<string, Manager[]> = {};
  for (const m of MANAGERS) for (const k of Object.keys(BACKENDS[m].spec.args)) if (!OWN.has(k)) (out[k] ??= []).push(m);
  return out;
})();

const passedSpecs: Record<string, ArgSpec> = Object.fromEntries(
  Object.entries(PASSED).map(([k, ms]) => {
    const aliases = [...new Set(ms.flatMap((m) => BACKENDS[m].spec.args[k].aliases ?? []))];
    const spec: ArgSpec = {
      type: 'raw',
      ...(aliases.length ? { aliases } : {}),
      description: `passed to ${ms.join('/')}, as Ansible's package passes its backend's arguments`,
    };
    return [k, spec];
  }),
);

export interface PackageArgs {
  /** Names per manager; a plain list applies to every manager. */
  names: Record<Manager, string[]>;
  state: 'present' | 'absent' | 'latest';
  use: 'auto' | Manager;
  updateCache: boolean;
  /** dnf/yum only, passed on to them as Ansible's package passes its other arguments to the backend. */
  enablerepo?: string[];
  disablerepo?: string[];
  allowDowngrade: boolean;
  /** The backend's own arguments given (see PASSED): the task is then the backend module's. */
  passed: Record<string, unknown>;
}

/**
 * The task as the host's manager's module (apt, dnf or yum) with the arguments package passes on; an argument that
 * manager does not take fails the task as Ansible's "Unsupported parameters for (apt) module" does.
 */
function asBackend(p: PackageArgs, m: Manager, probe: Probe, ctx: TaskContext): Promise<Plan> | Plan {
  const wrong = Object.keys(p.passed).filter((k) => !PASSED[k].includes(m));
  if (wrong.length)
    return {
      changed: false,
      failed: `Unsupported parameters for (${m}) module: ${wrong.sort().join(', ')} (package passes its arguments to ${m} on this host)`,
    };
  if (m === 'apt' && (p.enablerepo?.length || p.disablerepo?.length)) return { changed: false, failed: APT_REPOS };
  if (!p.names[m].length && !p.updateCache) return { changed: false, note: `no packages named for ${m}` };
  const args: Record<string, unknown> = {
    ...(p.names[m].length ? { name: p.names[m] } : {}),
    state: p.state,
    ...(p.updateCache ? { update_cache: true } : {}),
    ...(p.enablerepo ? { enablerepo: p.enablerepo } : {}),
    ...(p.disablerepo ? { disablerepo: p.disablerepo } : {}),
    ...(p.allowDowngrade ? { allow_downgrade: true } : {}),
    ...p.passed,
  };
  const def = BACKENDS[m];
  return def.plan(def.parse(args, ctx.at), probe, ctx);
}

/**
 * dpkg's own lines for the names asked: "Package: <name>" and its "Status: …" (a package is installed when its Status
 * ends in "installed", as dpkg-query's would); dpkgInstalled reads them. grep reads dpkg's status file itself, the
 * four lines a stanza can have before its Status kept (Package, Essential, Protected, Status): dpkg-query loads the
 * whole database and cost a host 4x the CPU, awk over the file 2.5x grep's. With updates pending in updates/ (a dpkg
 * run cut short) the status file is not the whole truth: dpkg-query, printing the same two lines.
 */
export function dpkgInstalledScript(names: string[]): string {
  const status = `grep -x -F -A3 ${names.map((n) => `-e ${quote(`Package: ${n}`)}`).join(' ')} -- "$d/status"`;
  const query = `dpkg-query -W -f='Package: \${binary:Package}\\nStatus: \${Status}\\n' -- ${names.map(quote).join(' ')} 2>/dev/null`;
  return `d=\${DPKG_ADMINDIR:-/var/lib/dpkg}; set -- "$d"/updates/[0-9]*; if [ -e "$1" ] || [ ! -r "$d/status" ]; then ${query}; else ${status}; fi; :`;
}

/** The installed names in dpkgInstalledScript's answer (multi-arch "name:arch" counted as the name). */
export function dpkgInstalled(text: string): Set<string> {
  const out = new Set<string>();
  let cur = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('Package: ')) cur = line.slice(9).trim().replace(/:.*$/, '');
    else if (line === '--') cur = '';
    else if (cur && line.startsWith('Status: ') && line.trim().split(/\s+/).pop() === 'installed') out.add(cur);
  }
  return out;
}

// Prints dpkg's Package/Status lines (apt) or one line per package: "<name> yes|no" (rpm), then, for latest, the names with a newer version.
export function queryScript(m: Manager, names: string[], latest: boolean): string {
  // no names for this manager (update_cache alone, or a map naming none for it): nothing to ask (grep with no
  // pattern would take the status file for its pattern and read stdin)
  if (!names.length) return section('mgr', `echo ${m}`);
  const q = m === 'apt' ? dpkgInstalledScript(names.map(base)) : rpmQueryScript(names.map(base));
  const up =
    m === 'apt'
      ? `${cmd('apt-get', '-s', '-q', 'install', ...names)} 2>/dev/null | sed -n 's/^Inst \\([^ ]*\\) \\[.*/\\1/p'`
      : rpmUpgradableScript(m, names, {});
  return [section('mgr', `echo ${m}`), section('installed', q), ...(latest ? [section('upgradable', up)] : [])].join('; ');
}

/** Without a gathered ansible_pkg_mgr fact, the probe itself picks the manager: still one round trip. */
export function packageProbe(p: PackageArgs, known: Manager | undefined): string {
  const latest = p.state === 'latest';
  if (known) return queryScript(known, p.names[known], latest);
  const branch = (m: Manager, bin: string) => `command -v ${bin} >/dev/null 2>&1; then ${queryScript(m, p.names[m], latest)}`;
  return `if ${branch('apt', 'apt-get')}; elif ${branch('dnf', 'dnf')}; elif ${branch('yum', 'yum')}; else echo @@mgr; echo unknown; fi`;
}

// A string is split on commas (Ansible's list type), unless it is still a template.
const names = (a: Args, key: string) => {
  const v = a.v[key];
  return typeof v === 'string' && !v.includes('{{') ? list({ ...a, v: { [key]: v.split(',') } }, key) : list(a, key);
};

function namesOf(a: Args, key: string): Record<Manager, string[]> {
  const v = a.v[key];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const per = v as Record<string, unknown>;
    const out = {} as Record<Manager, string[]>;
    for (const k of Object.keys(per))
      if (!(MANAGERS as readonly string[]).includes(k))
        fail(a, `"${key}" maps package managers (${MANAGERS.join(', ')}) to names, got key "${k}"`);
    for (const m of MANAGERS) out[m] = names({ ...a, v: per }, m) ?? [];
    return out;
  }
  const all = names(a, key);
  if (!all?.length) fail(a, `missing required argument "${key}"`);
  return { apt: all, dnf: all, yum: all };
}

export const pkg = defineModule({
  name: 'package',
  doc: 'Packages by name, installed only when missing; one task can name them per manager (apt vs dnf/yum).',
  example: 'package: {name: {apt: [openvswitch-switch], dnf: [openvswitch]}}',
  args: {
    name: {
      type: 'raw',
      aliases: ['names_by_manager', 'pkg'],
      check: namesOf,
      description: 'package names (a list, or "a,b"), or a mapping of apt/dnf/yum to their names',
    },
    state: { choices: ['present', 'absent', 'latest'], default: 'present', description: 'latest also upgrades' },
    use: {
      choices: ['auto', ...MANAGERS],
      default: 'auto',
      description: 'the manager (auto: the ansible_pkg_mgr fact, else the first found)',
    },
    update_cache: { type: 'bool', default: false, description: 'refresh the package lists first' },
    enablerepo: {
      type: 'list',
      description: "dnf/yum: repositories to enable for this task (apt hosts fail the task, as Ansible's apt refuses it)",
    },
    disablerepo: { type: 'list', description: 'dnf/yum: repositories to disable for this task' },
    allow_downgrade: {
      type: 'bool',
      default: false,
      description: 'let the manager install a version below the installed one (passed on to apt-get or dnf/yum)',
    },
    ...passedSpecs,
  },
  build: (v, a): PackageArgs => ({
    // no names with update_cache: the manager's lists are refreshed (Ansible's package hands that to apt or dnf)
    names: v.name ?? (v.update_cache ? { apt: [], dnf: [], yum: [] } : fail(a, 'missing required argument "name"')),
    state: v.state as PackageArgs['state'],
    use: v.use as PackageArgs['use'],
    updateCache: v.update_cache,
    enablerepo: v.enablerepo,
    disablerepo: v.disablerepo,
    allowDowngrade: v.allow_downgrade,
    passed: Object.fromEntries(
      Object.keys(PASSED).flatMap((k) => ((v as Record<string, unknown>)[k] !== undefined ? [[k, (v as Record<string, unknown>)[k]]] : [])),
    ),
  }),
  merge: (batches) => mergeNames(batches as NamesBatch[]),
  async plan(p, probe, ctx): Promise<Plan> {
    const fact = ctx.vars.ansible_pkg_mgr;
    const known = p.use !== 'auto' ? p.use : (MANAGERS as readonly unknown[]).includes(fact) ? (fact as Manager) : undefined;
    const handOver = Object.keys(p.passed).length > 0;
    if (handOver && known) return asBackend(p, known, probe, ctx);
    if (known && !p.names[known].length && p.updateCache)
      return BACKENDS[known].plan(BACKENDS[known].parse({ update_cache: true }, ctx.at), probe, ctx);
    const r = await probe.run(packageProbe(p, known));
    const s = sections(r.stdout);
    const m = s.mgr?.trim() as Manager | 'unknown' | undefined;
    if (!m || m === 'unknown')
      return {
        changed: false,
        failed: `no supported package manager (apt-get, dnf, yum) found${r.stderr ? `: ${firstError(r.stderr, '')}` : ''}`,
      };
    if (handOver) return asBackend(p, m, probe, ctx);
    const names = p.names[m];
    if (!names.length && p.updateCache) return BACKENDS[m].plan(BACKENDS[m].parse({ update_cache: true }, ctx.at), probe, ctx);
    if (!names.length) return { changed: false, note: `no packages named for ${m}` };
    const repos = { enablerepo: p.enablerepo, disablerepo: p.disablerepo, ...(p.allowDowngrade ? { allowDowngrade: true } : {}) };
    if (m === 'apt' && (p.enablerepo?.length || p.disablerepo?.length)) return { changed: false, failed: APT_REPOS };
    const installed =
      m === 'apt'
        ? dpkgInstalled(s.installed ?? '')
        : new Set(
            (s.installed ?? '')
              .split('\n')
              .map((l) => l.trim().split(' '))
              .filter((w) => w[1] === 'yes')
              .map((w) => w[0]),
          );
    const upgradable = new Set(
      (s.upgradable ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
    const has = (n: string) => installed.has(base(n));
    const todo =
      p.state === 'absent' ? names.filter(has) : names.filter((n) => !has(n) || (p.state === 'latest' && upgradable.has(base(n))));
    const verb = p.state === 'absent' ? 'removed' : 'installed';
    if (!todo.length)
      return {
        changed: false,
        note: `${names.join(' ')} ${p.state === 'absent' ? 'absent' : p.state === 'latest' ? 'latest' : 'present'} (${m})`,
      };
    // The commands come from the apt and dnf/yum modules' builders: one code path for how packages are acted on.
    const stepsFor = (names: string[]): Step[] => {
      const steps: Step[] = [];
      if (p.updateCache && p.state !== 'absent')
        steps.push({ kind: 'exec', cmd: m === 'apt' ? updateCommand(0) : makecacheCommand(m, repos) });
      if (m === 'apt')
        steps.push({
          kind: 'exec',
          cmd: aptCommand(p.state === 'absent' ? 'remove' : 'install', names, p.allowDowngrade ? { allowDowngrade: true } : {}),
        });
      else {
        const work = rpmPending(p.state, names, new Set(names.filter(has)), upgradable);
        for (const c of rpmCommands(m, work, repos)) steps.push({ kind: 'exec', cmd: c });
      }
      return steps;
    };
    const steps = stepsFor(todo);
    // Installing what is missing is idempotent: a loop's items install together (removal and latest go one by one).
    const batch: NamesBatch | undefined =
      p.state === 'present' ? { key: JSON.stringify([m, p.updateCache, repos]), names: todo, steps: stepsFor } : undefined;
    const line = (n: string, on: boolean) => `${n} ${on ? 'installed' : 'absent'}\n`;
    return {
      changed: true,
      steps,
      ...(batch ? { batch } : {}),
      diff: [{ before: todo.map((n) => line(n, has(n))).join(''), after: todo.map((n) => line(n, p.state !== 'absent')).join('') }],
      note: `${verb} ${todo.join(' ')} (${m})`,
    };
  },
});
