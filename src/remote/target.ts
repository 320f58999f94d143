// Where and as whom to connect, merged from inventory vars, ~/.ssh/config and ssh's defaults.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { defaultSshConfigFile, expandPath, localUser, resolveSshConfig } from './ssh-config.js';

// Everything connectSsh needs for one host; secrets stay in memory and out of messages.
export interface SshTarget {
  /** Inventory name, for messages. */
  name: string;
  host: string;
  port: number;
  user: string;
  keyFiles: string[];
  password?: string;
  passphrase?: string;
  /** `[user@]host[:port]` of one jump host. */
  proxyJump?: string;
  becomePassword?: string;
}

// Precedence: inventory ansible_* vars > ssh config (looked up by ansible_host, else the name) > defaults.
export function resolveTarget(
  name: string,
  vars: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
  sshConfigFile: string = defaultSshConfigFile(),
): SshTarget {
  const alias = str(vars, 'ansible_host') ?? name;
  const cfg = resolveSshConfig(alias, sshConfigFile);

  // ansible_host is what ssh would be given; a Host block's HostName maps it, as it would for ssh.
  const host = cfg.hostName ?? alias;
  const port = portOf(vars, name) ?? cfg.port ?? 22;
  const user = str(vars, 'ansible_user') ?? cfg.user ?? localUser();

  const explicitKey = str(vars, 'ansible_ssh_private_key_file') ?? str(vars, 'ansible_private_key_file');
  const configured = [...(explicitKey ? [expandPath(explicitKey)] : []), ...cfg.identityFiles];
  const keyFiles = configured.length > 0 ? unique(configured) : defaultKeyFiles();

  return {
    name,
    host,
    port,
    user,
    keyFiles,
    password: str(vars, 'ansible_password') ?? str(vars, 'ansible_ssh_pass') ?? nonEmpty(env.RUNBOOK_SSH_PASSWORD),
    passphrase: nonEmpty(env.RUNBOOK_SSH_PASSPHRASE),
    proxyJump: cfg.proxyJump,
    becomePassword: str(vars, 'ansible_become_password') ?? str(vars, 'ansible_become_pass'),
  };
}

// ssh's default identities, only those that exist (OpenSSH skips the others silently).
export function defaultKeyFiles(): string[] {
  const dir = join(process.env.HOME || homedir(), '.ssh');
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(dir, f)).filter((f) => existsSync(f));
}

// `[user@]host[:port]`, also `[v6addr]:port`; only the first hop of a comma list.
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  const first = spec
    .split(',')[0]
    .trim()
    .replace(/^ssh:\/\//, '');
  const at = first.lastIndexOf('@');
  const user = at >= 0 ? first.slice(0, at) : undefined;
  const rest = at >= 0 ? first.slice(at + 1) : first;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest);
  if (!m) throw new InputError(`bad ProxyJump "${spec}": expected [user@]host[:port]`);
  return { user: user || undefined, host: m[1], port: m[2] ? Number(m[2]) : undefined };
}

function portOf(vars: Record<string, unknown>, name: string): number | undefined {
  const v = vars.ansible_port ?? vars.ansible_ssh_port;
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v));
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new InputError(`host ${name}: ansible_port must be a port number (1-65535), got ${JSON.stringify(v)}`);
  }
  return n;
}

function str(vars: Record<string, unknown>, key: string): string | undefined {
  const v = vars[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const nonEmpty = (s: string | undefined): string | undefined => (s ? s : undefined);
const unique = (xs: string[]): string[] => [...new Set(xs)];
