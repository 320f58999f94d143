// One connection per host for the whole run; new handshakes are capped globally here and per sshd in remote/pacing.ts.
import type { BecomeOptions, Connection, ExecOptions, PutOptions } from '../remote/connection.js';
import { Semaphore } from '../remote/pacing.js';

/** oneShot: a connection for a command or two (network safety's confirm): exec channels, no persistent shell. */
export type Connector = (host: string, vars: Record<string, unknown>, opts?: { oneShot?: boolean }) => Promise<Connection>;

// Kept here for callers that imported it from the pool.
export { Semaphore };

export class ConnectionPool {
  private readonly conns = new Map<string, Promise<Connection>>();
  private readonly handshakes: Semaphore;
  constructor(
    private readonly connector: Connector,
    // Handshakes cost CPU on both ends; per-sshd pacing (MaxStartups) is done in remote/pacing.ts.
    maxHandshakes = 64,
  ) {
    this.handshakes = new Semaphore(maxHandshakes);
  }

  // One connection per host and user (a remote_user keyword may name another user for some tasks).
  private key(host: string, vars: Record<string, unknown>): string {
    return typeof vars.ansible_user === 'string' ? `${host}\0${vars.ansible_user}` : host;
  }

  get(host: string, vars: Record<string, unknown>): Promise<Connection> {
    const key = this.key(host, vars);
    let c = this.conns.get(key);
    if (!c) {
      // reboot and wait_for_connection reopen it in place: whoever holds the connection sees the new session
      const open = (connectTimeout?: number) =>
        this.handshakes.use(() => this.connector(host, connectTimeout ? { ...vars, [CONNECT_TIMEOUT_VAR]: connectTimeout } : vars));
      c = open().then((inner) => new PooledConnection(inner, open));
      // A failed connect is remembered: the host is unreachable for the rest of the run.
      this.conns.set(key, c);
    }
    return c;
  }

  /** Forgets a failed connect (ignore_unreachable: the next task tries again, as Ansible does). */
  forget(host: string): void {
    for (const k of [...this.conns.keys()]) if (k === host || k.startsWith(`${host}\0`)) this.conns.delete(k);
  }

  /**
   * Says goodbye on every connection without waiting for the hosts to answer: the run's work is done, and 20
   * sshds each tearing down a session took ~150 ms of a 1.7 s no-op rerun. The CLI exits right after its output.
   */
  async closeAll(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((p) => p.then((c) => void c.close().catch(() => undefined)).catch(() => undefined)));
  }
}

/** Set by a reconnect (reboot's connect_timeout): seconds the connector gives the handshake. */
export const CONNECT_TIMEOUT_VAR = 'runbook_connect_timeout';

// The pool's connection: the session underneath can be replaced (reconnect) without its holders noticing.
class PooledConnection implements Connection {
  constructor(
    private inner: Connection,
    private readonly open: (connectTimeout?: number) => Promise<Connection>,
  ) {}

  get host(): string {
    return this.inner.host;
  }
  get local(): boolean | undefined {
    return this.inner.local;
  }
  exec(cmd: string, opts?: ExecOptions) {
    return this.inner.exec(cmd, opts);
  }
  put(dest: string, content: Buffer, opts?: PutOptions) {
    return this.inner.put(dest, content, opts);
  }
  readFile(path: string, opts?: BecomeOptions) {
    return this.inner.readFile(path, opts);
  }
  /** There only where the session underneath has it (SSH), so a probe never asks a connection: local for one. */
  get socketRequest(): Connection['socketRequest'] {
    return this.inner.socketRequest ? (...a) => (this.inner.socketRequest as NonNullable<Connection['socketRequest']>)(...a) : undefined;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  async reconnect(opts: { connectTimeout?: number } = {}): Promise<void> {
    await this.inner.close().catch(() => undefined);
    this.inner = await this.open(opts.connectTimeout);
  }
}
