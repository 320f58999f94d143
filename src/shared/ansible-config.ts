// The ansible.cfg and ANSIBLE_* settings runbook honours, found where Ansible looks: $ANSIBLE_CONFIG, ./ansible.cfg
// (not in a world-writable directory), ~/.ansible.cfg, /etc/ansible/ansible.cfg — the first that exists, alone. An
// environment variable beats the file, a command-line option beats both. Settings runbook has no use for are read and
// left (`-v` names them). The INI reader is written here (a dozen lines) because Ansible reads the file with Python's
// configparser — `key = value` or `key: value`, indented continuation lines, ';' comments only after a blank — which
// the ini package does not follow (it cuts values at '#').
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../errors.js';

export interface AnsibleSettings {
  /** The file read, if any. */
  file?: string;
  inventory?: string[];
  rolesPath?: string[];
  remoteUser?: string;
  privateKeyFile?: string;
  forks?: number;
  /** Seconds to wait for a host's SSH to answer (Ansible's `timeout`). */
  timeout?: number;
  hostKeyChecking?: boolean;
  vaultPasswordFile?: string;
  /** implicit and smart gather facts by default, explicit does not. */
  gathering?: 'implicit' | 'explicit' | 'smart';
  become?: boolean;
  becomeUser?: string;
  /** section.key of the file's settings runbook does not use. */
  ignored: string[];
  /** Why a ./ansible.cfg was passed over (a world-writable directory), as Ansible warns. */
  skipped?: string;
}

type Kind = 'bool' | 'int' | 'text' | 'path' | 'pathlist' | 'pathspec' | 'gathering' | 'sudo';
interface Setting {
  key: keyof Omit<AnsibleSettings, 'file' | 'ignored' | 'skipped'>;
  section: string;
  name: string;
  env: string;
  kind: Kind;
}
const SETTINGS: Setting[] = [
  { key: 'inventory', section: 'defaults', name: 'inventory', env: 'ANSIBLE_INVENTORY', kind: 'pathlist' },
  { key: 'rolesPath', section: 'defaults', name: 'roles_path', env: 'ANSIBLE_ROLES_PATH', kind: 'pathspec' },
  { key: 'remoteUser', section: 'defaults', name: 'remote_user', env: 'ANSIBLE_REMOTE_USER', kind: 'text' },
  { key: 'privateKeyFile', section: 'defaults', name: 'private_key_file', env: 'ANSIBLE_PRIVATE_KEY_FILE', kind: 'path' },
  { key: 'forks', section: 'defaults', name: 'forks', env: 'ANSIBLE_FORKS', kind: 'int' },
  { key: 'timeout', section: 'defaults', name: 'timeout', env: 'ANSIBLE_TIMEOUT', kind: 'int' },
  { key: 'hostKeyChecking', section: 'defaults', name: 'host_key_checking', env: 'ANSIBLE_HOST_KEY_CHECKING', kind: 'bool' },
  { key: 'vaultPasswordFile', section: 'defaults', name: 'vault_password_file', env: 'ANSIBLE_VAULT_PASSWORD_FILE', kind: 'path' },
  { key: 'gathering', section: 'defaults', name: 'gathering', env: 'ANSIBLE_GATHERING', kind: 'gathering' },
  { key: 'become', section: 'privilege_escalation', name: 'become', env: 'ANSIBLE_BECOME', kind: 'bool' },
  { key: 'becomeUser', section: 'privilege_escalation', name: 'become_user', env: 'ANSIBLE_BECOME_USER', kind: 'text' },
  // checked, not kept: runbook becomes with sudo only
  { key: 'becomeUser', section: 'privilege_escalation', name: 'become_method', env: 'ANSIBLE_BECOME_METHOD', kind: 'sudo' },
];

interface Entry {
  value: string;
  line: number;
}

/** configparser's reading: sections, `k = v` / `k: v`, '#'/';' comment lines, ' ;' inline comments, continuations. */
export function parseIni(text: string, file: string): Map<string, Map<string, Entry>> {
  const out = new Map<string, Map<string, Entry>>();
  let section: Map<string, Entry> | undefined;
  let last: Entry | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') {
      if (raw.trim() === '') last = undefined;
      return;
    }
    const stripped = raw.replace(/\s;.*$/, '');
    if (/^\s/.test(raw) && last) {
      last.value += `\n${stripped.trim()}`;
      return;
    }
    const head = /^\[([^\]]+)\]\s*$/.exec(stripped);
    if (head) {
      section = out.get(head[1]) ?? new Map();
      out.set(head[1], section);
      last = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!kv) throw new InputError(`${file}:${line}: "${raw.trim()}" is not a setting`, { hint: 'write key = value under a [section]' });
    if (!section) throw new InputError(`${file}:${line}: "${kv[1]}" comes before any [section]`, { hint: 'put it under [defaults]' });
    last = { value: kv[2].trim(), line };
    section.set(kv[1].toLowerCase(), last);
  });
  return out;
}

