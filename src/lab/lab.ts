// The lab: N real OpenSSH hosts in network namespaces, for the demo and the end-to-end tests.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { InputError, RunbookError } from '../errors.js';
import { cleanLab, labObjects } from './cleanup.js';
import { ipBatch, ipJson, run } from './exec.js';
import { renderInitScript } from './host-init.js';
import { findSshd, type HostSpec, initReachedSshd, logTail, prepareHostDir, spawnHostInit } from './host-start.js';
import { renderInventory } from './inventory.js';
import { ensureKeyPair, knownHostsText } from './keys.js';
import { type LabLayout, type LabRef, labLayout, resolveLabRef } from './layout.js';
import { checkHostCount, type LabNaming, labNaming } from './names.js';
import { cmdlineOf, isAlive } from './processes.js';
import { tcpOpen, waitForTcp } from './wait.js';

// Re-exported: every lab call takes a name and an optional state dir.
export type { LabRef } from './layout.js';

// One lab host as callers use it: ssh to ip:22 as root with the lab key.
export interface LabHost {
  name: string;
  ns: string;
  ip: string;
  port: 22;
  /** sshd's PID in the root PID namespace (PID 1 of the host's own namespace) */
  pid: number;
}

// What `up` built, also saved as <dir>/lab.json.
export interface LabInfo {
  name: string;
  dir: string;
  hosts: LabHost[];
  inventoryPath: string;
  keyPath: string;
  knownHostsPath: string;
  bridge: string;
  subnet: string;
  ovs: boolean;
}

// Options of labUp: how many hosts, and whether they run OVS.
export interface LabUpOptions extends LabRef {
  count: number;
  /** userspace Open vSwitch on every host: br-phy on a second segment (eth1) for the GRE between hosts */
  ovs?: boolean;
  /** with ovs: br-phy owns eth0 and holds the management address instead, so SSH depends on OVS (tests that cut it) */
  ovsManagement?: boolean;
  /** sshd MaxStartups on every host (default 100:30:200); 'default' keeps OpenSSH's 10:30:100 */
  maxStartups?: string;
}

// One host as `status` finds it now.
export interface HostStatus {
  name: string;
  ns: string;
  ip: string;
  pid?: number;
  nsExists: boolean;
  sshdAlive: boolean;
  /** TCP port 22 answered */
  reachable: boolean;
}

// The lab as `status` finds it now.
export interface LabStatus {
  name: string;
  dir: string;
  /** every recorded host has a live sshd that answers */
  up: boolean;
  bridge: boolean;
  hosts: HostStatus[];
}

// Two lab names can hash to the same /24; refuse rather than route one lab's traffic into the other.
async function checkSubnetFree(n: LabNaming): Promise<void> {
  const prefix = n.gateway.replace(/\.1$/, '.');
  const links = await ipJson<{ ifname: string; addr_info?: { local?: string }[] }>(['-4', 'addr', 'show']);
  for (const l of links) {
    if (l.ifname === n.bridge) continue;
    if ((l.addr_info ?? []).some((a) => a.local?.startsWith(prefix))) {
      throw new InputError(`lab ${n.name}: its subnet ${n.subnet} is already used on ${l.ifname}`, {
        hint: 'another lab name hashes to the same subnet; pick a different lab name',
      });
    }
  }
}

function hostSpecs(n: LabNaming, count: number, ovs: boolean, data: boolean, maxStartups?: string): HostSpec[] {
  // OVS's tunnel neighbours: the peers' eth1, where their br-phy is
  const all = Array.from({ length: count }, (_, k) => ({ ip: n.hostIp(k + 1), mac: n.dataMac(k + 1) }));
  return Array.from({ length: count }, (_, k) => ({
    lab: n.name,
    name: n.hostName(k + 1),
    ns: n.ns(k + 1),
    ip: n.hostIp(k + 1),
    mac: n.hostMac(k + 1),
    ovs,
    ovsUplink: data ? 'eth1' : 'eth0',
    // each OVS host learns the others' underlay MACs at boot (src/lab/ovs.ts: why)
    peers: data ? all.filter((_, j) => j !== k) : [],
    maxStartups,
  }));
}

