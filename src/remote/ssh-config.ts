// Reads ~/.ssh/config so hosts reachable with plain `ssh alias` are reachable by runbook too.
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { InputError } from '../errors.js';

export { resolveTarget } from './target.js';

export interface SshConfigEntry {
  hostName?: string;
  user?: string;
  port?: number;
  /** `~` and %-tokens expanded; in file order. */
  identityFiles: string[];
  /** First hop of ProxyJump (`[user@]host[:port]`); absent for `none`. */
  proxyJump?: string;
}

// The default config file, resolved at call time so tests can change HOME.
export function defaultSshConfigFile(): string {
  return join(home(), '.ssh', 'config');
}

// What `ssh -G alias` would say for the few options runbook uses; a missing file means no options.
export function resolveSshConfig(alias: string, file: string = defaultSshConfigFile()): SshConfigEntry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { identityFiles: [] };
    throw new InputError(`cannot read ssh config ${file}: ${code ?? (e as Error).message}`, { cause: e });
  }
  let computed: Record<string, string | string[]>;
  try {
    computed = SSHConfig.parse(text).compute(alias, { ignoreCase: true, matchExec: false });
  } catch (e) {
    throw new InputError(`cannot parse ssh config ${file}: ${(e as Error).message}`, { cause: e });
  }
  const first = (k: string): string | undefined => {
    const v = computed[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const all = (k: string): string[] => {
    const v = computed[k];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };

  const user = first('user');
  const hostName = first('hostname');
  const portText = first('port');
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InputError(`ssh config ${file}: bad Port "${portText}" for host ${alias}`);
    }
  }
  const host = hostName?.replace(/%h/g, alias).replace(/%%/g, '%');
  const tokens = { alias, host: host ?? alias, user, port: port ?? 22 };
  const jump = first('proxyjump');
  return {
    hostName: host,
    user,
    port,
    identityFiles: all('identityfile')
      .filter((f) => f.toLowerCase() !== 'none')
      .map((f) => expandPath(expandTokens(f, tokens))),
    proxyJump: jump === undefined || jump.toLowerCase() === 'none' ? undefined : jump,
  };
}

// `~/x` → $HOME/x, as ssh does for IdentityFile and friends.
export function expandPath(p: string): string {
  if (p === '~') return home();
  if (p.startsWith('~/')) return join(home(), p.slice(2));
  return p;
}

// The %-tokens that make sense in IdentityFile (ssh_config(5) TOKENS).
function expandTokens(s: string, t: { alias: string; host: string; user?: string; port: number }): string {
  return s.replace(/%(.)/g, (whole, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'd':
        return home();
      case 'h':
        return t.host;
      case 'n':
        return t.alias;
      case 'p':
        return String(t.port);
      case 'r':
        return t.user ?? localUser();
      case 'u':
        return localUser();
      default:
        return whole;
    }
  });
}

function home(): string {
  return process.env.HOME || homedir();
}

// The local login name; ssh's default remote user.
export function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}
