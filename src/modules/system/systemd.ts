// A systemd unit started/stopped/enabled/masked, with daemon-reload; hosts without systemd fail clearly.

import { cmd } from '../../remote/quote.js';
import { fail } from '../args.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type ModuleDef, type Plan, type Step } from '../types.js';

export type ServiceState = 'started' | 'stopped' | 'restarted' | 'reloaded';

export interface SystemdArgs {
  name?: string;
  state?: ServiceState;
  enabled?: boolean;
  masked?: boolean;
  force: boolean;
  daemonReload: boolean;
  daemonReexec: boolean;
  scope: 'system' | 'user' | 'global';
  noBlock: boolean;
}

const scopeFlag = (p: Pick<SystemdArgs, 'scope'>) => (p.scope === 'system' ? [] : [`--${p.scope}`]);

/**
 * Probe sections for one unit: is systemd here, its show properties (LoadState, ActiveState, UnitFileState: one
 * systemctl, as Ansible reads them), and `is-enabled` only when the task asks about enabled (Ansible's test for it:
 * it also answers for SysV scripts systemd-sysv-install manages).
 */
export const systemdSections = (p: Pick<SystemdArgs, 'name' | 'scope' | 'enabled'>): string[] => {
  const sc = scopeFlag(p);
  return [
    section('systemctl', 'command -v systemctl >/dev/null 2>&1 && echo yes || echo no'),
    section('booted', '[ -d /run/systemd/system ] && echo yes || echo no'),
    ...(p.name
      ? [
          section('show', `${cmd('systemctl', ...sc, 'show', p.name)} 2>/dev/null`),
          ...(p.enabled !== undefined ? [section('enabled', `${cmd('systemctl', ...sc, 'is-enabled', p.name)} 2>/dev/null`)] : []),
        ]
      : []),
  ];
};

/** Unit-file states that count as enabled, or that `systemctl enable` cannot change (static, generated…). */
const ENABLED = ['enabled', 'enabled-runtime', 'alias', 'static', 'indirect', 'generated', 'transient'];
const FIXED = ['static', 'indirect', 'generated', 'transient', 'alias'];

/** The systemd plan from already-read probe sections (service reuses it on systemd hosts). */
export function planSystemd(p: SystemdArgs, s: Record<string, string | undefined>): Plan {
  const val = (k: string) => s[k]?.trim() ?? '';
  const name = p.name ?? '';
  const noSystemd = (why: string): Plan => ({
    changed: false,
    failed: `host has no systemd (${why}): manage ${name || 'the unit'} with shell or your init system`,
  });
  if (val('systemctl') !== 'yes') return noSystemd('systemctl not found');
  if ((p.state !== undefined || p.daemonReload || p.daemonReexec) && p.scope === 'system' && val('booted') !== 'yes')
    return noSystemd('systemd is not running as PID 1');
  const sc = scopeFlag(p);
  const steps: Step[] = [];
  const before: string[] = [];
  const after: string[] = [];
  const notes: string[] = [];
  const systemctl = (...args: string[]) => steps.push({ kind: 'exec', cmd: cmd('systemctl', ...sc, ...args) });
  // Reloading systemd's view is an action, not a change to the unit: it alone leaves the task ok, as in Ansible.
  const pre: Step[] = [];
  for (const [on, verb] of [
    [p.daemonReload, 'daemon-reload'],
    [p.daemonReexec, 'daemon-reexec'],
  ] as const) {
    if (!on) continue;
    pre.push({ kind: 'exec', cmd: cmd('systemctl', ...sc, verb) });
    notes.push(verb);
  }
  const always = pre.length ? pre : undefined;
  if (!p.name) return { changed: false, always, note: notes.join(', '), result: {} };

  const status: Record<string, string> = {};
  for (const l of (s.show ?? '').split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) status[l.slice(0, i)] = l.slice(i + 1);
  }
  const enabledState = val('enabled') || status.UnitFileState || '';
  const result: Record<string, unknown> = { name, status };
  const found = status.LoadState ? status.LoadState !== 'not-found' : enabledState !== '' && enabledState !== 'not-found';
  const masked = enabledState.startsWith('masked') || status.LoadState === 'masked' || status.UnitFileState?.startsWith('masked');
  if (!found && !(p.masked === true)) {
    if (p.state !== undefined || p.enabled !== undefined || p.masked !== undefined)
      return { changed: false, failed: `Could not find the requested service ${name}: host`, result };
  }
  let nowMasked = masked;
  if (p.masked !== undefined && p.masked !== masked) {
    systemctl(p.masked ? 'mask' : 'unmask', ...(p.force && p.masked ? ['--force'] : []), name);
    before.push(`${name} ${masked ? 'masked' : 'not masked'}`);
    after.push(`${name} ${p.masked ? 'masked' : 'not masked'}`);
    nowMasked = p.masked;
  }
  if (nowMasked && (p.enabled || (p.state && p.state !== 'stopped')))
    return { changed: false, failed: `unit ${name} is masked: unmask it first (masked: false, or systemctl unmask ${name})`, result };

  if (p.enabled !== undefined) {
    const isEnabled = ENABLED.includes(enabledState);
    if (p.enabled !== isEnabled && !FIXED.includes(enabledState) && !(p.enabled === false && nowMasked)) {
      systemctl(p.enabled ? 'enable' : 'disable', ...(p.force ? ['--force'] : []), name);
      before.push(`${name} ${enabledState || 'disabled'}`);
      after.push(`${name} ${p.enabled ? 'enabled' : 'disabled'}`);
    }
    result.enabled = p.enabled;
  }
  if (p.state !== undefined) {
    const active = status.ActiveState ?? '';
    const running = active === 'active' || active === 'activating' || active === 'reloading';
    const verb = {
      started: running ? undefined : 'start',
      stopped: running ? 'stop' : undefined,
      restarted: 'restart',
      reloaded: running ? 'reload' : 'start',
    }[p.state];
    if (verb) {
      systemctl(...(p.noBlock ? ['--no-block'] : []), verb, name);
      before.push(`${name} ${active || 'unknown'}`);
      after.push(
        `${name} ${p.state === 'stopped' ? 'inactive' : 'active'}${p.state === 'restarted' || p.state === 'reloaded' ? ` (${p.state})` : ''}`,
      );
    }
    result.state = p.state;
  }
  const note = [
    ...notes,
    p.state && `${name} ${p.state}`,
    p.enabled !== undefined && (p.enabled ? 'enabled' : 'disabled'),
    p.masked !== undefined && (p.masked ? 'masked' : 'unmasked'),
  ]
    .filter(Boolean)
    .join(', ');
  if (!steps.length) return { changed: false, always, note, result };
  return {
    changed: true,
    steps: [...pre, ...steps],
    diff: [{ before: `${before.join('\n')}\n`, after: `${after.join('\n')}\n` }],
    note,
    result,
  };
}

