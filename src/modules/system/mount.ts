// A filesystem line in fstab and, as asked, mounted or unmounted now (ansible.posix.mount's states).

import { cmd, quote } from '../../remote/quote.js';
import { planFileUpdate } from '../net/file-update.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { exactFileSection, exactFileText } from './probe-file.js';

export type MountState = 'mounted' | 'present' | 'unmounted' | 'absent' | 'remounted';

export interface MountArgs {
  path: string;
  src?: string;
  fstype?: string;
  opts: string;
  dump: string;
  passno: string;
  state: MountState;
  fstab: string;
  backup: boolean;
}

/** fstab's and /proc/mounts' octal escapes (a blank is \040), as Ansible writes them. */
export const escapeField = (s: string): string =>
  s.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/\t/g, '\\011').replace(/\n/g, '\\012');
const unescapeField = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(Number.parseInt(o, 8)));

export const fstabLine = (p: MountArgs): string =>
  [p.src ?? '', p.path, p.fstype ?? '', p.opts, p.dump, p.passno].map((f, i) => (i >= 3 ? f : escapeField(f))).join(' ');

/** fstab with the path's line made (or removed): other lines kept, the first line for the path rewritten in place. */
export function nextFstab(text: string, p: MountArgs, remove: boolean): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const want = fstabLine(p);
  const out: string[] = [];
  let placed = false;
  for (const l of lines) {
    const f = l.trim().split(/\s+/);
    const mine = !l.trim().startsWith('#') && f.length >= 2 && unescapeField(f[1]) === p.path;
    if (!mine) out.push(l);
    else if (!remove && !placed) {
      const same =
        unescapeField(f[0]) === p.src && f[2] === p.fstype && f[3] === p.opts && (f[4] ?? '0') === p.dump && (f[5] ?? '0') === p.passno;
      out.push(same ? l : want);
      placed = true;
    }
  }
  if (!remove && !placed) out.push(want);
  return out.length ? `${out.join('\n')}\n` : '';
}

export const mount = defineModule({
  name: 'mount',
  doc: 'A filesystem in fstab and mounted, unmounted or remounted now (ansible.posix.mount).',
  example: 'mount: {path: /mnt/scratch, src: tmpfs, fstype: tmpfs, opts: size=64m, state: mounted}',
  args: {
    path: { type: 'path', required: true, aliases: ['name'], description: 'the mount point' },
    src: { description: 'the device (or tmpfs, or host:/export); needed for present and mounted' },
    fstype: { description: 'the filesystem type; needed for present and mounted' },
    opts: { default: 'defaults', description: 'mount options, comma separated' },
    dump: { default: '0', description: 'fstab dump field' },
    passno: { default: '0', description: 'fstab fsck pass field' },
    state: {
      choices: ['mounted', 'present', 'unmounted', 'absent', 'remounted'],
      required: true,
      description:
        'mounted: in fstab and mounted; present: in fstab only; unmounted: unmounted, fstab kept; absent: unmounted and out of fstab; remounted: remount now',
    },
    fstab: { type: 'path', default: '/etc/fstab', description: 'the file holding the line' },
    boot: { type: 'bool', default: true, description: 'false adds noauto to opts (not mounted at boot)' },
    backup: { type: 'bool', default: false, description: 'keep a timestamped copy of fstab before changing it' },
  },
  required_if: [
    ['state', 'present', ['src', 'fstype']],
    ['state', 'mounted', ['src', 'fstype']],
  ],
  build(v): MountArgs {
    let opts = v.opts as string;
    if (v.boot === false && !opts.split(',').includes('noauto')) opts = opts === 'defaults' ? 'noauto' : `${opts},noauto`;
    return {
      path: v.path.length > 1 ? v.path.replace(/\/+$/, '') : v.path,
      src: v.src,
      fstype: v.fstype,
      opts,
      dump: v.dump,
      passno: v.passno,
      state: v.state as MountState,
      fstab: v.fstab,
      backup: v.backup,
    };
  },
  async plan(p, probe, ctx): Promise<Plan> {
    const s = sections(
      (
        await probe.run(
          [
            exactFileSection('fstab', p.fstab),
            section('mounted', `awk -v p=${quote(escapeField(p.path))} '$2 == p { print }' /proc/self/mounts`),
            section('dir', `[ -d ${quote(p.path)} ] && echo yes`),
          ].join('; '),
        )
      ).stdout,
    );
    const result: Record<string, unknown> = {
      name: p.path,
      src: p.src ?? null,
      fstype: p.fstype ?? null,
      opts: p.opts,
      dump: p.dump,
      passno: p.passno,
      fstab: p.fstab,
      state: p.state,
    };
    const mounted = (s.mounted ?? '').trim() !== '';
    const old = exactFileText(s.fstab);
    const steps: Step[] = [];
    const diff: { path?: string; before: string; after: string }[] = [];
    const notes: string[] = [];
    const T = p.fstab === '/etc/fstab' ? [] : ['-T', p.fstab];
    const mountCmd = cmd('mount', ...T, p.path);
    const remount = `${cmd('mount', '-o', 'remount', ...T, p.path)} || { ${cmd('umount', p.path)} && ${mountCmd}; }`;
    let fstabChanged = false;
    if (p.state === 'mounted' || p.state === 'present' || p.state === 'absent') {
      const next = nextFstab(old ?? '', p, p.state === 'absent');
      if (next !== (old ?? '')) {
        const write = await planFileUpdate(probe, ctx, {
          dest: p.fstab,
          content: Buffer.from(next),
          old: old === undefined ? null : Buffer.from(old),
          mode: old === undefined ? '0644' : undefined,
          backup: p.backup,
        });
        if (write.failed) return { ...write, result };
        steps.push(...(write.steps ?? []));
        diff.push({ path: p.fstab, before: old ?? '', after: next });
        fstabChanged = true;
        notes.push(p.state === 'absent' ? `${p.path} out of ${p.fstab}` : `${p.path} in ${p.fstab}`);
      }
    }
    if (p.state === 'absent' || p.state === 'unmounted') {
      if (mounted) {
        // unmount before the fstab rewrite lands is fine either way; unmount first so a failure leaves fstab as it was
        steps.unshift({ kind: 'exec', cmd: cmd('umount', p.path) });
        notes.push(`${p.path} unmounted`);
        diff.push({ before: `${p.path} mounted\n`, after: `${p.path} not mounted\n` });
      }
      if (p.state === 'absent' && steps.length && s.dir?.trim() === 'yes')
        steps.push({ kind: 'exec', cmd: `rmdir ${quote(p.path)} 2>/dev/null || true` });
    }
    if (p.state === 'mounted') {
      if (s.dir?.trim() !== 'yes') steps.push({ kind: 'exec', cmd: cmd('mkdir', '-p', p.path) });
      if (!mounted) {
        steps.push({ kind: 'exec', cmd: mountCmd });
        notes.push(`${p.path} mounted`);
        diff.push({ before: `${p.path} not mounted\n`, after: `${p.path} mounted\n` });
      } else if (fstabChanged) {
        steps.push({ kind: 'exec', cmd: remount });
        notes.push(`${p.path} remounted`);
      }
    }
    if (p.state === 'remounted') {
      if (!mounted) return { changed: false, failed: `${p.path} is not mounted: nothing to remount`, result };
      steps.push({ kind: 'exec', cmd: remount });
      notes.push(`${p.path} remounted`);
    }
    if (!steps.length) return { changed: false, note: `${p.path} ${p.state}`, result };
    return { changed: true, steps, diff, note: notes.join(', '), result };
  },
});
