// Ansible's dnf and yum: RPM packages by name, decided from rpm -q (and check-update for latest), acted on in one
// dnf/yum call per verb.
import { cmd } from '../../remote/quote.js';
import { fail } from '../args.js';
import { mergeNames, type NamesBatch } from '../names-batch.js';
import { firstError, section, sections } from '../net/probe-text.js';
import type { ArgSpecs } from '../spec.js';
import { defineModule, type Plan, type Probe, type Step } from '../types.js';
import {
  makecacheCommand,
  parseLines,
  parseYesNo,
  type RpmFlags,
  type RpmManager,
  rpmCommands,
  rpmFlagWords,
  rpmPending,
  rpmQueryScript,
  rpmUpgradableScript,
} from './rpm-core.js';

export interface RpmArgs {
  names: string[];
  state: 'present' | 'absent' | 'latest';
  updateCache: boolean;
  autoremove: boolean;
  updateOnly: boolean;
  flags: RpmFlags;
}

const ARGS = {
  name: {
    type: 'list',
    aliases: ['pkg'],
    description: 'package names (name, name-version, name.arch, or a .rpm path on the host); URLs and @groups are refused',
  },
  state: {
    choices: ['present', 'installed', 'latest', 'absent', 'removed'],
    description: 'installed = present, removed = absent (default present; absent when only autoremove is given)',
  },
  enablerepo: { type: 'list', description: 'repositories enabled for this call' },
  disablerepo: { type: 'list', description: 'repositories disabled for this call' },
  update_cache: { type: 'bool', default: false, aliases: ['expire-cache'], description: 'refresh the metadata first (makecache)' },
  disable_gpg_check: { type: 'bool', default: false, description: '--nogpgcheck' },
  autoremove: { type: 'bool', default: false, description: 'with no names: remove leaf packages no longer needed (dnf)' },
  exclude: { type: 'list', description: 'packages never installed or upgraded by this call' },
  skip_broken: { type: 'bool', default: false, description: '--skip-broken' },
  allow_downgrade: { type: 'bool', default: false, description: 'allow a pinned version below the installed one' },
  install_weak_deps: { type: 'bool', default: true, description: 'false: --setopt=install_weak_deps=False' },
  update_only: { type: 'bool', default: false, description: 'with latest: upgrade installed names, install none' },
  conf_file: { description: 'an alternative dnf/yum configuration file' },
  releasever: { description: '--releasever' },
  security: { type: 'bool', default: false, description: 'with latest: security updates only' },
  bugfix: { type: 'bool', default: false, description: 'with latest: bugfix updates only' },
  lock_timeout: { type: 'int', default: 30, description: 'accepted for Ansible compatibility (dnf waits for its lock itself)' },
  validate_certs: { type: 'bool', default: true, description: 'accepted for Ansible compatibility' },
} as const satisfies ArgSpecs;

const URL = /^[a-z][a-z0-9+.-]*:\/\//i;

function buildRpm(v: Record<string, any>, a: Parameters<typeof fail>[0], extra: Partial<RpmFlags>): RpmArgs {
  const names = ((v.name ?? []) as string[]).map((n) => n.trim()).filter(Boolean);
  for (const n of names) {
    if (n.includes('{{')) continue;
    if (URL.test(n)) fail(a, `"${n}" is a URL: downloading packages is not supported`, 'copy the .rpm to the host and give its path');
    if (n.startsWith('@')) fail(a, `package groups ("${n}") are not supported`, 'name the packages of the group');
    if (n.startsWith('-')) fail(a, `"${n}" looks like an option, not a package name`);
    if (/[<>]/.test(n) || /\s/.test(n)) fail(a, `version comparisons ("${n}") are not supported: give name-version`);
    if (n === '*' && v.state !== 'latest') fail(a, 'name "*" is only allowed with state=latest');
    if (n.endsWith('.rpm') && !n.includes('/')) fail(a, `"${n}": give the .rpm file's path on the host (with a "/")`);
  }
  const raw = v.state as string | undefined;
  const state =
    raw === 'installed'
      ? 'present'
      : raw === 'removed'
        ? 'absent'
        : ((raw ?? (v.autoremove && !names.length ? 'absent' : 'present')) as RpmArgs['state']);
  if (!names.length && !v.autoremove && !v.update_cache) fail(a, 'give name (or autoremove, or update_cache)');
  if (names.length && v.autoremove && state !== 'absent') fail(a, 'autoremove with names needs state=absent');
  return {
    names,
    state,
    updateCache: v.update_cache,
    autoremove: v.autoremove,
    updateOnly: v.update_only,
    flags: {
      enablerepo: v.enablerepo,
      disablerepo: v.disablerepo,
      disableGpgCheck: v.disable_gpg_check,
      exclude: v.exclude,
      skipBroken: v.skip_broken,
      allowDowngrade: v.allow_downgrade,
      installWeakDeps: v.install_weak_deps,
      confFile: v.conf_file,
      releasever: v.releasever,
      security: v.security,
      bugfix: v.bugfix,
      ...extra,
    },
  };
}

