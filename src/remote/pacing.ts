// Pacing of new SSH connections: a global cap for our CPU, and a per-sshd cap under OpenSSH's MaxStartups.

/** Bounded concurrency without a dependency: a counter and a wait list; the limit may change while in use. */
export class Semaphore {
  private waiters: (() => void)[] = [];
  private active = 0;
  constructor(private limit: number) {}

  get size(): number {
    return this.limit;
  }

  /** A lower limit lets running holders finish and admits no one until fewer than `n` hold a slot. */
  setLimit(n: number): void {
    this.limit = Math.max(1, n);
    while (this.active < this.limit && this.waiters.length) {
      this.active++;
      this.waiters.shift()!();
    }
  }

  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter (a burst of new callers cannot overtake it), unless the
      // limit was lowered meanwhile.
      const next = this.active <= this.limit ? this.waiters.shift() : undefined;
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

const perSshd = new Map<string, { sem: Semaphore; users: number; window: number }>();

/**
 * Runs one handshake attempt within the per-sshd budget of host:port. The budget adapts like TCP's window:
 * a drop halves it (down to 1), a window's worth of successes widens it by one (up to PER_SSHD_HANDSHAKES), so a busy sshd — a
 * bastion, or one already holding unauthenticated connections of others — is asked for less.
 */
export async function withSshdSlot<T>(host: string, port: number, fn: () => Promise<T>, dropped: (e: unknown) => boolean): Promise<T> {
  const key = `${host}:${port}`;
  let e = perSshd.get(key);
  if (!e) perSshd.set(key, (e = { sem: new Semaphore(PER_SSHD_HANDSHAKES), users: 0, window: PER_SSHD_HANDSHAKES }));
  const entry = e;
  entry.users++;
  try {
    // The window changes while the slot is still held, so the slot is not handed on under the old window.
    return await entry.sem.use(async () => {
      try {
        const r = await fn();
        entry.window = Math.min(PER_SSHD_HANDSHAKES, entry.window + 1 / entry.window);
        entry.sem.setLimit(Math.floor(entry.window));
        return r;
      } catch (err) {
        if (dropped(err)) {
          entry.window = Math.max(1, entry.window / 2);
          entry.sem.setLimit(Math.floor(entry.window));
        }
        throw err;
      }
    });
  } finally {
    if (--entry.users === 0) perSshd.delete(key);
  }
}