/** The config file Ansible would read, or undefined. */
export function findAnsibleCfg(env: NodeJS.ProcessEnv, cwd: string): { file?: string; skipped?: string } {
  if (env.ANSIBLE_CONFIG) {
    const given = resolve(cwd, expand(env.ANSIBLE_CONFIG, env));
    const file = existsSync(given) && statSync(given).isDirectory() ? join(given, 'ansible.cfg') : given;
    if (existsSync(file)) return { file };
  }
  let skipped: string | undefined;
  const local = join(cwd, 'ansible.cfg');
  if (existsSync(local)) {
    if (statSync(cwd).mode & 0o002) skipped = `${local}: not read, as Ansible does not, because ${cwd} is world-writable`;
    else return { file: local };
  }
  const home = join(env.HOME || homedir(), '.ansible.cfg');
  if (existsSync(home)) return { file: home, skipped };
  if (existsSync('/etc/ansible/ansible.cfg')) return { file: '/etc/ansible/ansible.cfg', skipped };
  return { skipped };
}

/** os.path.expandvars and expanduser: $VAR and ${VAR} that are set, and a leading ~. */
function expand(v: string, env: NodeJS.ProcessEnv): string {
  const vars = v.replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a, b) => env[a ?? b] ?? m);
  return vars === '~' || vars.startsWith('~/') ? join(env.HOME || homedir(), vars.slice(1)) : vars;
}

const TRUE = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE = ['n', 'no', 'off', '0', 'false', 'f'];

function convert(s: Setting, value: string, base: string, where: string, env: NodeJS.ProcessEnv): unknown {
  const path = (p: string) => {
    const e = expand(p.trim(), env);
    return isAbsolute(e) ? e : resolve(base, e);
  };
  const bad = (what: string, example: string): never => {
    throw new InputError(`${where}: ${s.name} must be ${what}, not ${JSON.stringify(value)}`, {
      hint: `for example: ${s.name} = ${example}`,
    });
  };
  switch (s.kind) {
    case 'bool':
      if (TRUE.includes(value.toLowerCase())) return true;
      if (FALSE.includes(value.toLowerCase())) return false;
      return bad('true or false', 'true');
    case 'int':
      return /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : bad('a whole number above 0', '20');
    case 'gathering':
      return ['implicit', 'explicit', 'smart'].includes(value) ? value : bad('implicit, explicit or smart', 'explicit');
    case 'sudo':
      if (value !== 'sudo') {
        throw new InputError(`${where}: become_method is ${JSON.stringify(value)}: runbook becomes with sudo only`, {
          hint: 'remove become_method (or set it to sudo), with sudo on the hosts',
        });
      }
      return undefined;
    case 'path':
      return path(value);
    case 'pathlist':
      return value
        .split(',')
        .filter((p) => p.trim())
        .map(path);
    case 'pathspec':
      return value
        .split(delimiter)
        .filter((p) => p.trim())
        .map(path);
    default:
      return value;
  }
}

/** Reads the settings: the config file's, then the environment's over them. */
export function readAnsibleSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): AnsibleSettings {
  const { file, skipped } = findAnsibleCfg(env, cwd);
  const out: AnsibleSettings = { ignored: [], skipped };
  if (file) {
    out.file = file;
    const ini = parseIni(readFileSync(file, 'utf8'), file);
    const known = new Set(SETTINGS.map((s) => `${s.section}.${s.name}`));
    for (const [section, entries] of ini)
      for (const k of entries.keys()) if (!known.has(`${section}.${k}`)) out.ignored.push(`${section}.${k}`);
    for (const s of SETTINGS) {
      const e = ini.get(s.section)?.get(s.name);
      const v = e && convert(s, e.value, dirname(file), `${file}:${e.line}`, env);
      if (v !== undefined) Object.assign(out, { [s.key]: v });
    }
  }
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw === undefined || raw === '') continue;
    const v = convert(s, raw, cwd, `environment variable ${s.env}`, env);
    if (v !== undefined) Object.assign(out, { [s.key]: v });
  }
  return out;
}

let current: AnsibleSettings | undefined;
/** The settings of this process, read once (the CLI reads them before anything loads). */
export function ansibleSettings(): AnsibleSettings {
  current ??= readAnsibleSettings();
  return current;
}
/** For tests: read again (from the given environment and folder) on the next call. */
export function resetAnsibleSettings(next?: AnsibleSettings): void {
  current = next;
}
