// A service started/stopped/enabled through the host's own init: systemd, OpenRC or SysV init scripts.

import { cmd, quote } from '../../remote/quote.js';
import { section, sections } from '../net/probe-text.js';
import { shlexSplit } from '../shlex.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { planSystemd, type ServiceState, type SystemdArgs, systemdSections } from './systemd.js';

export type Init = 'systemd' | 'openrc' | 'sysvinit';

export interface ServiceArgs {
  name?: string;
  state?: ServiceState;
  enabled?: boolean;
  use: 'auto' | Init | 'service';
  sleep?: number;
  pattern?: string;
  arguments?: string;
  runlevel: string;
  /** systemd's own arguments given (daemon_reload, masked…): Ansible's service passes them to its systemd module. */
  systemd: Partial<Pick<SystemdArgs, 'masked' | 'force' | 'daemonReload' | 'daemonReexec' | 'scope' | 'noBlock'>>;
}

/** A service task that names its service (all but a systemd daemon_reload). */
export type Named = ServiceArgs & { name: string };

/** The systemd arguments service takes as systemd's (Ansible's service action runs ansible.legacy.systemd with them). */
const SYSTEMD_ONLY = {
  daemon_reload: 'daemonReload',
  daemon_reexec: 'daemonReexec',
  masked: 'masked',
  no_block: 'noBlock',
  scope: 'scope',
  force: 'force',
} as const satisfies Record<string, keyof ServiceArgs['systemd']>;

/** Which init the host runs, by the same marks Ansible's service_mgr fact looks at. */
const DETECT =
  'if [ -d /run/systemd/system ]; then echo systemd; elif command -v openrc >/dev/null 2>&1 || [ -d /run/openrc ]; then echo openrc; else echo sysvinit; fi';

const sysvSections = (p: Named): string[] => {
  const script = `/etc/init.d/${p.name}`;
  return [
    section('script', `[ -x ${quote(script)} ] && echo yes`),
    section(
      'status',
      p.pattern
        ? `${cmd('pgrep', '-f', p.pattern)} >/dev/null 2>&1; echo $?`
        : `if [ -x ${quote(script)} ]; then ${cmd(script, 'status')} >/dev/null 2>&1; echo $?; else echo 4; fi`,
    ),
    section(
      'tool',
      'if command -v update-rc.d >/dev/null 2>&1; then echo update-rc.d; elif command -v chkconfig >/dev/null 2>&1; then echo chkconfig; fi',
    ),
    section('slinks', `ls -d /etc/rc?.d/S??${quote(p.name)} 2>/dev/null`),
    section('klinks', `ls -d /etc/rc?.d/K??${quote(p.name)} 2>/dev/null`),
    section('chkconfig', `command -v chkconfig >/dev/null 2>&1 && ${cmd('chkconfig', '--list', p.name)} 2>/dev/null`),
  ];
};

const openrcSections = (p: Named): string[] => [
  section('script', `[ -x ${quote(`/etc/init.d/${p.name}`)} ] && echo yes`),
  section(
    'status',
    p.pattern
      ? `${cmd('pgrep', '-f', p.pattern)} >/dev/null 2>&1; echo $?`
      : `${cmd('rc-service', p.name, 'status')} >/dev/null 2>&1; echo $?`,
  ),
  section('runlevel', `[ -e ${quote(`/etc/runlevels/${p.runlevel}/${p.name}`)} ] && echo yes`),
];

export function serviceProbe(p: Named, known?: Init): string {
  const sys = systemdSections({ name: p.name, scope: 'system', enabled: p.enabled }).join('; ');
  const per: Record<Init, string> = { systemd: sys, openrc: openrcSections(p).join('; '), sysvinit: sysvSections(p).join('; ') };
  if (known) return [section('init', `echo ${known}`), per[known]].join('; ');
  return `${section('init', 'i=$(' + DETECT + '); echo "$i"')}; case "$i" in systemd) ${per.systemd};; openrc) ${per.openrc};; *) ${per.sysvinit};; esac`;
}

const ACTIVE_TEXT = (running: boolean) => (running ? 'running' : 'stopped');

