// Ansible's apt: Debian packages by name (all in one apt-get call), a .deb on the host, upgrades, cache refresh;
// decided from dpkg-query and `apt-get -s` simulations, so check mode says what apt-get would really do.
import { cmd, quote } from '../../remote/quote.js';
import { fail, unavailable } from '../args.js';
import { mergeNames, type NamesBatch } from '../names-batch.js';
import { firstError, section, sections } from '../net/probe-text.js';
import { defineModule, type Plan, type Probe, type Step, type TaskContext } from '../types.js';
import {
  type AptAction,
  type AptFlags,
  aptCommand,
  aptSimulation,
  badName,
  DPKG_QUERY_FORMAT,
  dpkgQuery,
  parseDpkgStatus,
  parseSimulation,
  pending,
  type Simulation,
  simulationText,
  splitVersion,
} from './apt-core.js';

export type AptState = 'present' | 'absent' | 'latest' | 'build-dep' | 'fixed';
export type Upgrade = 'no' | 'yes' | 'safe' | 'full' | 'dist';

export interface AptArgs {
  names: string[];
  state: AptState;
  updateCache: boolean;
  cacheValidTime: number;
  updateRetries: number;
  deb?: string;
  upgrade: Upgrade;
  autoremove: boolean;
  autoclean: boolean;
  clean: boolean;
  flags: AptFlags;
  /** Exit code for /usr/sbin/policy-rc.d while apt runs (101: packages start no services), as Ansible's policy_rc_d. */
  policyRcD?: number;
}

const POLICY = '/usr/sbin/policy-rc.d';

/** Runs an apt command with a policy-rc.d answering `code`, then puts back what was there (or nothing). */
export function withPolicyRcD(command: string, code: number): string {
  const script = `#!/bin/sh\nexit ${Math.trunc(code)}\n`;
  return [
    `rb_saved=''; if [ -e ${POLICY} ]; then rb_saved=$(mktemp) && cp -p ${POLICY} "$rb_saved"; fi`,
    `printf '%b' ${quote(script)} > ${POLICY} && chmod 0755 ${POLICY}`,
    `${command}; rb_rc=$?`,
    `if [ -n "$rb_saved" ]; then mv -f "$rb_saved" ${POLICY}; else rm -f ${POLICY}; fi`,
    'exit $rb_rc',
  ].join('; ');
}

const STAMP = '/var/lib/apt/periodic/update-success-stamp';
const LISTS = '/var/lib/apt/lists';

/** `apt-get update`, tried `retries` more times on failure as Ansible's update_cache_retries does. */
export function updateCommand(retries: number): string {
  const update = cmd('env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-q');
  if (retries <= 0) return update;
  return `n=0; until ${update}; do n=$((n+1)); [ "$n" -gt ${retries} ] && exit 1; sleep "$n"; done`;
}

const upgradeAction = (u: Upgrade): AptAction => (u === 'full' || u === 'dist' ? 'dist-upgrade' : 'upgrade');

/** The first probe: dpkg's state of the names (or of the .deb's package), the cache's age, and the simulation the state needs. */
export function aptProbe(p: AptArgs): string {
  const parts = [section('now', 'date +%s'), section('stamp', `stat -c %Y ${STAMP} 2>/dev/null || stat -c %Y ${LISTS} 2>/dev/null`)];
  if (p.deb) {
    const deb = quote(p.deb);
    parts.push(
      `if [ -f ${deb} ]; then ${section('deb', `dpkg-deb -f ${deb} Package Version Architecture`)}; ` +
        `${section('status', `dpkg-query -W -f=${quote(DPKG_QUERY_FORMAT)} -- "$(dpkg-deb -f ${deb} Package)" 2>/dev/null`)}; fi`,
    );
  } else if (p.upgrade !== 'no') {
    parts.push(section('sim', aptSimulation(upgradeAction(p.upgrade), [], p.flags)));
  } else if (p.names.length) {
    parts.push(section('status', dpkgQuery(p.names)));
    if (p.state === 'latest' || p.state === 'fixed') parts.push(section('sim', aptSimulation('install', p.names, p.flags)));
    if (p.state === 'build-dep') parts.push(section('sim', aptSimulation('build-dep', p.names, p.flags)));
  } else {
    if (p.autoclean) parts.push(section('autoclean', `env LC_ALL=C apt-get -s autoclean 2>&1 | grep -c '^Del ' || true`));
    if (p.autoremove) parts.push(section('sim', aptSimulation('autoremove', [], { ...p.flags, autoremove: false })));
  }
  if (p.clean) parts.push(section('clean', 'ls /var/cache/apt/archives/*.deb /var/cache/apt/*.bin 2>/dev/null | head -n 1'));
  return parts.join('; ');
}

