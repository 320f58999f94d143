// Builds the executor's connector from CLI options: inventory vars → SshTarget → one ssh2 connection.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Connector } from '../executor/pool.js';
import type { Connection } from '../remote/connection.js';
import { type HostKeyPolicy, KnownHosts } from '../remote/known-hosts.js';

export interface ConnectOptions {
  knownHosts?: string;
  hostKeyChecking?: HostKeyPolicy;
  user?: string;
  privateKey?: string;
  connectTimeout?: number;
}

export function makeConnector(o: ConnectOptions): Connector {
  const files = new Map<string, KnownHosts>();
  const knownHostsFor = (vars: Record<string, unknown>) => {
    const file =
      o.knownHosts ?? (typeof vars.runbook_known_hosts === 'string' ? vars.runbook_known_hosts : undefined) ?? join(process.env.HOME || homedir(), '.ssh', 'known_hosts');
    let kh = files.get(file);
    if (!kh) files.set(file, (kh = new KnownHosts(file, o.hostKeyChecking ?? 'accept-new')));
    return kh;
  };
  return async (host, vars) => {
    const [{ connectSsh }, { resolveTarget }] = await Promise.all([import('../remote/ssh.js'), import('../remote/target.js')]);
    const v = { ...vars };
    if (o.user) v.ansible_user = o.user;
    if (o.privateKey) v.ansible_ssh_private_key_file = o.privateKey;
    return connectSsh(resolveTarget(host, v), {
      knownHosts: knownHostsFor(vars),
      connectTimeoutMs: (o.connectTimeout ?? 10) * 1000,
    });
  };
}

export async function localConnector(): Promise<Connection> {
  const { connectLocal } = await import('../remote/local.js');
  return connectLocal();
}
