// One connection per host for the whole run, with new handshakes paced so sshd's MaxStartups never drops us.
import type { Connection } from '../remote/connection.js';

export type Connector = (host: string, vars: Record<string, unknown>) => Promise<Connection>;

/** Bounded concurrency without a dependency: a counter and a wait list. */
export class Semaphore {
  private waiters: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}
  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiters.shift()?.();
    }
  }
}

export class ConnectionPool {
  private readonly conns = new Map<string, Promise<Connection>>();
  private readonly handshakes: Semaphore;
  constructor(
    private readonly connector: Connector,
    maxHandshakes = 64,
  ) {
    this.handshakes = new Semaphore(maxHandshakes);
  }

  get(host: string, vars: Record<string, unknown>): Promise<Connection> {
    let c = this.conns.get(host);
    if (!c) {
      c = this.handshakes.use(() => this.connector(host, vars));
      // A failed connect is remembered: the host is unreachable for the rest of the run.
      this.conns.set(host, c);
    }
    return c;
  }

  async closeAll(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => undefined)));
  }
}
