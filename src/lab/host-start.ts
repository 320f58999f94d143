// Starting a host is one detached `ip netns exec … unshare … init.sh hN`; this file owns that command line.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RunbookError } from '../errors.js';
import {
  HOST_BIN_DIR,
  HOST_LAB_DIR,
  HOST_OVERLAY_DIRS,
  hostSshdConfigPath,
  renderFstab,
  renderHostEnv,
  renderSshdConfig,
} from './host-init.js';
import type { LabLayout } from './layout.js';
import { childrenOf, cmdlineOf, isSshd } from './processes.js';
import { REBOOT_STANDIN } from './reboot-standin.js';
import { SYSTEMCTL_STANDIN } from './systemctl-standin.js';

// One host to build: its names, address and whether it runs OVS.
export interface HostSpec {
  lab: string;
  name: string;
  ns: string;
  ip: string;
  /** eth0's MAC */
  mac: string;
  ovs: boolean;
  /** the interface OVS's br-phy owns: eth1 (the data segment) or eth0 (management through OVS) */
  ovsUplink: 'eth0' | 'eth1';
  /** the other hosts' underlay addresses and MACs (OVS labs) */
  peers: { ip: string; mac: string }[];
  /** sshd MaxStartups; 'default' leaves OpenSSH's 10:30:100 */
  maxStartups?: string;
}

async function put(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { mode });
  await chmod(path, mode);
}

// Everything the host needs is written from here, straight into its /etc upper dir, its /root and its
// fstab: init.sh then only mounts (each spawn there costs milliseconds × hosts).
export async function prepareHostDir(layout: LabLayout, h: HostSpec, machineHosts: string): Promise<void> {
  const hd = layout.hostDir(h.name);
  // a path as the host sees it under /etc → the same path in this host's /etc upper dir
  const etc = (p: string) => `${hd}/etc.upper${p.replace(/^\/etc/, '')}`;
  const overlayDirs = HOST_OVERLAY_DIRS.flatMap((d) => [`${hd}${d}.upper`, `${hd}${d}.work`]);
  await Promise.all(overlayDirs.map((d) => mkdir(d, { recursive: true })));
  const pub = (await readFile(`${layout.keyPath}.pub`, 'utf8')).trim();
  await Promise.all([
    put(`${hd}/host.env`, renderHostEnv({ lab: h.lab, host: h.name, ip: h.ip, ovs: h.ovs, ovsUplink: h.ovsUplink, peers: h.peers })),
    put(`${hd}/fstab`, renderFstab(hd, layout.dir)),
    put(etc(`${HOST_BIN_DIR}/systemctl`), SYSTEMCTL_STANDIN, 0o755),
    put(etc(`${HOST_BIN_DIR}/reboot`), REBOOT_STANDIN, 0o755),
    put(etc(`${HOST_BIN_DIR}/shutdown`), REBOOT_STANDIN, 0o755),
    put(etc(hostSshdConfigPath(h.lab, h.name)), renderSshdConfig({ lab: h.lab, host: h.name, ip: h.ip, maxStartups: h.maxStartups })),
    put(etc(`${HOST_LAB_DIR}/ssh_host_ed25519_key`), await readFile(layout.hostKey(h.name)), 0o600),
    put(etc('/etc/hostname'), `${h.name}\n`),
    put(etc('/etc/hosts'), `${machineHosts.trimEnd()}\n127.0.1.1\t${h.name}\n`),
    // login shells reset PATH in /etc/profile; put the lab's bin dir back in front
    put(etc('/etc/profile.d/runbook-lab.sh'), `PATH="${HOST_BIN_DIR}:$PATH"\n`),
    put(`${hd}/root/.ssh/authorized_keys`, `${pub}\n`, 0o600),
  ]);
  await chmod(`${hd}/root`, 0o700);
  await chmod(`${hd}/root/.ssh`, 0o700);
}

// Detached from us (own session, output to logs/hN.log) so the lab outlives the CLI that made it.
export async function spawnHostInit(layout: LabLayout, h: HostSpec): Promise<number> {
  const fd = openSync(layout.log(h.name), 'w');
  try {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        h.ns,
        'unshare',
        '--mount',
        '--uts',
        '--ipc',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        '--propagation',
        'private',
        '/bin/sh',
        layout.initScript,
        h.name,
      ],
      { detached: true, stdio: ['ignore', fd, fd] },
    );
    const pid = child.pid;
    if (pid === undefined) throw new RunbookError(`lab: could not start ${h.name} (spawn of ip netns exec failed)`);
    child.on('error', () => {});
    child.unref();
    await writeFile(layout.initPidFile(h.name), `${pid}\n`);
    return pid;
  } finally {
    closeSync(fd);
  }
}

// The sshd is unshare's only child (PID 1 of the host's PID namespace) once init.sh has exec'd it.
export async function findSshd(initPid: number): Promise<number | undefined> {
  for (const pid of await childrenOf(initPid)) {
    const argv = await cmdlineOf(pid);
    if (argv && isSshd(argv)) return pid;
  }
  return undefined;
}

// init.sh logs "exec sshd" once the address is up and the mounts are done.
export async function initReachedSshd(layout: LabLayout, host: string): Promise<boolean> {
  try {
    return (await readFile(layout.log(host), 'utf8')).includes(`lab init: ${host} exec sshd`);
  } catch {
    return false;
  }
}

// The last lines of a host's log, for error messages when it did not come up.
export async function logTail(layout: LabLayout, host: string, lines = 8): Promise<string> {
  try {
    const text = await readFile(layout.log(host), 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