/** Plan for dnf or yum; `m` is the command used (the package module passes the manager it found). */
export async function planRpm(m: RpmManager, p: RpmArgs, probe: Probe): Promise<Plan> {
  const all = p.names.includes('*');
  const names = p.names.filter((n) => n !== '*');
  const parts = [section('mgr', `command -v ${m} >/dev/null 2>&1 && echo ${m} || echo missing`)];
  if (names.length) parts.push(section('installed', rpmQueryScript(names)));
  if (p.state === 'latest') parts.push(section('upgradable', rpmUpgradableScript(m, all ? [] : names, p.flags)));
  if (p.autoremove && !names.length) parts.push(section('unneeded', `${cmd(m, '-q', 'repoquery', '--unneeded')} 2>/dev/null`));
  const r = await probe.run(parts.join('; '));
  const s = sections(r.stdout);
  if (s.mgr?.trim() !== m)
    return { changed: false, failed: `${m} not found on the host${r.stderr ? `: ${firstError(r.stderr, '')}` : ''}` };
  const steps: Step[] = [];
  const notes: string[] = [];
  const before: string[] = [];
  const after: string[] = [];
  if (p.autoremove && !names.length) {
    const leaves = [...parseLines(s.unneeded ?? '')];
    if (leaves.length) {
      steps.push({ kind: 'exec', cmd: cmd(m, 'autoremove', '-y') });
      notes.push(`autoremove ${leaves.join(' ')}`);
      for (const l of leaves) before.push(`${l} installed\n`);
    }
  }
  const installed = parseYesNo(s.installed ?? '');
  const upgradable = parseLines(s.upgradable ?? '');
  const work = rpmPending(p.state, names, installed, upgradable);
  if (p.updateOnly) work.install = [];
  if (all && upgradable.size) work.upgrade = [...upgradable];
  const cmds = all && upgradable.size ? [cmd(m, 'upgrade', '-y', ...rpmFlagWords(p.flags))] : rpmCommands(m, work, p.flags);
  for (const c of cmds) steps.push({ kind: 'exec', cmd: c });
  const line = (xs: string[], was: string, now: string) => {
    for (const n of xs) {
      before.push(`${n} ${was}\n`);
      after.push(`${n} ${now}\n`);
    }
  };
  line(work.install, 'absent', 'installed');
  line(work.upgrade, 'installed', 'upgraded');
  line(work.remove, 'installed', 'absent');
  if (work.install.length) notes.push(`installed ${work.install.join(' ')}`);
  if (work.upgrade.length) notes.push(`upgraded ${work.upgrade.join(' ')}`);
  if (work.remove.length) notes.push(`removed ${work.remove.join(' ')}`);
  const result = { results: notes, rc: 0 };
  if (!steps.length && !p.updateCache) return { changed: false, note: `${p.names.join(' ') || 'nothing'} ${p.state} (${m})`, result };
  if (!steps.length)
    return {
      changed: false,
      note: `${p.names.join(' ') || 'nothing to do'} ${p.state} (${m}; metadata not refreshed: nothing to do)`,
      result,
    };
  if (p.updateCache) steps.unshift({ kind: 'exec', cmd: makecacheCommand(m, p.flags) });
  // Installing what is missing is idempotent: a loop's items install in one dnf call (one dependency resolution).
  const installOnly =
    p.state === 'present' &&
    !p.autoremove &&
    !p.updateOnly &&
    !all &&
    !work.upgrade.length &&
    !work.remove.length &&
    work.install.length > 0;
  const batch: NamesBatch | undefined = installOnly
    ? {
        key: JSON.stringify([m, p.updateCache, p.flags]),
        names: work.install,
        steps: (ns) => [
          ...(p.updateCache ? [{ kind: 'exec' as const, cmd: makecacheCommand(m, p.flags) }] : []),
          ...rpmCommands(m, { install: ns, upgrade: [], remove: [] }, p.flags).map((c): Step => ({ kind: 'exec', cmd: c })),
        ],
      }
    : undefined;
  return {
    changed: true,
    steps,
    note: `${notes.join('; ')} (${m})`,
    diff: [{ before: before.join(''), after: after.join('') }],
    result,
    ...(batch ? { batch } : {}),
  };
}

export const dnf = defineModule({
  name: 'dnf',
  doc: 'RPM packages with dnf, decided from rpm -q (and dnf check-update for latest); all names in one dnf call.',
  example: 'dnf: {name: [openvswitch, bridge-utils], state: present, enablerepo: epel}',
  args: {
    ...ARGS,
    nobest: { type: 'bool', default: false, description: '--nobest' },
    allowerasing: { type: 'bool', default: false, description: '--allowerasing' },
    cacheonly: { type: 'bool', default: false, description: '--cacheonly' },
  },
  build: (v, a) => buildRpm(v, a, { nobest: v.nobest, allowerasing: v.allowerasing, cacheonly: v.cacheonly }),
  merge: (batches) => mergeNames(batches as NamesBatch[]),
  plan: (p, probe) => planRpm('dnf', p, probe),
});

export const yum = defineModule({
  name: 'yum',
  doc: 'RPM packages with yum (or dnf when use_backend says so), decided from rpm -q; all names in one call.',
  example: 'yum: {name: openvswitch, state: latest, disablerepo: "*", enablerepo: local}',
  args: {
    ...ARGS,
    use_backend: {
      choices: ['auto', 'yum', 'yum4', 'dnf'],
      default: 'auto',
      description: 'auto/yum: the yum command; yum4/dnf: the dnf command',
    },
  },
  build: (v, a) => ({
    ...buildRpm(v, a, {}),
    backend: (v.use_backend === 'dnf' || v.use_backend === 'yum4' ? 'dnf' : 'yum') as RpmManager,
  }),
  merge: (batches) => mergeNames(batches as NamesBatch[]),
  plan: (p, probe) => planRpm(p.backend, p, probe),
});