const fields = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^\s*([\w-]+):\s*(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2].trim()]),
  );

/** One action's outcome: the steps it needs (none: nothing to do), its diff and note, or why it fails. */
interface Decision {
  steps: Step[];
  /** Set when the steps are one `apt-get install` of these names (what a loop's items can share). */
  installs?: string[];
  before?: string;
  after?: string;
  note: string;
  failed?: string;
}

const simFailed = (s: Simulation, what: string): string | undefined =>
  s.errors.length || s.rc !== 0 ? `${what}: ${s.errors[0] ?? `apt-get -s exited ${s.rc}`}` : undefined;

/** The main action, from the first probe (and, for packages to install, a second read-only simulation). */
async function decide(
  p: AptArgs,
  s: Record<string, string | undefined>,
  updateDue: boolean,
  probe: Probe,
  check: boolean,
): Promise<Decision> {
  const exec = (c: string): Step => ({ kind: 'exec', cmd: c });
  const simOf = () => parseSimulation(s.sim ?? '');
  const bySim = (action: AptAction, names: string[], what: string, flags = p.flags): Decision => {
    const sim = simOf();
    const unlisted = check && sim.errors.length > 0 && sim.errors.every((e) => /^Unable to locate package /.test(e));
    const bad = updateDue || unlisted ? undefined : simFailed(sim, what);
    if (bad) return { steps: [], note: bad, failed: bad };
    const work = updateDue || unlisted || sim.inst.length > 0 || sim.remv.length > 0;
    const text = simulationText(sim);
    return work
      ? {
          steps: [exec(aptCommand(action, names, flags))],
          before: '',
          after: updateDue ? `${what} after the cache refresh\n` : text,
          note: `${what}: ${text.trim().split('\n').join(', ') || 'after the cache refresh'}`,
        }
      : { steps: [], note: `${what}: nothing to do` };
  };

  if (p.deb) {
    if (s.deb === undefined) {
      const msg = `deb file not found on the host: ${p.deb}`;
      return { steps: [], note: msg, failed: msg };
    }
    const d = fields(s.deb);
    if (!d.Package)
      return { steps: [], note: 'not a .deb', failed: `${p.deb} is not a Debian package (dpkg-deb -f found no Package field)` };
    const st = parseDpkgStatus(s.status ?? '', [d.Package]).get(d.Package);
    if (st?.installed && st.version === d.Version && !p.flags.force)
      return { steps: [], note: `${d.Package} ${d.Version} already installed` };
    const path = p.deb.includes('/') ? p.deb : `./${p.deb}`;
    return {
      steps: [exec(aptCommand('install', [path], p.flags))],
      before: st?.installed ? `${d.Package} ${st.version}\n` : '',
      after: `${d.Package} ${d.Version}\n`,
      note: `installed ${d.Package} ${d.Version} from ${p.deb}`,
    };
  }
  if (p.upgrade !== 'no') return bySim(upgradeAction(p.upgrade), [], `upgrade=${p.upgrade}`);
  if (!p.names.length) {
    const steps: Step[] = [];
    const notes: string[] = [];
    if (p.autoclean && Number((s.autoclean ?? '0').trim()) > 0) {
      steps.push(exec(aptCommand('autoclean', [], {})));
      notes.push('autoclean');
    }
    if (p.autoremove) {
      const d = bySim('autoremove', [], 'autoremove', { ...p.flags, autoremove: false });
      if (d.failed) return d;
      steps.push(...d.steps);
      if (d.steps.length) notes.push(d.note);
    }
    return { steps, note: notes.join('; ') || 'nothing to do' };
  }
  const st = parseDpkgStatus(s.status ?? '', p.names);
  if (p.state === 'latest') return bySim('install', p.names, 'latest');
  if (p.state === 'build-dep') return bySim('build-dep', p.names, 'build-dep');
  if (p.state === 'fixed') return bySim('install', p.names, 'fixed');
  const todo = pending(p.state, p.names, st, p.flags.purge ?? false);
  if (!todo.length) return { steps: [], note: `${p.names.join(' ')} ${p.state}` };
  if (p.state === 'absent') {
    const names = [...new Set(todo.map((n) => splitVersion(n).name))];
    const line = (n: string) => `${n} ${st.get(n)?.installed ? (st.get(n)?.version ?? 'installed') : 'config files'}\n`;
    return {
      steps: [exec(aptCommand('remove', names, p.flags))],
      before: todo.map(line).join(''),
      after: '',
      note: `${p.flags.purge ? 'purged' : 'removed'} ${names.join(' ')}`,
    };
  }
  const before = todo.map((n) => `${splitVersion(n).name} ${st.get(n)?.version ?? 'absent'}\n`).join('');
  if (updateDue)
    return {
      steps: [exec(aptCommand('install', todo, p.flags))],
      installs: todo,
      before,
      after: todo.map((n) => `${n}\n`).join(''),
      note: `installed ${todo.join(' ')}`,
    };
  // Read-only dry run of exactly the install that would run: unknown names fail now, and the diff lists dependencies too.
  const sim = parseSimulation((await probe.run(aptSimulation('install', todo, p.flags))).stdout);
  const bad = simFailed(sim, `cannot install ${todo.join(' ')}`);
  // Under --check the task that adds the package's repository did not run: predict instead of failing.
  if (bad && check && sim.errors.every((e) => /^Unable to locate package /.test(e)))
    return {
      steps: [exec(aptCommand('install', todo, p.flags))],
      before,
      after: todo.map((n) => `${n}\n`).join(''),
      note: `installed ${todo.join(' ')} (not in the package lists yet)`,
    };
  if (bad) return { steps: [], note: bad, failed: bad };
  return {
    steps: [exec(aptCommand('install', todo, p.flags))],
    installs: todo,
    before,
    after: simulationText(sim) || todo.map((n) => `${n}\n`).join(''),
    note: `installed ${todo.join(' ')}`,
  };
}

