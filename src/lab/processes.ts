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
  /** inode of the process's mount namespace */
  mntns?: number;
}

// The inode of one of a process's namespaces (`/proc/<pid>/ns/<kind>` reads "net:[4026532178]").
async function nsInode(pid: number | 'self', kind: 'net' | 'mnt'): Promise<number | undefined> {
  try {
    const m = /\[(\d+)\]/.exec(await readlink(`/proc/${pid}/ns/${kind}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    // kernel threads and vanished processes have no readable ns link
    return undefined;
  }
}

// One pass over /proc: the same data `ip netns pids` reads, for all our namespaces at once.
export async function listProcesses(): Promise<ProcEntry[]> {
  const names = await readdir('/proc');
  const pids = names.filter((n) => /^\d+$/.test(n)).map(Number);
  const out = await Promise.all(
    pids.map(async (pid): Promise<ProcEntry | undefined> => {
      const argv = await cmdlineOf(pid);
      if (!argv) return undefined;
      const [netns, mntns] = await Promise.all([nsInode(pid, 'net'), nsInode(pid, 'mnt')]);
      return { pid, argv, netns, mntns };
    }),
  );
  return out.filter((e): e is ProcEntry => e !== undefined && e.pid !== process.pid);
}

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
const mangle = (path: string) => path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

/**
 * Processes whose mount namespace mounts something from under `dir` (a lab's hosts/: overlay upper
 * dirs, the /root bind): such a process holds a host's mounts even when it is in none of the host's other
 * namespaces (entered with `nsenter -m` from the machine).
 * One mountinfo read per mount namespace other than ours.
 */
export async function holdingMountsUnder(procs: ProcEntry[], dir: string): Promise<number[]> {
  const own = await nsInode('self', 'mnt');
  const byNs = new Map<number, number[]>();
  for (const p of procs) {
    if (p.mntns === undefined || p.mntns === own) continue;
    byNs.set(p.mntns, [...(byNs.get(p.mntns) ?? []), p.pid]);
  }
  const needle = mangle(dir.endsWith('/') ? dir : `${dir}/`);
  const hits = await Promise.all(
    [...byNs.values()].map(async (pids) => {
      for (const pid of pids) {
        try {
          return (await readFile(`/proc/${pid}/mountinfo`, 'utf8')).includes(needle) ? pids : [];
        } catch {
          // gone; ask the next process of the same namespace
        }
      }
      return [];
    }),
  );
  return hits.flat();
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
