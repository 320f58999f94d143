// Ansible's deb822_repository: /etc/apt/sources.list.d/<slug>.sources written field for field as Ansible writes it.
import { fail, mode as modeArg } from '../args.js';
import { statPaths } from '../fs.js';
import type { ArgSpecs } from '../spec.js';
import { defineModule, type Plan } from '../types.js';
import { planText, removeStep } from './repo-files.js';

const KEYRINGS = '/etc/apt/keyrings';

/** Ansible's slug: lower case, blanks and "_" runs to "-", anything but [a-z0-9-] dropped. */
export const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[_\s]+/g, '-')
    .replace(/[^a-z0-9-]+/g, '');

const FIELDS = {
  allow_downgrade_to_insecure: { type: 'bool', description: 'Allow-Downgrade-To-Insecure' },
  allow_insecure: { type: 'bool', description: 'Allow-Insecure' },
  allow_weak: { type: 'bool', description: 'Allow-Weak' },
  architectures: { type: 'list', aliases: ['arch'], description: 'Architectures' },
  by_hash: { type: 'bool', description: 'By-Hash' },
  check_date: { type: 'bool', description: 'Check-Date' },
  check_valid_until: { type: 'bool', description: 'Check-Valid-Until' },
  components: { type: 'list', description: 'Components' },
  date_max_future: { type: 'int', description: 'Date-Max-Future' },
  enabled: { type: 'bool', description: 'Enabled' },
  inrelease_path: { description: 'InRelease-Path' },
  languages: { type: 'list', description: 'Languages' },
  name: { required: true, description: 'X-Repolib-Name; also names the file (<slug>.sources)' },
  pdiffs: { type: 'bool', description: 'PDiffs' },
  signed_by: { description: 'Signed-By: a keyring path on the host or the armored key itself (URLs refused: no downloads)' },
  suites: { type: 'list', description: 'Suites' },
  targets: { type: 'list', description: 'Targets' },
  trusted: { type: 'bool', description: 'Trusted' },
  types: { type: 'list', default: ['deb'], description: 'Types: deb and/or deb-src' },
  uris: { type: 'list', description: 'URIs' },
} as const satisfies ArgSpecs;

/** Ansible's format_field_name: name → X-Repolib-Name, uris → URIs, else Title-Case with "-". */
export function fieldName(key: string): string {
  if (key === 'name') return 'X-Repolib-Name';
  if (key === 'uris') return 'URIs';
  return key
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('-');
}

/** The file's text: fields in the order of their argument names, booleans yes/no, lists joined by blanks, multi-line values folded. */
export function renderSources(values: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(values).sort()) {
    const v = values[key];
    if (v === undefined || v === null) continue;
    let text = typeof v === 'boolean' ? (v ? 'yes' : 'no') : Array.isArray(v) ? v.join(' ') : String(v);
    if (text.includes('\n'))
      text = `\n${text
        .trim()
        .split('\n')
        .map((l) => `    ${l.trim() || '.'}`)
        .join('\n')}`;
    out += text.startsWith('\n') ? `${fieldName(key)}:${text}\n` : `${fieldName(key)}: ${text}\n`;
  }
  return out;
}

export const deb822Repository = defineModule({
  name: 'deb822_repository',
  doc: 'A deb822 APT source, /etc/apt/sources.list.d/<slug>.sources, written as Ansible writes it (run apt update_cache after a change).',
  example:
    'deb822_repository: {name: docker, uris: https://download.docker.com/linux/debian, suites: bookworm, components: stable, signed_by: /etc/apt/keyrings/docker.asc}',
  args: {
    ...FIELDS,
    mode: { type: 'raw', check: modeArg, default: '0644', description: 'mode of the .sources file' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'absent also removes /etc/apt/keyrings/<slug>.asc|.gpg' },
    install_python_debian: { type: 'bool', default: true, description: 'accepted: not needed (no Python on the host is used)' },
  },
  required_if: [['state', 'present', ['types', 'uris', 'suites']]],
  build(v, a) {
    const { mode, state, install_python_debian: _unused, ...fields } = v;
    for (const t of v.types as string[])
      if (!t.includes('{{') && t !== 'deb' && t !== 'deb-src') fail(a, `types must be deb or deb-src, got "${t}"`);
    const sb = v.signed_by as string | undefined;
    if (sb && !sb.includes('{{') && /^[a-z][a-z0-9+.-]*:\/\//i.test(sb.trim()))
      fail(
        a,
        `signed_by "${sb}" is a URL: downloading keys is not supported`,
        'put the key on the host (copy to /etc/apt/keyrings/) and give its path, or give the armored key text',
      );
    if (slugOf(v.name) === '') fail(a, `name "${v.name}" leaves no letters or digits for the file name`);
    const suites = (v.suites ?? []) as string[];
    if (state === 'present' && !(v.components ?? []).length && suites.some((s) => !s.endsWith('/')))
      fail(a, 'components are required unless every suite is an exact path ending in "/"');
    return { fields: fields as Record<string, unknown>, mode: mode as string, state: state as 'present' | 'absent', slug: slugOf(v.name) };
  },
  async plan(p, probe, ctx): Promise<Plan> {
    const dest = `/etc/apt/sources.list.d/${p.slug}.sources`;
    const keys = [`${KEYRINGS}/${p.slug}.asc`, `${KEYRINGS}/${p.slug}.gpg`];
    const result = { dest, repo: null as string | null, key_filename: null };
    if (p.state === 'absent') {
      const have = await statPaths(probe, [dest, ...keys]);
      const gone = [dest, ...keys].filter((_, i) => have[i].type !== 'absent');
      if (!gone.length) return { changed: false, note: `${dest} absent`, result };
      return { changed: true, steps: [removeStep(...gone)], note: `removed ${gone.join(', ')}`, result };
    }
    const text = renderSources(p.fields);
    const plan = await planText(probe, ctx, dest, text, undefined, { mode: p.mode });
    return { ...plan, result: { ...plan.result, ...result, repo: text } };
  },
});
