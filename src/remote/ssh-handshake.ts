// Opening one authenticated ssh2 Client, retrying only what OpenSSH's MaxStartups throttling causes.
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod } from 'ssh2';

const { Client } = ssh2;
type Client = InstanceType<typeof Client>;

import { ConnectError } from '../errors.js';
import type { LoadedKey } from './keys.js';
import type { KnownHosts } from './known-hosts.js';
import { withSshdSlot } from './pacing.js';

export interface HandshakeParams {
  /** Inventory name, for messages. */
  name: string;
  host: string;
  port: number;
  user: string;
  keys: LoadedKey[];
  password?: string;
  agent?: string;
  knownHosts: KnownHosts;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  retries: number;
  /** Tunnel through a jump host instead of dialing; called once per attempt. */
  openSock?: () => Promise<Duplex>;
}

// The server dropped us before key exchange finished (MaxStartups, a reset): worth another try.
class Retryable extends Error {}

// Host key algorithms in ssh2's default order; types already in known_hosts are moved first.
const HOST_KEY_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

// Connects with up to `retries` extra attempts, exponential backoff with jitter from ~200 ms (capped at 2 s);
// at most PER_SSHD_HANDSHAKES attempts are unauthenticated at one sshd at a time. An sshd whose startups others hold
// drops each new connection at random (30 % and up at MaxStartups' default): only more attempts get through, so there
// are many, ~25 s worth.
export async function handshake(p: HandshakeParams): Promise<Client> {
  const known = await p.knownHosts.knownKeyTypes(p.host, p.port);
  const preferred = HOST_KEY_ALGOS.filter((a) => known.includes(a) || (a.startsWith('rsa-') && known.includes('ssh-rsa')));
  const algos = [...preferred, ...HOST_KEY_ALGOS.filter((a) => !preferred.includes(a))];
  for (let attempt = 0; ; attempt++) {
    try {
      return await withSshdSlot(
        p.host,
        p.port,
        () => attemptOnce(p, algos),
        (e) => e instanceof Retryable,
      );
    } catch (e) {
      if (!(e instanceof Retryable)) throw e;
      if (attempt >= p.retries) {
        throw new ConnectError(
          `${where(p)}: the server closed the connection during key exchange (${e.message}), ${attempt + 1} attempts`,
          { hint: 'sshd may be throttling new connections (MaxStartups); lower --forks or raise MaxStartups' },
        );
      }
      const delay = Math.min(2000, 200 * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function attemptOnce(p: HandshakeParams, serverHostKey: string[]): Promise<Client> {
  return new Promise<Client>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let handshaken = false;
    let hostKeyError: unknown;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('ready');
      client.on('error', () => undefined);
      client.end();
      reject(e);
    };
    client.on('handshake', () => {
      handshaken = true;
    });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      fail(hostKeyError ?? translate(p, err, handshaken));
    });
    client.on('close', () => fail(hostKeyError ?? new Retryable('connection closed')));

    const start = (sock?: Duplex) => {
      try {
        client.connect({
          host: p.host,
          port: p.port,
          sock,
          username: p.user,
          readyTimeout: p.connectTimeoutMs,
          keepaliveInterval: p.keepaliveIntervalMs,
          keepaliveCountMax: p.keepaliveCountMax,
          algorithms: { serverHostKey: serverHostKey as never },
          authHandler: authMethods(p),
          hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
            p.knownHosts.check(p.host, p.port, key).then(
              () => verify(true),
              (e: unknown) => {
                hostKeyError = e;
                verify(false);
              },
            );
          },
        });
        // No Nagle: a command's frame is one small packet, and where ssh2 writes a packet in pieces (without its native
        // crypto helper: length, ciphertext, tag), Nagle held the rest until the host's delayed ACK, ~40 ms a command.
        client.setNoDelay(true);
      } catch (e) {
        fail(new ConnectError(`${where(p)}: ${(e as Error).message}`, { cause: e }));
      }
    };
    if (p.openSock) p.openSock().then(start, fail);
    else start();
  });
}

// Keys in the order given, then the agent, then the password (also as keyboard-interactive).
function authMethods(p: HandshakeParams): AnyAuthMethod[] {
  const username = p.user;
  const methods: AnyAuthMethod[] = p.keys.map((k) => ({ type: 'publickey' as const, username, key: k.key }));
  if (p.agent) methods.push({ type: 'agent', username, agent: p.agent });
  const password = p.password;
  if (password !== undefined) {
    methods.push({ type: 'password', username, password });
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)),
    });
  }
  return methods;
}

function translate(p: HandshakeParams, err: Error & { level?: string; code?: string }, handshaken: boolean): unknown {
  const code = err.code;
  if (err.level === 'client-authentication') return authFailure(p);
  if (err.level === 'client-timeout') {
    return new ConnectError(`${where(p)}: timed out after ${p.connectTimeoutMs} ms waiting for the ssh handshake`, {
      hint: 'is the host up and the port right? (ansible_host / ansible_port)',
    });
  }
  if (err.level === 'client-dns') return new ConnectError(`${where(p)}: cannot resolve host name ${p.host}`);
  if (!handshaken && (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED')) return new Retryable(code);
  if (!handshaken && /Connection lost before handshake/.test(err.message)) return new Retryable(err.message);
  if (code === 'ECONNREFUSED') {
    return new ConnectError(`${where(p)}: connection refused`, { hint: 'is sshd running, and is the port right?' });
  }
  return new ConnectError(`${where(p)}: ${err.message}`, { cause: err });
}

function authFailure(p: HandshakeParams): ConnectError {
  const tried: string[] = [];
  if (p.keys.length > 0) tried.push(`key files ${p.keys.map((k) => k.file).join(', ')}`);
  if (p.agent) tried.push('ssh-agent');
  if (p.password !== undefined) tried.push('a password');
  if (tried.length === 0) {
    return new ConnectError(`${where(p)}: no key file, ssh-agent or password to authenticate with`, {
      hint: 'create ~/.ssh/id_ed25519 (ssh-keygen -t ed25519), or set ansible_ssh_private_key_file',
    });
  }
  const pub = p.keys[0] ? `${p.keys[0].file}.pub` : 'your public key';
  return new ConnectError(`${where(p)}: authentication failed for user ${p.user}; tried ${tried.join(', ')}`, {
    hint: `check that ${pub} is in ~${p.user}/.ssh/authorized_keys on ${p.host}, or set ansible_user / ansible_ssh_private_key_file`,
  });
}

// "web1 (deploy@10.0.0.5:22)": the inventory name and what it resolved to.
export function where(p: { name: string; user: string; host: string; port: number }): string {
  const addr = `${p.user}@${p.host}:${p.port}`;
  return p.name === p.host ? addr : `${p.name} (${addr})`;
}