/** Start/stop/restart/enable for SysV and OpenRC hosts, from the probe sections. */
export function planScripted(p: Named, init: 'openrc' | 'sysvinit', s: Record<string, string | undefined>): Plan {
  const val = (k: string) => s[k]?.trim() ?? '';
  const result: Record<string, unknown> = { name: p.name };
  if (val('script') !== 'yes' && !(init === 'sysvinit' && p.state === undefined && p.enabled !== undefined && val('tool') === 'chkconfig'))
    return {
      changed: false,
      failed: `Could not find the requested service ${p.name}: no /etc/init.d/${p.name} on this ${init} host`,
      result,
    };
  const running = val('status') === '0';
  const steps: Step[] = [];
  const before: string[] = [];
  const after: string[] = [];
  const control = (verb: string) =>
    init === 'openrc'
      ? cmd('rc-service', p.name, verb)
      : cmd(`/etc/init.d/${p.name}`, verb, ...(p.arguments ? shlexSplit(p.arguments) : []));
  if (p.state !== undefined) {
    const verbs: string[] =
      p.state === 'started'
        ? running
          ? []
          : ['start']
        : p.state === 'stopped'
          ? running
            ? ['stop']
            : []
          : p.state === 'reloaded'
            ? [running ? 'reload' : 'start']
            : p.sleep
              ? ['stop', `sleep ${p.sleep}`, 'start']
              : ['restart'];
    for (const v of verbs) steps.push({ kind: 'exec', cmd: v.startsWith('sleep ') ? v : control(v) });
    if (verbs.length) {
      before.push(`${p.name} ${ACTIVE_TEXT(running)}`);
      after.push(
        `${p.name} ${p.state === 'stopped' ? 'stopped' : 'running'}${p.state === 'restarted' || p.state === 'reloaded' ? ` (${p.state})` : ''}`,
      );
    }
    result.state = p.state;
  }
  if (p.enabled !== undefined) {
    let enabled: boolean;
    let change: string[] = [];
    if (init === 'openrc') {
      enabled = val('runlevel') === 'yes';
      change = [cmd('rc-update', p.enabled ? 'add' : 'del', p.name, p.runlevel)];
    } else if (val('tool') === 'update-rc.d') {
      enabled = val('slinks') !== '';
      // Ansible's order: links from `defaults` first when the script has none, then enable/disable.
      change = p.enabled
        ? [...(val('klinks') === '' ? [cmd('update-rc.d', p.name, 'defaults')] : []), cmd('update-rc.d', p.name, 'enable')]
        : [cmd('update-rc.d', p.name, 'disable')];
    } else if (val('tool') === 'chkconfig') {
      enabled = /\d:on\b/.test(val('chkconfig'));
      change = [cmd('chkconfig', p.name, p.enabled ? 'on' : 'off')];
    } else {
      return { changed: false, failed: `cannot enable ${p.name} at boot: neither update-rc.d nor chkconfig is on this host`, result };
    }
    if (enabled !== p.enabled) {
      steps.push(...change.map((c): Step => ({ kind: 'exec', cmd: c })));
      before.push(`${p.name} ${enabled ? 'enabled' : 'disabled'}`);
      after.push(`${p.name} ${p.enabled ? 'enabled' : 'disabled'}`);
    }
    result.enabled = p.enabled;
  }
  const note = [`${init}:`, p.state && `${p.name} ${p.state}`, p.enabled !== undefined && (p.enabled ? 'enabled' : 'disabled')]
    .filter(Boolean)
    .join(' ');
  if (!steps.length) return { changed: false, note, result };
  return { changed: true, steps, diff: [{ before: `${before.join('\n')}\n`, after: `${after.join('\n')}\n` }], note, result };
}