/** Plan of the apt module for already-parsed arguments (the package module plans through here too). */
export async function planApt(p: AptArgs, probe: Probe, ctx: TaskContext): Promise<Plan> {
  const r = await probe.run(aptProbe(p));
  const s = sections(r.stdout);
  if (s.now === undefined)
    return { changed: false, failed: `could not read the host's package state: ${firstError(r.stderr, `exit ${r.code}`)}` };
  const now = Number(s.now.trim());
  const stampText = (s.stamp ?? '').trim();
  const stamp = stampText === '' ? undefined : Number(stampText);
  const wantsUpdate = p.updateCache || p.cacheValidTime > 0;
  const fresh = stamp !== undefined && p.cacheValidTime > 0 && stamp + p.cacheValidTime >= now;
  const updateDue = wantsUpdate && !fresh;

  const d = await decide(p, s, updateDue, probe, ctx.check);
  const result: Record<string, unknown> = { cache_updated: false, cache_update_time: stamp ?? 0 };
  if (d.failed) return { changed: false, failed: d.failed, result };

  const cleanDue = p.clean && (s.clean ?? '').trim() !== '';
  const onlyCache = !p.names.length && !p.deb && p.upgrade === 'no' && !p.autoremove && !p.autoclean;
  // Ansible refreshes the lists whenever asked; here a refresh happens with an action that needs it, or alone.
  const refresh = updateDue && (d.steps.length > 0 || onlyCache);
  const stepsFor = (main: Step[]): Step[] => [
    ...(cleanDue ? [{ kind: 'exec' as const, cmd: aptCommand('clean', [], {}) }] : []),
    ...(refresh ? [{ kind: 'exec' as const, cmd: updateCommand(p.updateRetries) }] : []),
    ...(p.policyRcD === undefined
      ? main
      : main.map((st) => (st.kind === 'exec' ? { ...st, cmd: withPolicyRcD(st.cmd, p.policyRcD as number) } : st))),
  ];
  const steps = stepsFor(d.steps);
  if (refresh) Object.assign(result, { cache_updated: true, cache_update_time: now });
  if (!steps.length) {
    const why = updateDue && !onlyCache ? ' (package lists not refreshed: nothing to do)' : fresh ? ' (cache is fresh)' : '';
    return { changed: false, note: `${d.note}${why}`, result };
  }
  // The last step's stdout/stderr become the registered result, as apt's stdout/stderr (not in check mode: nothing runs).
  const last = steps[steps.length - 1];
  if (!ctx.check && last.kind === 'exec') last.capture = true;
  const notes = [...(cleanDue ? ['cache cleaned'] : []), ...(refresh ? ['lists refreshed'] : []), ...(d.steps.length ? [d.note] : [])];
  const plan: Plan = { changed: true, steps, note: notes.join('; '), result };
  // A loop's installs share one apt-get run (each item registers that run's output); what else the plan does must match.
  if (d.installs && !ctx.check) {
    const install = (names: string[]): Step[] => {
      const all = stepsFor([{ kind: 'exec', cmd: aptCommand('install', names, p.flags) }]);
      const end = all[all.length - 1];
      if (end.kind === 'exec') end.capture = true;
      return all;
    };
    plan.batch = {
      key: JSON.stringify([cleanDue, refresh, p.updateRetries, p.policyRcD, p.flags]),
      names: d.installs,
      steps: install,
    } satisfies NamesBatch;
  }
  if (d.before !== undefined || d.after !== undefined) plan.diff = [{ before: d.before ?? '', after: d.after ?? '' }];
  return plan;
}

