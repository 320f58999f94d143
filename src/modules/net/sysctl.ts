// A kernel parameter (net.ipv4.ip_forward for routed container subnets) set now and kept in a sysctl.d file.

import { cmd } from '../../remote/quote.js';
import { optStr } from '../args.js';
import { parentOf, statPaths } from '../fs.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { planFileUpdate } from './file-update.js';
import { fileSection, firstError, section, sections } from './probe-text.js';

export interface SysctlArgs {
  name: string;
  value?: string;
  state: 'present' | 'absent';
  file: string;
  /** Whether the running value is checked and set (sysctl -w): reload, or Ansible's sysctl_set. */
  reload: boolean;
  /** ansible.posix's ignoreerrors: a key this kernel does not have is kept in the file, not a failure. */
  ignoreErrors: boolean;
}

/** sysctl prints multi-value keys tab-separated; "4096 87380" and "4096\t87380" are the same setting. */
const norm = (v: string) => v.trim().split(/\s+/).join(' ');

export const sysctlProbe = (p: SysctlArgs): string =>
  [section('value', cmd('sysctl', '-n', p.name)), fileSection('file', p.file)].join('; ');

// Keeps every other line; the first line for the key is rewritten in place (kept as is when its value already
// matches), later duplicates dropped. value undefined removes the key.
export function withLine(text: string, name: string, value: string | undefined): string {
  const parse = (l: string) => /^\s*([^#;=\s][^=]*?)\s*=(.*)$/.exec(l);
  const out: string[] = [];
  let placed = false;
  for (const l of text.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''))) {
    const m = parse(l);
    if (m?.[1].replace(/\//g, '.') !== name) out.push(l);
    else if (!placed && value !== undefined) {
      out.push(norm(m[2]) === norm(value) ? l : `${name} = ${value}`);
      placed = true;
    }
  }
  if (!placed && value !== undefined) out.push(`${name} = ${value}`);
  return out.length ? `${out.join('\n')}\n` : '';
}

export const sysctl = defineModule({
  name: 'sysctl',
  doc: 'Sets a kernel parameter now and in /etc/sysctl.d, only when it differs.',
  example: 'sysctl: name=net.ipv4.ip_forward value=1',
  args: {
    name: { required: true, aliases: ['key'], description: 'the parameter (net.ipv4.ip_forward or net/ipv4/ip_forward)' },
    value: {
      type: 'raw',
      aliases: ['val'],
      // YAML reads `value: yes` as a boolean; the kernel wants 1 or 0.
      check: (a, k) => (typeof a.v[k] === 'boolean' ? (a.v[k] ? '1' : '0') : optStr(a, k)),
      description: 'the value (a boolean becomes 1 or 0)',
    },
    state: {
      choices: ['present', 'absent'],
      default: 'present',
      description: 'absent removes the line from sysctl_file (the running value stays)',
    },
    sysctl_file: { type: 'path', default: '/etc/sysctl.d/99-runbook.conf', description: 'file the setting is kept in' },
    reload: { type: 'bool', default: true, description: 'also set the running value (sysctl -w)' },
    // ansible.posix.sysctl's names, so its users' tasks run unchanged: with either, the running value is set
    sysctl_set: { type: 'bool', default: false, description: 'check the running value and set it (sysctl -w), even with reload: false' },
    ignoreerrors: {
      type: 'bool',
      default: false,
      description: 'a key this kernel does not have is written to sysctl_file without failing (its running value is left alone)',
    },
  },
  required_if: [['state', 'present', ['value']]],
  build: (v): SysctlArgs => ({
    name: v.name.replace(/\//g, '.'),
    value: v.value,
    state: v.state as SysctlArgs['state'],
    file: v.sysctl_file,
    reload: v.reload || v.sysctl_set,
    ignoreErrors: v.ignoreerrors,
  }),
  async plan(p, probe, ctx): Promise<Plan> {
    // The file's stat goes out with the value's probe (one round trip in a batch), not after it: a first run needs it.
    const stats = statPaths(probe, [p.file, parentOf(p.file)], { follow: true });
    stats.catch(() => undefined);
    const r = await probe.run(sysctlProbe(p));
    const s = sections(r.stdout);
    const now = s.value?.trim() ? norm(s.value) : undefined;
    if (now === undefined && p.state === 'present' && !p.ignoreErrors)
      return { changed: false, failed: `unknown kernel parameter ${p.name}: ${firstError(r.stderr, 'sysctl printed nothing')}` };
    const old = s.file;
    const next = withLine(old ?? '', p.name, p.state === 'present' ? p.value : undefined);
    const steps: Step[] = [];
    const diff = [];
    const want = p.value === undefined ? undefined : norm(p.value);
    if (p.state === 'present' && p.reload && now !== want && now !== undefined) {
      steps.push({ kind: 'exec', cmd: cmd('sysctl', '-w', `${p.name}=${p.value}`) });
      diff.push({ before: `${p.name} = ${now}\n`, after: `${p.name} = ${want}\n` });
    }
    if (next !== (old ?? '') && !(old === undefined && p.state === 'absent')) {
      const write = await planFileUpdate(probe, ctx, {
        dest: p.file,
        content: Buffer.from(next),
        old: old === undefined ? null : Buffer.from(old),
        stats,
      });
      if (write.failed) return write;
      steps.push(...(write.steps ?? []));
      diff.push(...(write.diff ?? []));
    }
    const note = p.state === 'present' ? `${p.name} = ${want}` : `${p.name} not in ${p.file}`;
    if (!steps.length) return { changed: false, note };
    return { changed: true, steps, diff, note };
  },
});
