// Kernel objects outlive the processes that made them: up and down both start by removing this lab's leftovers.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';
import { ipBatch, ipJson } from './exec.js';
import { HOST_LAB_DIR } from './host-init.js';
import { labNaming } from './names.js';
import { cmdlineOf, holdingMountsUnder, isSshd, killAndWait, listProcesses, netnsInode } from './processes.js';

// What a cleanup removed, for callers that want to say so.
export interface CleanupReport {
  killed: number[];
  namespaces: string[];
  veths: string[];
  bridge: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Our sshd carries `-f /etc/runbook-lab/<lab>-hN.sshd_config` (also in its retitled "sshd: … [listener]"
// cmdline); our init is `unshare … <dir>/init.sh hN`.
function ownedBy(name: string, dir: string): (argv: string[]) => boolean {
  const conf = new RegExp(`\\s${escapeRe(HOST_LAB_DIR)}/${name}-h\\d+\\.sshd_config(\\s|$)`);
  const init = join(dir, 'init.sh');
  return (argv) => {
    if (argv.length === 0) return false;
    const text = argv.join(' ');
    if (isSshd(argv)) return conf.test(text);
    if ((argv[0].split('/').pop() ?? '') === 'unshare') return argv.includes(init);
    return false;
  };
}

// PIDs from <dir>/pids/*.pid that are still alive and still ours (a recycled PID is left alone).
async function pidFileTargets(dir: string, isOurs: (argv: string[]) => boolean): Promise<number[]> {
  const pidDir = join(dir, 'pids');
  let files: string[] = [];
  try {
    files = (await readdir(pidDir)).filter((f) => f.endsWith('.pid'));
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const f of files) {
    const pid = Number((await readFile(join(pidDir, f), 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 1) continue;
    const argv = await cmdlineOf(pid);
    if (argv && isOurs(argv)) out.push(pid);
  }
  return out;
}

// This lab's namespaces and veths as the kernel sees them now.
export async function labObjects(name: string): Promise<{ namespaces: string[]; veths: string[]; bridge: boolean; dataBridge: boolean }> {
  const n = labNaming(name);
  const [nsList, links] = await Promise.all([ipJson<{ name: string }>(['netns', 'list']), ipJson<{ ifname: string }>(['link', 'show'])]);
  return {
    namespaces: nsList.map((e) => e.name).filter((x) => n.nsPattern.test(x)),
    veths: links.map((l) => l.ifname).filter((x) => n.vethPattern.test(x)),
    bridge: links.some((l) => l.ifname === n.bridge),
    dataBridge: links.some((l) => l.ifname === n.dataBridge),
  };
}

// Kill (verified) processes, delete namespaces, veths and the bridge of lab `name`; throws if any survive.
// The hosts' mounts live only in their own mount namespaces (private propagation): they go with the last
// process of each, so nothing is left to unmount on the machine once those processes are gone.
export async function cleanLab(name: string, dir: string): Promise<CleanupReport> {
  const n = labNaming(name);
  const isOurs = ownedBy(name, dir);
  const before = await labObjects(name);
  const inodes = new Set<number>();
  for (const ns of before.namespaces) {
    const ino = await netnsInode(ns);
    if (ino !== undefined) inodes.add(ino);
  }
  const fromFiles = await pidFileTargets(dir, isOurs);
  const procs = await listProcesses();
  const fromProc = procs.filter((p) => (p.netns !== undefined && inodes.has(p.netns)) || isOurs(p.argv)).map((p) => p.pid);
  // a process that joined a host's mounts from outside (`nsenter -t <sshd pid> -m …` on the machine) is in
  // neither the host's network nor PID namespace, yet keeps the host's overlays mounted
  const fromMounts = await holdingMountsUnder(procs, join(dir, 'hosts'));
  const targets = [...new Set([...fromFiles, ...fromProc, ...fromMounts])];
  const survivors = targets.length > 0 ? await killAndWait(targets) : [];

  const lines = [
    ...before.namespaces.map((ns) => `netns del ${ns}`),
    ...before.veths.map((v) => `link del ${v}`),
    ...(before.bridge ? [`link del ${n.bridge}`] : []),
    ...(before.dataBridge ? [`link del ${n.dataBridge}`] : []),
  ];
  await ipBatch(lines, { force: true });
  await rm(join(dir, 'pids'), { recursive: true, force: true });

  const after = await labObjects(name);
  const left = [...after.namespaces, ...after.veths, ...(after.bridge ? [n.bridge] : []), ...(after.dataBridge ? [n.dataBridge] : [])];
  if (survivors.length > 0 || left.length > 0) {
    throw new RunbookError(`lab ${name}: could not remove ${[...left, ...survivors.map((p) => `pid ${p}`)].join(', ')}`, {
      hint: 'check `ip netns list`, `ip link` and `ps` for what holds them',
    });
  }
  return { killed: targets, namespaces: before.namespaces, veths: before.veths, bridge: before.bridge };
}
