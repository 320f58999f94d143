// Ansible's yum_repository: one [section] of /etc/yum.repos.d/<file>.repo, written in the ini layout Ansible's
// configparser writes (keys sorted, booleans 1/0, list continuation lines indented by a tab).
import { fail, mode as modeArg } from '../args.js';
import { planWrite, statPaths } from '../fs.js';
import type { ArgSpecs } from '../spec.js';
import { defineModule, type Plan } from '../types.js';
import { removeStep } from './repo-files.js';

const BOOLS = [
  'async',
  'enabled',
  'enablegroups',
  'gpgcheck',
  'keepalive',
  'module_hotfixes',
  'protect',
  'repo_gpgcheck',
  's3_enabled',
  'skip_if_unavailable',
  'ssl_check_cert_permissions',
  'sslverify',
] as const;
const STRS = [
  'bandwidth',
  'cost',
  'deltarpm_metadata_percentage',
  'deltarpm_percentage',
  'gpgcakey',
  'include',
  'metadata_expire',
  'metalink',
  'mirrorlist',
  'mirrorlist_expire',
  'password',
  'priority',
  'proxy',
  'proxy_password',
  'proxy_username',
  'retries',
  'throttle',
  'timeout',
  'ui_repoid_vars',
  'username',
] as const;

const REPO_ARGS: ArgSpecs = {
  ...Object.fromEntries(BOOLS.map((k) => [k, { type: 'bool', description: `${k} (written 1/0)` }])),
  ...Object.fromEntries(STRS.map((k) => [k, { description: k }])),
  baseurl: { type: 'list', description: 'repository URL(s); several are written one per continuation line' },
  gpgkey: { type: 'list', description: 'key URL(s) or file:// paths' },
  exclude: { type: 'list', description: 'packages excluded (written blank-separated)' },
  includepkgs: { type: 'list', description: 'the only packages used (written blank-separated)' },
  failovermethod: { choices: ['roundrobin', 'priority'], description: 'failovermethod' },
  http_caching: { choices: ['all', 'packages', 'none'], description: 'http_caching' },
  ip_resolve: { choices: ['4', '6', 'IPv4', 'IPv6', 'whatever'], description: 'ip_resolve' },
  keepcache: { choices: ['0', '1'], description: 'keepcache' },
  metadata_expire_filter: {
    choices: ['never', 'read-only:past', 'read-only:present', 'read-only:future'],
    description: 'metadata_expire_filter',
  },
  sslcacert: { aliases: ['ca_cert'], description: 'sslcacert' },
  sslclientcert: { aliases: ['client_cert'], description: 'sslclientcert' },
  sslclientkey: { aliases: ['client_key'], description: 'sslclientkey' },
};
// sslverify's alias as Ansible spells it
(REPO_ARGS.sslverify as { aliases?: string[] }).aliases = ['validate_certs'];

/** An ini file as Python's configparser reads it: sections in order, keys lower-cased, continuation lines joined with "\n". */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let cur: Map<string, string> | undefined;
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (/^\s*[#;]/.test(line) || line.trim() === '') {
      if (line.trim() === '') last = undefined;
      continue;
    }
    if (/^\s/.test(line) && cur && last !== undefined) {
      cur.set(last, `${cur.get(last)}\n${line.trim()}`);
      continue;
    }
    const sec = /^\[(.+)\]\s*$/.exec(line);
    if (sec) {
      cur = out.get(sec[1]) ?? new Map();
      out.set(sec[1], cur);
      last = undefined;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv && cur) {
      last = kv[1].trim().toLowerCase();
      cur.set(last, kv[2].trim());
    }
  }
  return out;
}

/** configparser's write: "[section]", "key = value" (continuations indented by a tab), a blank line after each section. */
export function writeIni(ini: Map<string, Map<string, string>>): string {
  let out = '';
  for (const [name, keys] of ini) {
    out += `[${name}]\n`;
    for (const [k, v] of keys) out += `${k} = ${v.replace(/\n/g, '\n\t')}\n`;
    out += '\n';
  }
  return out;
}