export const service = defineModule({
  name: 'service',
  doc: 'A service started, stopped or enabled through the host’s init (systemd, OpenRC or SysV scripts with update-rc.d/chkconfig).',
  example: 'service: {name: docker, state: restarted, enabled: true}',
  args: {
    name: {
      aliases: ['service', 'unit'],
      description: 'the service (unit or init script name); only a systemd daemon_reload goes without',
    },
    state: { choices: ['started', 'stopped', 'restarted', 'reloaded'], description: 'restarted and reloaded always act' },
    enabled: { type: 'bool', description: 'start at boot' },
    use: {
      choices: ['auto', 'systemd', 'openrc', 'sysvinit', 'service'],
      default: 'auto',
      description: 'the init to use (auto: the ansible_service_mgr fact, else what the host shows: /run/systemd/system, OpenRC, SysV)',
    },
    sleep: { type: 'int', description: 'restarted on SysV/OpenRC: seconds between stop and start' },
    pattern: { description: 'SysV/OpenRC: a process pattern (pgrep -f) telling whether it runs, for scripts without status' },
    arguments: {
      aliases: ['args'],
      description: 'SysV: extra words after the init script’s verb (split like a shell would, each one quoted)',
    },
    runlevel: { default: 'default', description: 'OpenRC: the runlevel for enabled' },
    // Ansible's service action runs its systemd module on systemd hosts, with these among the arguments
    daemon_reload: { type: 'bool', aliases: ['daemon-reload'], description: 'systemd hosts: systemctl daemon-reload first' },
    daemon_reexec: { type: 'bool', aliases: ['daemon-reexec'], description: 'systemd hosts: systemctl daemon-reexec first' },
    masked: { type: 'bool', description: 'systemd hosts: the unit masked (or unmasked)' },
    no_block: { type: 'bool', description: 'systemd hosts: systemctl --no-block' },
    scope: { choices: ['system', 'user', 'global'], description: 'systemd hosts: the systemctl scope' },
    force: { type: 'bool', description: 'systemd hosts: systemctl --force for enable/mask' },
  },
  required_one_of: [['state', 'enabled', 'masked', 'daemon_reload', 'daemon_reexec']],
  required_if: [
    ['state', 'started', ['name']],
    ['state', 'stopped', ['name']],
    ['state', 'restarted', ['name']],
    ['state', 'reloaded', ['name']],
    ['enabled', true, ['name']],
    ['enabled', false, ['name']],
    ['masked', true, ['name']],
    ['masked', false, ['name']],
  ],
  build: (v): ServiceArgs => ({
    name: v.name,
    state: v.state as ServiceArgs['state'],
    enabled: v.enabled,
    use: v.use as ServiceArgs['use'],
    sleep: v.sleep,
    pattern: v.pattern,
    arguments: v.arguments,
    runlevel: v.runlevel,
    systemd: Object.fromEntries(
      Object.entries(SYSTEMD_ONLY).flatMap(([arg, key]) =>
        v[arg as keyof typeof v] !== undefined ? [[key, v[arg as keyof typeof v]]] : [],
      ),
    ),
  }),
  async plan(p, probe, ctx): Promise<Plan> {
    const fact = ctx.vars.ansible_service_mgr;
    const use = p.use === 'service' ? 'sysvinit' : p.use;
    const known: Init | undefined =
      use !== 'auto' ? use : fact === 'systemd' || fact === 'openrc' || fact === 'sysvinit' ? fact : undefined;
    const sd: SystemdArgs = {
      name: p.name,
      state: p.state,
      enabled: p.enabled,
      force: false,
      daemonReload: false,
      daemonReexec: false,
      scope: 'system',
      noBlock: false,
      ...p.systemd,
    };
    const systemdOnly = Object.entries(SYSTEMD_ONLY).flatMap(([arg, key]) => (p.systemd[key] !== undefined ? [arg] : []));
    const unsupported = (init: Init): Plan => ({
      changed: false,
      failed: systemdOnly.length
        ? `Unsupported parameters for (${init}) module: ${systemdOnly.join(', ')} (service passes them to systemd, and this host runs ${init})`
        : `missing required arguments: name (${init} hosts)`,
    });
    // No unit (a daemon_reload alone) or another scope: only systemd does that, probed as the systemd module probes.
    if (p.name === undefined || sd.scope !== 'system') {
      const init = known ?? ((sections((await probe.run(section('init', DETECT))).stdout).init?.trim() || 'sysvinit') as Init);
      if (init !== 'systemd') return unsupported(init);
      return planSystemd(sd, sections((await probe.run(systemdSections(sd).join('; '))).stdout));
    }
    const s = sections((await probe.run(serviceProbe({ ...p, name: p.name }, known))).stdout);
    const init = (s.init?.trim() || 'sysvinit') as Init;
    if (init === 'systemd') {
      const plan = planSystemd(sd, s);
      // Keep the service module's own words for a missing unit.
      if (plan.failed?.startsWith('Could not find')) return { ...plan, failed: `unit ${p.name} not found` };
      return plan;
    }
    if (systemdOnly.length) return unsupported(init);
    return planScripted({ ...p, name: p.name }, init, s);
  },
});
