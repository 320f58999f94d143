// Builds the executor's connector from CLI options: inventory vars → SshTarget → one ssh2 connection.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConnectError, InputError, RunbookError } from '../errors.js';
import { CONNECT_TIMEOUT_VAR, type Connector } from '../executor/pool.js';
import type { Connection } from '../remote/connection.js';
import { type HostKeyPolicy, KnownHosts } from '../remote/known-hosts.js';

// ssh2 pings every interval and gives up when the count is exceeded: 3 s × 3 → lost within 12 s.
export const KEEPALIVE_INTERVAL_MS = 3000;
export const KEEPALIVE_COUNT_MAX = 3;

export interface ConnectOptions {
  knownHosts?: string;
  hostKeyChecking?: HostKeyPolicy;
  user?: string;
  privateKey?: string;
  /** ansible.cfg's remote_user and private_key_file: used where no variable and no option names one. */
  defaultUser?: string;
  defaultPrivateKey?: string;
  connectTimeout?: number;
  /** -v: say when a host gets exec channels instead of the persistent shell. */
  verbose?: number;
}

/** A connector that can also check, before any host is touched, what would fail every connect. */
export type CheckedConnector = Connector & { check(targets: { host: string; vars: Record<string, unknown> }[]): Promise<void> };

export function makeConnector(o: ConnectOptions): CheckedConnector {
  const files = new Map<string, KnownHosts>();
  const knownHostsFor = (vars: Record<string, unknown>) => {
    const file =
      o.knownHosts ??
      (typeof vars.runbook_known_hosts === 'string' ? vars.runbook_known_hosts : undefined) ??
      join(process.env.HOME || homedir(), '.ssh', 'known_hosts');
    let kh = files.get(file);
    if (!kh) files.set(file, (kh = new KnownHosts(file, o.hostKeyChecking ?? 'accept-new')));
    return kh;
  };
  const withFlags = (vars: Record<string, unknown>) => {
    const v = { ...vars };
    if (o.user) v.ansible_user = o.user;
    else if (o.defaultUser && v.ansible_user === undefined) v.ansible_user = o.defaultUser;
    if (o.privateKey) v.ansible_ssh_private_key_file = o.privateKey;
    else if (o.defaultPrivateKey && v.ansible_ssh_private_key_file === undefined && v.ansible_private_key_file === undefined) {
      v.ansible_ssh_private_key_file = o.defaultPrivateKey;
    }
    return v;
  };
  const connector = async (host: string, vars: Record<string, unknown>, co?: { oneShot?: boolean }) => {
    const [{ connectSsh }, { resolveTarget }] = await Promise.all([import('../remote/ssh.js'), import('../remote/target.js')]);
    return connectSsh(resolveTarget(host, withFlags(vars)), {
      knownHosts: knownHostsFor(vars),
      connectTimeoutMs: (Number(vars[CONNECT_TIMEOUT_VAR]) || o.connectTimeout || 10) * 1000,
      // A silent host (link cut, host frozen) is declared lost 9-12 s after its last packet.
      keepaliveIntervalMs: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      // a shell started for one command costs a round trip and a process more than an exec channel
      persistentShell: !co?.oneShot && vars.runbook_persistent_shell !== false && vars.runbook_persistent_shell !== 'false',
      onNote: (o.verbose ?? 0) > 0 && !co?.oneShot ? (msg) => process.stderr.write(`${msg}\n`) : undefined,
    });
  };
  return Object.assign(connector, {
    check: (targets: { host: string; vars: Record<string, unknown> }[]) => checkTargets(targets, withFlags, knownHostsFor),
  });
}

// Key files and known_hosts files shared by many hosts: each is read once, and a problem is bad input (exit 4).
async function checkTargets(
  targets: { host: string; vars: Record<string, unknown> }[],
  withFlags: (v: Record<string, unknown>) => Record<string, unknown>,
  knownHostsFor: (v: Record<string, unknown>) => KnownHosts,
): Promise<void> {
  const [{ loadPrivateKey }, { resolveTarget }] = await Promise.all([import('../remote/keys.js'), import('../remote/target.js')]);
  const keyUsers = new Map<string, string[]>();
  const khFiles = new Map<string, KnownHosts>();
  for (const t of targets) {
    const target = resolveTarget(t.host, withFlags(t.vars));
    for (const f of target.keyFiles) keyUsers.set(f, [...(keyUsers.get(f) ?? []), t.host]);
    const kh = knownHostsFor(t.vars);
    khFiles.set(kh.file, kh);
  }
  const passphrase = process.env.RUNBOOK_SSH_PASSPHRASE || undefined;
  for (const [file, hosts] of keyUsers) {
    try {
      await loadPrivateKey(file, passphrase);
    } catch (e) {
      if (!(e instanceof ConnectError)) throw e;
      throw new InputError(`${e.message} (needed for ${hostList(hosts)}); no host was contacted`, { hint: e.hint });
    }
  }
  for (const kh of khFiles.values()) {
    try {
      await kh.knownKeyTypes('preflight.invalid', 22);
    } catch (e) {
      if (!(e instanceof RunbookError)) throw e;
      throw new InputError(e.message, {
        hint: e.hint ?? 'point --known-hosts (or runbook_known_hosts) at a readable file; a missing one is created',
      });
    }
  }
}

function hostList(hosts: string[]): string {
  return hosts.length <= 5 ? hosts.join(', ') : `${hosts.slice(0, 5).join(', ')} and ${hosts.length - 5} more`;
}

export async function localConnector(): Promise<Connection> {
  const { connectLocal } = await import('../remote/local.js');
  return connectLocal();
}