/** The section's keys as Ansible sets them: sorted argument names, "name" holding the description. */
export function repoKeys(values: Record<string, unknown>): Map<string, string> {
  const keys = new Map<string, string>();
  for (const k of Object.keys(values).sort()) {
    const v = values[k];
    if (v === undefined || v === null) continue;
    if (typeof v === 'boolean') keys.set(k, v ? '1' : '0');
    else if (Array.isArray(v)) keys.set(k, v.join(k === 'baseurl' || k === 'gpgkey' ? '\n' : ' '));
    else keys.set(k, String(v));
  }
  return keys;
}

export const yumRepository = defineModule({
  name: 'yum_repository',
  doc: 'One [repo] section of /etc/yum.repos.d/<file>.repo, in the same ini layout as Ansible writes; the file goes when its last section does.',
  example:
    'yum_repository: {name: epel, description: EPEL YUM repo, baseurl: "https://download.fedoraproject.org/pub/epel/$releasever/$basearch/", gpgcheck: true}',
  args: {
    name: { required: true, description: 'the repository id (the [section])' },
    description: { description: 'the human name (written as name = …); required with state=present' },
    file: { description: 'file name without .repo (default: the repository id)' },
    reposdir: { type: 'path', default: '/etc/yum.repos.d', description: 'directory of the .repo files (must exist)' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'absent removes the section' },
    mode: { type: 'raw', check: modeArg, description: 'mode of the .repo file' },
    owner: { description: 'owner of the .repo file' },
    group: { description: 'group of the .repo file' },
    ...REPO_ARGS,
  },
  build(v, a) {
    const { name, description, file, reposdir, state, mode, owner, group, ...rest } = v as Record<string, any>;
    if (state === 'present') {
      if (rest.baseurl === undefined && rest.metalink === undefined && rest.mirrorlist === undefined)
        fail(a, "Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.");
      if (description === undefined) fail(a, "Parameter 'description' is required.");
    }
    if (/[\]\n]/.test(name)) fail(a, `repository id "${name}" cannot hold "]" or a newline`);
    return {
      id: name as string,
      keys: repoKeys({ ...rest, name: description }),
      dest: `${String(reposdir).replace(/\/+$/, '')}/${file ?? name}.repo`,
      reposdir: reposdir as string,
      state: state as 'present' | 'absent',
      mode: mode as string | undefined,
      owner: owner as string | undefined,
      group: group as string | undefined,
    };
  },
  async plan(p, probe, ctx): Promise<Plan> {
    const [have, dir] = await statPaths(probe, [p.dest, p.reposdir], { follow: true, hash: true });
    if (dir.type !== 'dir') return { changed: false, failed: `Repo directory '${p.reposdir}' does not exist.` };
    const buf = have.type === 'file' ? await probe.readFile(p.dest) : null;
    const old = buf === null ? null : buf.toString('utf8');
    const ini = parseIni(old ?? '');
    const result = { repo: p.id, state: p.state };
    const sameKeys = (m?: Map<string, string>) => m !== undefined && [...m].sort().join('\n') === [...p.keys].sort().join('\n');
    let text = old ?? '';
    if (p.state === 'absent') {
      if (!ini.has(p.id)) return { changed: false, note: `[${p.id}] absent`, result };
      ini.delete(p.id);
      if (!ini.size)
        return {
          changed: true,
          steps: [removeStep(p.dest)],
          diff: [{ path: p.dest, before: old ?? '', after: '' }],
          note: `removed ${p.dest}`,
          result,
        };
      text = writeIni(ini);
    } else if (!sameKeys(ini.get(p.id))) {
      // Ansible removes the section and adds it again: it moves to the end of the file.
      ini.delete(p.id);
      ini.set(p.id, p.keys);
      text = writeIni(ini);
    }
    // An unchanged section leaves the file's bytes alone, as Ansible compares before writing; mode/owner/group still apply.
    const plan = await planWrite(
      {
        dest: p.dest,
        content: Buffer.from(text),
        old: old === null ? null : Buffer.from(old),
        mode: p.mode,
        owner: p.owner,
        group: p.group,
      },
      have,
      probe,
      ctx,
    );
    return { ...plan, result: { ...plan.result, ...result } };
  },
});
