// Lab processes are found through /proc (cmdline, netns inode), never by a broad name match.
import { readdir, readFile, readlink, stat } from 'node:fs/promises';

// A zombie has exited already; only its parent's wait() is missing.
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

// argv of a live process, or undefined when it is gone.
export async function cmdlineOf(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((w) => w !== '');
  } catch {
    return undefined;
  }
}

// sshd retitles itself ("sshd: /usr/sbin/sshd -D … [listener] …"), so argv[0] alone is not enough.
export function isSshd(argv: string[]): boolean {
  return argv.length > 0 && /^(sshd:|sshd$|\S*\/sshd$|\S*\/sshd\s)/.test(argv[0]);
}

// The PIDs the kernel lists as direct children (the lab's sshd is the child of unshare).
export async function childrenOf(pid: number): Promise<number[]> {
  try {
    const raw = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return raw.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// The namespace id that `ip netns pids` compares: the inode of the nsfs file.
export async function netnsInode(nsName: string): Promise<number | undefined> {
  try {
    return (await stat(`/run/netns/${nsName}`)).ino;
  } catch {
    return undefined;
  }
}

// One process as /proc shows it.
export interface ProcEntry {
  pid: number;
  argv: string[];
  /** inode of the process's network namespace */
  netns?: number;
}

// One pass over /proc: the same data `ip netns pids` reads, for all our namespaces at once.
export async function listProcesses(): Promise<ProcEntry[]> {
  const names = await readdir('/proc');
  const pids = names.filter((n) => /^\d+$/.test(n)).map(Number);
  const out = await Promise.all(
    pids.map(async (pid): Promise<ProcEntry | undefined> => {
      const argv = await cmdlineOf(pid);
      if (!argv) return undefined;
      let netns: number | undefined;
      try {
        const link = await readlink(`/proc/${pid}/ns/net`);
        const m = /\[(\d+)\]/.exec(link);
        if (m) netns = Number(m[1]);
      } catch {
        // kernel threads and vanished processes have no readable ns link
      }
      return { pid, argv, netns };
    }),
  );
  return out.filter((e): e is ProcEntry => e !== undefined && e.pid !== process.pid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// SIGTERM, a bounded wait, then SIGKILL for the stubborn; resolves when all are gone.
export async function killAndWait(pids: number[], graceMs = 1500): Promise<number[]> {
  const targets = [...new Set(pids)];
  const signal = (sig: NodeJS.Signals, list: number[]) => {
    for (const pid of list) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  const alive = async (list: number[]) => {
    const flags = await Promise.all(list.map(isAlive));
    return list.filter((_, i) => flags[i]);
  };
  signal('SIGTERM', targets);
  let left = await alive(targets);
  for (let waited = 0; left.length > 0 && waited < graceMs; waited += 10) {
    await sleep(10);
    left = await alive(left);
  }
  if (left.length > 0) {
    signal('SIGKILL', left);
    for (let waited = 0; left.length > 0 && waited < 2000; waited += 10) {
      await sleep(10);
      left = await alive(left);
    }
  }
  return left;
}
