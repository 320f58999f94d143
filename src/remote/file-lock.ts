// Cross-process mutual exclusion for appends to shared files (known_hosts): an O_EXCL lock file.
import { open, stat, unlink } from 'node:fs/promises';

export interface LockOptions {
  /** A lock file older than this is taken to be left over by a dead process. */
  staleMs?: number;
  /** Give up after this long. */
  waitMs?: number;
}

// Holds `${file}.lock` while fn runs; the lock is removed even if fn throws.
export async function withFileLock<T>(file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  const staleMs = opts.staleMs ?? 10_000;
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      await removeIfStale(lock, staleMs);
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for lock ${lock}; remove it if no other runbook is running`);
      }
      await sleep(Math.min(200, 10 + attempt * 5) * (0.5 + Math.random()));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function removeIfStale(lock: string, staleMs: number): Promise<void> {
  try {
    const st = await stat(lock);
    if (Date.now() - st.mtimeMs > staleMs) await unlink(lock);
  } catch {
    // vanished meanwhile: the next attempt will tell
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