// Keys first (hosts get copies), then init.sh and each host's private files.
async function prepareStateDir(L: LabLayout, name: string, hosts: HostSpec[]): Promise<void> {
  await rm(L.hostsDir, { recursive: true, force: true });
  await Promise.all([L.pidsDir, L.logsDir, `${L.dir}/hostkeys`].map((d) => mkdir(d, { recursive: true })));
  await Promise.all([
    ensureKeyPair(L.keyPath, `runbook-lab-${name}`),
    ...hosts.map((h) => ensureKeyPair(L.hostKey(h.name), `root@${h.name}.${name}`)),
    writeFile(L.initScript, renderInitScript(L.dir)).then(() => chmod(L.initScript, 0o755)),
  ]);
  const machineHosts = await readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1\tlocalhost\n');
  await Promise.all(hosts.map((h) => prepareHostDir(L, h, machineHosts)));
}

// Bridge, namespaces and veth pairs in one `ip -batch`; each peer is born inside its namespace as eth0. An OVS lab
// also gets a second segment (dataBridge, no address in the root namespace) with each host's eth1 on it: OVS's
// br-phy owns eth1 and carries the GRE between hosts, while SSH reaches eth0 in the kernel (src/lab/ovs.ts: why).
async function buildNetwork(n: LabNaming, hosts: HostSpec[], data: boolean): Promise<void> {
  const lines = [`link add ${n.bridge} type bridge`, `addr add ${n.gateway}/24 dev ${n.bridge}`];
  if (data) lines.push(`link add ${n.dataBridge} type bridge`);
  hosts.forEach((h, k) => {
    const veth = n.veth(k + 1);
    lines.push(`netns add ${h.ns}`, `link add ${veth} type veth peer name eth0 address ${h.mac} netns ${h.ns}`);
    lines.push(`link set ${veth} master ${n.bridge} up`);
    if (!data) return;
    const veth1 = n.dataVeth(k + 1);
    lines.push(`link add ${veth1} type veth peer name eth1 address ${n.dataMac(k + 1)} netns ${h.ns}`);
    lines.push(`link set ${veth1} master ${n.dataBridge} up`);
  });
  lines.push(`link set ${n.bridge} up`);
  if (data) lines.push(`link set ${n.dataBridge} up`);
  await ipBatch(lines);
}

// Bad TCP checksums otherwise where userspace OVS forwards what a veth sent (measured); runs while hosts boot.
function txOffloadOff(n: LabNaming, count: number, data: boolean): Promise<unknown> {
  const veths = Array.from({ length: count }, (_, k) => (data ? [n.veth(k + 1), n.dataVeth(k + 1)] : [n.veth(k + 1)])).flat();
  return Promise.all(veths.map((v) => run('ethtool', ['-K', v, 'tx', 'off'])));
}