const URL = /^[a-z][a-z0-9+.-]*:\/\//i;

export const apt = defineModule({
  name: 'apt',
  doc: 'Debian packages (all names in one apt-get call), a .deb on the host, upgrades and cache refresh; check mode simulates with apt-get -s.',
  example: 'apt: {name: [nginx, "curl=7.88.1-10+deb12u5"], update_cache: true, cache_valid_time: 3600}',
  args: {
    name: {
      type: 'list',
      aliases: ['package', 'pkg'],
      description: 'package names, "name=version" to pin a version; "*" with state=latest upgrades all',
    },
    state: {
      choices: ['present', 'absent', 'latest', 'build-dep', 'fixed'],
      default: 'present',
      description: 'latest also upgrades; build-dep installs build dependencies; fixed repairs broken dependencies',
    },
    update_cache: {
      type: 'bool',
      aliases: ['update-cache'],
      description: 'run apt-get update first (with packages: only when something is to be done)',
    },
    update_cache_retries: { type: 'int', default: 5, description: 'further apt-get update attempts when it fails' },
    update_cache_retry_max_delay: {
      type: 'int',
      default: 12,
      description: 'accepted for Ansible compatibility (the retries wait 1, 2, 3… s)',
    },
    cache_valid_time: {
      type: 'int',
      default: 0,
      description: 'refresh only when the lists are older than this many seconds (implies update_cache)',
    },
    deb: { type: 'path', description: 'a .deb file on the host (URLs are refused: no downloads)' },
    upgrade: {
      choices: ['no', 'yes', 'safe', 'full', 'dist'],
      default: 'no',
      description: 'yes/safe: apt-get upgrade --with-new-pkgs; full/dist: apt-get dist-upgrade',
    },
    autoremove: { type: 'bool', default: false, description: 'remove dependencies no longer needed' },
    autoclean: { type: 'bool', default: false, description: 'remove package files that can no longer be downloaded' },
    clean: { type: 'bool', default: false, description: 'apt-get clean (when the cache holds .deb or .bin files)' },
    purge: { type: 'bool', default: false, description: 'with absent: remove configuration files too' },
    install_recommends: {
      type: 'bool',
      aliases: ['install-recommends'],
      description: 'install recommended packages (unset: apt configuration decides)',
    },
    force: { type: 'bool', default: false, description: 'allow unauthenticated, downgrades, essential removals and held packages' },
    allow_unauthenticated: { type: 'bool', default: false, aliases: ['allow-unauthenticated'], description: 'install unsigned packages' },
    allow_downgrade: {
      type: 'bool',
      default: false,
      aliases: ['allow-downgrade', 'allow_downgrades', 'allow-downgrades'],
      description: 'allow a pinned version below the installed one',
    },
    allow_change_held_packages: { type: 'bool', default: false, description: 'allow changing held packages' },
    only_upgrade: { type: 'bool', default: false, description: 'upgrade installed packages only, install none' },
    fail_on_autoremove: { type: 'bool', default: false, description: 'fail rather than remove packages (--no-remove)' },
    default_release: { aliases: ['default-release'], description: 'apt-get -t RELEASE' },
    dpkg_options: { default: 'force-confdef,force-confold', description: 'comma-separated dpkg options (without the leading --)' },
    lock_timeout: { type: 'int', default: 60, description: 'seconds to wait for the dpkg lock' },
    force_apt_get: { type: 'bool', default: false, description: 'accepted: apt-get is always used (never aptitude)' },
    policy_rc_d: {
      type: 'int',
      description:
        'exit code of /usr/sbin/policy-rc.d while apt runs (101: installed packages start no services); the old file is put back after',
    },
  },
  mutually_exclusive: [['deb', 'name', 'upgrade']],
  required_one_of: [['name', 'deb', 'upgrade', 'update_cache', 'autoremove', 'autoclean', 'clean', 'cache_valid_time']],
  build(v, a): AptArgs {
    const names = (v.name ?? []).map((n: string) => n.trim()).filter((n: string) => n !== '');
    const state = v.state as AptState;
    let upgrade = v.upgrade as Upgrade;
    if (names.includes('*')) {
      if (state !== 'latest' || names.length > 1) fail(a, 'name "*" is only allowed alone with state=latest (upgrade everything)');
      names.length = 0;
      upgrade = 'yes';
    }
    for (const n of names) {
      if (n.includes('{{')) continue;
      const bad = badName(n);
      if (bad) fail(a, bad);
      if (state === 'latest' && splitVersion(n).version !== undefined)
        fail(a, `"${n}": a pinned version is inconsistent with state=latest`);
    }
    if (v.deb && !v.deb.includes('{{') && URL.test(v.deb))
      unavailable(
        a,
        `deb "${v.deb}" is a URL: downloading is not supported`,
        'copy the .deb to the host (copy or get_url from a local mirror) and give its path',
      );
    if (v.deb && state === 'absent') fail(a, 'deb installs a file: state=absent does not apply (name the package instead)');
    const dpkgOptions = String(v.dpkg_options)
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    for (const o of dpkgOptions) if (!/^[\w=-]+$/.test(o)) fail(a, `dpkg option "${o}" is not a plain dpkg option word`);
    return {
      names,
      state,
      updateCache: v.update_cache ?? false,
      cacheValidTime: v.cache_valid_time,
      updateRetries: v.update_cache_retries,
      deb: v.deb,
      upgrade,
      autoremove: v.autoremove,
      autoclean: v.autoclean,
      clean: v.clean,
      policyRcD: v.policy_rc_d,
      flags: {
        dpkgOptions,
        lockTimeout: v.lock_timeout,
        installRecommends: v.install_recommends,
        defaultRelease: v.default_release,
        force: v.force,
        allowUnauthenticated: v.allow_unauthenticated,
        allowDowngrade: v.allow_downgrade,
        allowChangeHeld: v.allow_change_held_packages,
        onlyUpgrade: v.only_upgrade,
        autoremove: v.autoremove && (names.length > 0 || upgrade !== 'no'),
        failOnAutoremove: v.fail_on_autoremove,
        purge: v.purge && (state === 'absent' || v.autoremove),
        fixBroken: state === 'fixed',
      },
    };
  },
  merge: (batches) => mergeNames(batches as NamesBatch[]),
  plan: planApt,
});
