// Pacing of new SSH connections: a global cap for our CPU, and a per-sshd cap under OpenSSH's MaxStartups.

/** Bounded concurrency without a dependency: a counter and a wait list. */
export class Semaphore {
  private waiters: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}
  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so a burst of new callers cannot overtake it.
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * OpenSSH's default `MaxStartups 10:30:100` starts dropping unauthenticated connections at 10 per
 * sshd; staying at 8 per address:port means one sshd (a bastion, a jump host, one box under many
 * names) is never asked for more, while hundreds of distinct hosts still handshake in parallel.
 */
export const PER_SSHD_HANDSHAKES = 8;

const perSshd = new Map<string, { sem: Semaphore; users: number }>();

// Runs one handshake attempt within the per-sshd budget of host:port.
export async function withSshdSlot<T>(host: string, port: number, fn: () => Promise<T>): Promise<T> {
  const key = `${host}:${port}`;
  let e = perSshd.get(key);
  if (!e) perSshd.set(key, (e = { sem: new Semaphore(PER_SSHD_HANDSHAKES), users: 0 }));
  e.users++;
  try {
    return await e.sem.use(fn);
  } finally {
    if (--e.users === 0) perSshd.delete(key);
  }
}
