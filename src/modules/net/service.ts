// A systemd unit started/stopped/enabled; hosts without systemd get a clear failure instead of a cryptic bus error.

import { cmd, quote } from '../../remote/quote.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { section, sections } from './probe-text.js';

export interface ServiceArgs {
  name: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
}

export const serviceProbe = (name: string): string =>
  [
    section('systemctl', 'command -v systemctl >/dev/null 2>&1 && echo yes || echo no'),
    section('booted', '[ -d /run/systemd/system ] && echo yes || echo no'),
    section('active', `systemctl is-active ${quote(name)} 2>/dev/null`),
    section('enabled', `systemctl is-enabled ${quote(name)} 2>/dev/null`),
  ].join('; ');

/** Unit-file states that count as enabled, or that `systemctl enable` cannot change (static, generated…). */
const ENABLED = ['enabled', 'enabled-runtime', 'alias', 'static', 'indirect', 'generated', 'transient'];

export const service = defineModule({
  name: 'service',
  doc: 'A systemd unit started, stopped or enabled; a host without systemd fails clearly.',
  example: 'service: {name: docker, state: restarted, enabled: true}',
  args: {
    name: { required: true, description: 'the unit (docker or docker.service)' },
    state: { choices: ['started', 'stopped', 'restarted', 'reloaded'], description: 'restarted and reloaded always act' },
    enabled: { type: 'bool', description: 'start at boot' },
  },
  required_one_of: [['state', 'enabled']],
  build: (v): ServiceArgs => ({ name: v.name, state: v.state as ServiceArgs['state'], enabled: v.enabled }),
  async plan(p, probe): Promise<Plan> {
    const s = sections((await probe.run(serviceProbe(p.name))).stdout);
    const val = (k: string) => s[k]?.trim() ?? '';
    const noSystemd = (why: string): Plan => ({
      changed: false,
      failed: `host has no systemd (${why}): manage ${p.name} with shell or your init system`,
    });
    if (val('systemctl') !== 'yes') return noSystemd('systemctl not found');
    if (p.state !== undefined && val('booted') !== 'yes') return noSystemd('systemd is not running as PID 1');
    const enabledState = val('enabled');
    if (enabledState === '' || enabledState === 'not-found') return { changed: false, failed: `unit ${p.name} not found` };
    if (enabledState.startsWith('masked') && (p.enabled || (p.state && p.state !== 'stopped')))
      return { changed: false, failed: `unit ${p.name} is masked: unmask it first (systemctl unmask ${p.name})` };

    const active = val('active');
    const running = active === 'active' || active === 'activating' || active === 'reloading';
    const steps: Step[] = [];
    const before: string[] = [];
    const after: string[] = [];
    const systemctl = (verb: string) => steps.push({ kind: 'exec', cmd: cmd('systemctl', verb, p.name) });
    const verb = {
      started: running ? undefined : 'start',
      stopped: running ? 'stop' : undefined,
      restarted: 'restart',
      reloaded: 'reload',
    }[p.state ?? 'started'];
    if (p.state && verb) {
      systemctl(verb);
      before.push(`${p.name} ${active || 'unknown'}`);
      after.push(
        `${p.name} ${p.state === 'stopped' ? 'inactive' : 'active'}${p.state === 'restarted' || p.state === 'reloaded' ? ` (${p.state})` : ''}`,
      );
    }
    const isEnabled = ENABLED.includes(enabledState);
    const fixed = ['static', 'indirect', 'generated', 'transient', 'alias'].includes(enabledState);
    if (p.enabled !== undefined && p.enabled !== isEnabled && !fixed && !(p.enabled === false && enabledState.startsWith('masked'))) {
      systemctl(p.enabled ? 'enable' : 'disable');
      before.push(`${p.name} ${enabledState}`);
      after.push(`${p.name} ${p.enabled ? 'enabled' : 'disabled'}`);
    }
    const note = [p.state && `${p.name} ${p.state}`, p.enabled !== undefined && (p.enabled ? 'enabled' : 'disabled')]
      .filter(Boolean)
      .join(', ');
    if (!steps.length) return { changed: false, note };
    return { changed: true, steps, diff: [{ before: `${before.join('\n')}\n`, after: `${after.join('\n')}\n` }], note };
  },
});
