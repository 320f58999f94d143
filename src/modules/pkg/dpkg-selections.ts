// Ansible's dpkg_selections: a Debian package's selection (install, hold, deinstall, purge), read with
// `dpkg --get-selections NAME` and set with `dpkg --set-selections`; a hold keeps apt from upgrading the package.

import { cmd } from '../../remote/quote.js';
import { defineModule, type Plan } from '../types.js';

export interface DpkgSelectionArgs {
  name: string;
  selection: 'install' | 'hold' | 'deinstall' | 'purge';
}

/** The selection `dpkg --get-selections NAME` prints ("bash\t\t\tinstall"), or "not present" as Ansible says. */
export function currentSelection(out: string): string {
  const w = out.trim().split(/\s+/);
  return w.length > 1 ? w[1] : 'not present';
}

export const dpkgSelections = defineModule({
  name: 'dpkg_selections',
  doc: "Sets a Debian package's dpkg selection (hold keeps apt from upgrading it), only when it differs.",
  example: 'dpkg_selections: {name: docker-ce, selection: hold}',
  args: {
    name: { required: true, description: 'the package' },
    selection: { required: true, choices: ['install', 'hold', 'deinstall', 'purge'], description: 'the selection to have' },
  },
  build: (v): DpkgSelectionArgs => ({ name: v.name, selection: v.selection as DpkgSelectionArgs['selection'] }),
  async plan(p, probe): Promise<Plan> {
    const r = await probe.run(`LC_ALL=C ${cmd('dpkg', '--get-selections', p.name)}`);
    if (r.code !== 0)
      return {
        changed: false,
        failed: r.code === 127 ? 'dpkg is not installed on the host' : r.stderr.trim() || `dpkg exit code ${r.code}`,
      };
    const before = currentSelection(r.stdout);
    const result = { before, after: p.selection };
    if (before === p.selection) return { changed: false, note: `${p.name} ${before}`, result };
    return {
      changed: true,
      steps: [{ kind: 'exec', cmd: 'dpkg --set-selections', stdin: `${p.name} ${p.selection}` }],
      diff: [{ before: `${p.name} ${before}\n`, after: `${p.name} ${p.selection}\n` }],
      note: `${p.name} ${before} → ${p.selection}`,
      result,
    };
  },
});