// Clean this lab's leftovers, build the network, start every host's init, wait until each sshd answers.
export async function labUp(opts: LabUpOptions): Promise<LabInfo> {
  const { name, dir } = resolveLabRef(opts);
  const count = checkHostCount(opts.count);
  const ovs = opts.ovs ?? false;
  const n = labNaming(name);
  const L = labLayout(dir);
  // the data segment: OVS hosts whose br-phy is on eth1
  const data = ovs && !opts.ovsManagement;
  const hosts = hostSpecs(n, count, ovs, data, opts.maxStartups);

  await cleanLab(name, dir);
  await checkSubnetFree(n);
  await prepareStateDir(L, name, hosts);
  try {
    await buildNetwork(n, hosts, data);
    const offload = txOffloadOff(n, count, data);
    const initPids = await Promise.all(hosts.map((h) => spawnHostInit(L, h)));
    await offload;
    const timeoutMs = (ovs ? 60_000 : 20_000) + count * 200;
    const ok = await Promise.all(
      hosts.map((h, k) =>
        waitForTcp(h.ip, 22, {
          timeoutMs,
          ready: () => initReachedSshd(L, h.name),
          giveUp: async () => !(await isAlive(initPids[k])),
        }),
      ),
    );
    const failed = hosts.filter((_, k) => !ok[k]);
    if (failed.length > 0) {
      const tails = await Promise.all(failed.map(async (h) => `--- ${h.name} (${L.log(h.name)}):\n${await logTail(L, h.name)}`));
      throw new RunbookError(`lab ${name}: ${failed.map((h) => h.name).join(', ')} did not come up\n${tails.join('\n')}`, {
        hint: `per-host logs are in ${L.logsDir}`,
      });
    }
    const labHosts: LabHost[] = await Promise.all(
      hosts.map(async (h, k) => {
        const pid = await findSshd(initPids[k]);
        if (pid === undefined) throw new RunbookError(`lab ${name}: ${h.name} answers but its sshd was not found`);
        await writeFile(L.sshdPidFile(h.name), `${pid}\n`);
        return { name: h.name, ns: h.ns, ip: h.ip, port: 22 as const, pid };
      }),
    );
    const info: LabInfo = {
      name,
      dir,
      hosts: labHosts,
      inventoryPath: L.inventoryPath,
      keyPath: L.keyPath,
      knownHostsPath: L.knownHostsPath,
      bridge: n.bridge,
      subnet: n.subnet,
      ovs,
    };
    await writeFile(L.knownHostsPath, await knownHostsText(hosts.map((h) => ({ ip: h.ip, hostKeyPub: `${L.hostKey(h.name)}.pub` }))));
    await writeFile(
      L.inventoryPath,
      renderInventory({
        lab: name,
        hosts: hosts.map((h, k) => ({ name: h.name, ip: h.ip, index: k + 1 })),
        keyPath: L.keyPath,
        knownHostsPath: L.knownHostsPath,
      }),
    );
    await writeFile(L.infoPath, `${JSON.stringify(info, null, 2)}\n`);
    return info;
  } catch (err) {
    await cleanLab(name, dir).catch(() => {});
    throw err;
  }
}

// Stops every process of the lab and removes its kernel objects; keys and logs stay unless purge.
export async function labDown(opts: LabRef & { purge?: boolean }): Promise<void> {
  const { name, dir } = resolveLabRef(opts);
  await cleanLab(name, dir);
  const L = labLayout(dir);
  if (opts.purge) await rm(dir, { recursive: true, force: true });
  else await rm(L.hostsDir, { recursive: true, force: true });
}

async function readInfo(L: LabLayout): Promise<LabInfo | undefined> {
  try {
    return JSON.parse(await readFile(L.infoPath, 'utf8')) as LabInfo;
  } catch {
    return undefined;
  }
}

// What is alive now: per host its namespace, its sshd (PID verified by cmdline) and port 22.
export async function labStatus(opts: LabRef): Promise<LabStatus> {
  const { name, dir } = resolveLabRef(opts);
  const n = labNaming(name);
  const L = labLayout(dir);
  const info = await readInfo(L);
  const objects = await labObjects(name);
  const names = info?.hosts.map((h) => h.name) ?? objects.namespaces.map((ns) => ns.replace(/^rb-[a-z0-9]+-/, ''));
  const hosts = await Promise.all(
    names.map(async (host): Promise<HostStatus> => {
      const i = Number(host.slice(1));
      const ns = n.ns(i);
      let pid: number | undefined;
      try {
        pid = Number((await readFile(L.sshdPidFile(host), 'utf8')).trim());
      } catch {
        pid = undefined;
      }
      const argv = pid ? await cmdlineOf(pid) : undefined;
      const sshdAlive = pid !== undefined && (await isAlive(pid)) && !!argv?.some((a) => a.includes(`${name}-${host}.sshd_config`));
      const reachable = sshdAlive && (await tcpOpen(n.hostIp(i), 22));
      return { name: host, ns, ip: n.hostIp(i), pid, nsExists: objects.namespaces.includes(ns), sshdAlive, reachable };
    }),
  );
  const up = hosts.length > 0 && hosts.every((h) => h.sshdAlive && h.reachable);
  return { name, dir, up, bridge: objects.bridge, hosts };
}