const args = {
  name: { aliases: ['service', 'unit'], description: 'the unit (docker or docker.service)' },
  state: { choices: ['started', 'stopped', 'restarted', 'reloaded'], description: 'restarted and reloaded always act' },
  enabled: { type: 'bool', description: 'start at boot' },
  force: { type: 'bool', default: false, description: 'enable/mask with --force (replace conflicting symlinks)' },
  masked: { type: 'bool', description: 'masked (cannot be started at all) or not' },
  daemon_reload: {
    type: 'bool',
    default: false,
    aliases: ['daemon-reload'],
    description: 'systemctl daemon-reload first (the task stays ok for it alone)',
  },
  daemon_reexec: { type: 'bool', default: false, aliases: ['daemon-reexec'], description: 'systemctl daemon-reexec first' },
  scope: {
    choices: ['system', 'user', 'global'],
    default: 'system',
    description: 'the system manager, the calling user’s, or all users’ (global: enable/mask only)',
  },
  no_block: { type: 'bool', default: false, description: 'do not wait for start/stop jobs to finish (--no-block)' },
} as const;

function systemdModule(name: string): ModuleDef<SystemdArgs> {
  return defineModule({
    name,
    doc: 'A systemd unit started, stopped, enabled or masked, and daemon-reload; a host without systemd fails clearly.',
    example: `${name}: {name: docker, state: started, enabled: true, daemon_reload: true}`,
    args,
    required_one_of: [['state', 'enabled', 'masked', 'daemon_reload', 'daemon_reexec']],
    build(v, a): SystemdArgs {
      for (const k of ['state', 'enabled', 'masked'] as const)
        if (v[k] !== undefined && !v.name) fail(a, `missing parameter(s) required by '${k}': name`);
      if (v.scope === 'global' && v.state !== undefined)
        fail(a, 'state cannot be used with scope: global (there is no running instance to start or stop)');
      return {
        name: v.name,
        state: v.state as ServiceState | undefined,
        enabled: v.enabled,
        masked: v.masked,
        force: v.force,
        daemonReload: v.daemon_reload,
        daemonReexec: v.daemon_reexec,
        scope: v.scope as SystemdArgs['scope'],
        noBlock: v.no_block,
      };
    },
    async plan(p, probe): Promise<Plan> {
      return planSystemd(p, sections((await probe.run(systemdSections(p).join('; '))).stdout));
    },
  });
}

export const systemd = systemdModule('systemd');
export const systemdService = systemdModule('systemd_service');
