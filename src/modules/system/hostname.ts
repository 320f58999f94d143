// The host's name, now (hostname / hostnamectl --transient) and across reboots (/etc/hostname or the distribution's file).

import { cmd } from '../../remote/quote.js';
import { planFileUpdate } from '../net/file-update.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { exactFileSection, exactFileText } from './probe-file.js';

export type HostnameStrategy = 'systemd' | 'debian' | 'redhat' | 'alpine' | 'openrc' | 'generic';

export interface HostnameArgs {
  name: string;
  use?: HostnameStrategy;
}

/** Where each strategy keeps the name across reboots, and how a line there is written. */
const PERSIST: Record<
  Exclude<HostnameStrategy, 'systemd'>,
  { file: string; read(text: string): string; write(text: string | undefined, name: string): string }
> = {
  debian: { file: '/etc/hostname', read: (t) => t.trim(), write: (_t, n) => `${n}\n` },
  generic: { file: '/etc/hostname', read: (t) => t.trim(), write: (_t, n) => `${n}\n` },
  alpine: { file: '/etc/hostname', read: (t) => t.trim(), write: (_t, n) => `${n}\n` },
  redhat: { file: '/etc/sysconfig/network', read: (t) => keyValue(t, 'HOSTNAME'), write: (t, n) => withKey(t ?? '', 'HOSTNAME', n, false) },
  openrc: { file: '/etc/conf.d/hostname', read: (t) => keyValue(t, 'hostname'), write: (t, n) => withKey(t ?? '', 'hostname', n, true) },
};

function keyValue(text: string, key: string): string {
  const m = new RegExp(`^\\s*${key}=(.*)$`, 'm').exec(text);
  return m ? m[1].trim().replace(/^"(.*)"$/, '$1') : '';
}

// The KEY= line replaced where it is (or appended), everything else kept.
function withKey(text: string, key: string, value: string, quoted: boolean): string {
  const line = `${key}=${quoted ? `"${value}"` : value}`;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const i = lines.findIndex((l) => new RegExp(`^\\s*${key}=`).test(l));
  if (i >= 0) lines[i] = line;
  else lines.push(line);
  return `${lines.join('\n')}\n`;
}

/** A probe section name for a file (names are word characters). */
const sectionOf = (file: string) => `file${file.replace(/\W+/g, '-')}`;

const DETECT = [
  'if [ -d /run/systemd/system ] && hostnamectl --static >/dev/null 2>&1; then echo systemd',
  'elif [ -f /etc/alpine-release ]; then echo alpine',
  'elif [ -f /etc/conf.d/hostname ] && { command -v openrc >/dev/null 2>&1 || [ -d /run/openrc ]; }; then echo openrc',
  'elif [ -f /etc/redhat-release ] && [ ! -f /etc/hostname ]; then echo redhat',
  'elif [ -f /etc/debian_version ]; then echo debian',
  'else echo generic; fi',
].join('; ');

export const hostnameProbe = (p: HostnameArgs): string =>
  [
    section('strategy', p.use ? `echo ${p.use}` : DETECT),
    section('current', 'hostname 2>/dev/null || uname -n'),
    ...(p.use === undefined || p.use === 'systemd'
      ? [section('static', 'hostnamectl --static 2>/dev/null'), section('pretty', 'hostnamectl --pretty 2>/dev/null')]
      : []),
    ...[...new Set(Object.values(PERSIST).map((x) => x.file))].map((f) => exactFileSection(sectionOf(f), f)),
  ].join('; ');

export const hostname = defineModule({
  name: 'hostname',
  doc: 'Sets the host’s name now and persistently (hostnamectl on systemd, else the distribution’s file and `hostname`).',
  example: 'hostname: {name: web1}',
  args: {
    name: { required: true, description: 'the new host name' },
    use: {
      choices: ['systemd', 'debian', 'redhat', 'alpine', 'openrc', 'generic'],
      description: 'how to set it (default: detected: systemd when hostnamectl answers, else alpine, openrc, redhat, debian, generic)',
    },
  },
  build: (v): HostnameArgs => ({ name: v.name, use: v.use as HostnameStrategy | undefined }),
  async plan(p, probe, ctx): Promise<Plan> {
    const s = sections((await probe.run(hostnameProbe(p))).stdout);
    const strategy = (s.strategy?.trim() || 'generic') as HostnameStrategy;
    const current = s.current?.trim() ?? '';
    const short = p.name.split('.')[0];
    const domain = p.name.includes('.') ? p.name.slice(p.name.indexOf('.') + 1) : '';
    const facts = { ansible_hostname: short, ansible_nodename: p.name, ansible_fqdn: p.name, ansible_domain: domain };
    const result: Record<string, unknown> = { name: p.name, ansible_facts: facts };
    const steps: Step[] = [];
    const diff: { path?: string; before: string; after: string }[] = [];
    if (strategy === 'systemd') {
      if (current !== p.name) steps.push({ kind: 'exec', cmd: cmd('hostnamectl', '--transient', 'set-hostname', p.name) });
      const stat = s.static?.trim() ?? '';
      const pretty = s.pretty?.trim() ?? '';
      if (stat !== p.name || (pretty !== '' && pretty !== p.name))
        steps.push({ kind: 'exec', cmd: cmd('hostnamectl', '--pretty', '--static', 'set-hostname', p.name) });
      if (steps.length)
        diff.push({ before: `hostname = ${current}\nstatic = ${stat}\n`, after: `hostname = ${p.name}\nstatic = ${p.name}\n` });
    } else {
      const persist = PERSIST[strategy];
      const old = exactFileText(s[sectionOf(persist.file)]);
      if (persist.read(old ?? '') !== p.name) {
        const content = persist.write(old, p.name);
        const write = await planFileUpdate(probe, ctx, {
          dest: persist.file,
          content: Buffer.from(content),
          old: old === undefined ? null : Buffer.from(old),
          mode: old === undefined ? '0644' : undefined,
        });
        if (write.failed) return { ...write, result };
        steps.push(...(write.steps ?? []));
        diff.push({ path: persist.file, before: old ?? '', after: content });
      }
      if (current !== p.name) {
        steps.push({ kind: 'exec', cmd: strategy === 'alpine' ? cmd('hostname', '-F', '/etc/hostname') : cmd('hostname', p.name) });
        diff.push({ before: `hostname = ${current}\n`, after: `hostname = ${p.name}\n` });
      }
    }
    const note = `${p.name} (${strategy})`;
    if (!steps.length) return { changed: false, note, result, facts };
    return { changed: true, steps, diff, note, result, facts };
  },
});
