// Ansible's service_facts: every service the host's init knows, as ansible_facts.services (name, state, status,
// source), from systemd (one systemctl list-units and one list-unit-files) or SysV (`service --status-all`).

import { section, sections } from '../net/probe-text.js';
import { defineModule, factsPlan, type Plan } from '../types.js';

export interface ServiceFact {
  name: string;
  state: 'running' | 'stopped' | 'unknown';
  status: string;
  source: 'systemd' | 'sysv';
}

const PROBE = [
  'if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then',
  section('units', 'systemctl list-units --type=service --all --no-pager --plain --no-legend 2>/dev/null'),
  ';',
  section('files', 'systemctl list-unit-files --type=service --no-pager --plain --no-legend 2>/dev/null'),
  '; elif command -v service >/dev/null 2>&1; then',
  section('sysv', 'service --status-all 2>&1'),
  '; fi',
].join(' ');

/** systemd: `name.service loaded active running …` lines and `name.service enabled …` unit-file lines. */
export function systemdServices(units: string, files: string): Record<string, ServiceFact> {
  const out: Record<string, ServiceFact> = {};
  const status = new Map<string, string>();
  for (const l of files.split('\n')) {
    const [name, st] = l.trim().split(/\s+/);
    if (name?.endsWith('.service') && st) status.set(name, st);
  }
  for (const l of units.split('\n')) {
    const w = l.trim().replace(/^●\s*/, '').split(/\s+/);
    if (!w[0]?.endsWith('.service') || w.length < 4) continue;
    const sub = w[3];
    const state = sub === 'running' ? 'running' : ['dead', 'exited', 'failed'].includes(sub) ? 'stopped' : 'unknown';
    out[w[0]] = { name: w[0], state, status: status.get(w[0]) ?? (w[1] === 'not-found' ? 'not-found' : 'unknown'), source: 'systemd' };
  }
  for (const [name, st] of status) out[name] ??= { name, state: 'stopped', status: st, source: 'systemd' };
  return out;
}

/** SysV: `[ + ]  cron` (running), `[ - ]` (stopped), `[ ? ]` (unknown). */
export function sysvServices(text: string): Record<string, ServiceFact> {
  const out: Record<string, ServiceFact> = {};
  for (const l of text.split('\n')) {
    const m = /^\s*\[\s*([+?-])\s*\]\s+(\S+)/.exec(l);
    if (!m) continue;
    out[m[2]] = { name: m[2], state: m[1] === '+' ? 'running' : m[1] === '-' ? 'stopped' : 'unknown', status: 'unknown', source: 'sysv' };
  }
  return out;
}

export const service_facts = defineModule({
  name: 'service_facts',
  doc: "Reads every service the host's init knows into ansible_facts.services (state running/stopped, status enabled/disabled…).",
  example: 'service_facts:',
  args: {},
  build: () => ({}),
  async plan(_p, probe, ctx): Promise<Plan> {
    const s = sections((await probe.run(PROBE)).stdout);
    const services =
      s.units !== undefined ? systemdServices(s.units, s.files ?? '') : s.sysv !== undefined ? sysvServices(s.sysv) : undefined;
    if (!services) return { changed: false, failed: 'no systemd and no service command on the host: cannot list services' };
    return factsPlan(ctx, { services }, `${Object.keys(services).length} services`);
  },
});
