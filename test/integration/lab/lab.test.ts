// The lab against the real machine: namespaces, OpenSSH, overlays, stale-state recovery, OVS.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../../../src/errors.js';
import { type LabInfo, labCommand, labDown, labStatus, labUp } from '../../../src/lab/index.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

async function ssh(lab: LabInfo, ip: string, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    '-F',
    '/dev/null',
    '-i',
    lab.keyPath,
    '-o',
    `UserKnownHostsFile=${lab.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=5',
    `root@${ip}`,
    command,
  ];
  try {
    const { stdout, stderr } = await run('ssh', args, { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

// What of lab `name` the kernel and /proc still hold: namespaces, links, processes.
function leftovers(name: string, dir: string): string[] {
  const out: string[] = [];
  const ns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of ns.split('\n')) if (line.startsWith(`rb-${name}-`)) out.push(`netns ${line.split(' ')[0]}`);
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[];
  // eth0's and eth1's root ends, the lab bridge and (OVS labs) the data segment's bridge
  for (const l of links)
    if (
      /^l[uv]-/.test(l.ifname)
        ? l.ifname.startsWith(`lu-${name}-`) || l.ifname.startsWith(`lv-${name}-`)
        : [`lb-${name}`, `ld-${name}`].includes(l.ifname)
    )
      out.push(`link ${l.ifname}`);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (cmd.includes(`${dir}/init.sh`) || cmd.includes(`/etc/runbook-lab/${name}-h`)) out.push(`pid ${pid}: ${cmd}`);
    // a host's overlays and binds name its dir under hosts/, in whichever mount namespace holds them
    let mounts = '';
    try {
      mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    } catch {
      continue;
    }
    if (mounts.includes(`${dir}/hosts/`)) out.push(`mounts of pid ${pid}`);
  }
  return out;
}

// Skipped only when not root (a lab needs network namespaces and mounts); CI runs as root.
describe.skipIf(!isRoot)('lab (core)', () => {
  const name = 'ltc';
  const dir = mkdtempSync(join(tmpdir(), 'runbook-lab-test-'));
  let lab: LabInfo;

  beforeAll(async () => {
    lab = await labUp({ name, dir, count: 3 });
  });
  afterAll(async () => {
    await labDown({ name, dir, purge: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a bad lab name before touching anything', async () => {
    await expect(labUp({ name: 'TooLong', count: 1 })).rejects.toBeInstanceOf(InputError);
  });

  it('reports hosts, addresses and files', () => {
    expect(lab.hosts.map((h) => h.name)).toEqual(['h1', 'h2', 'h3']);
    expect(lab.bridge).toBe('lb-ltc');
    expect(lab.subnet).toMatch(/^10\.250\.\d+\.0\/24$/);
    expect(lab.hosts[0].ns).toBe('rb-ltc-h1');
    expect(lab.hosts[0].ip).toBe(lab.subnet.replace(/0\/24$/, '11'));
    const inv = parse(readFileSync(lab.inventoryPath, 'utf8'));
    expect(inv.all.vars.runbook_known_hosts).toBe(lab.knownHostsPath);
    expect(inv.all.children.mesh.hosts.h2).toEqual({
      ansible_host: lab.hosts[1].ip,
      ansible_user: 'root',
      ansible_ssh_private_key_file: lab.keyPath,
      bridge_cidr: '192.168.2.1/24',
      docker_subnet: '192.168.2.0/24',
      ovs_datapath_type: 'netdev',
      mtu: 1400,
    });
    const kh = readFileSync(lab.knownHostsPath, 'utf8').trim().split('\n');
    expect(kh.map((l) => l.split(' ')[0])).toEqual(lab.hosts.map((h) => h.ip));
  });

  it('each host answers the real OpenSSH client with its own name and host key', async () => {
    for (const h of lab.hosts) {
      const r = await ssh(lab, h.ip, 'hostname');
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(h.name);
    }
  });

  it('sends no IPv6 router solicitations (the lab has no router): on a new link either', async () => {
    const h = lab.hosts[0];
    const r = await ssh(
      lab,
      h.ip,
      'cat /proc/sys/net/ipv6/conf/all/router_solicitations /proc/sys/net/ipv6/conf/eth0/router_solicitations; ip link add rs-a type veth peer name rs-b && cat /proc/sys/net/ipv6/conf/rs-a/router_solicitations; ip link del rs-a',
    );
    expect(r.stdout).toBe('0\n0\n0\n');
  });

  it('keeps /etc, /var, /usr, /opt, /srv, /home, /root and /tmp private to each host', async () => {
    const tag = `runbook-lab-test-${process.pid}`;
    const dirs = ['/etc', '/var/lib', '/usr/local', '/opt', '/srv', '/home', '/root', '/tmp'];
    const paths = dirs.map((d) => join(d, tag));
    const w = await ssh(lab, lab.hosts[0].ip, `${paths.map((p) => `echo x > ${p}`).join(' && ')} && cat ${paths.join(' ')}`);
    expect(w).toMatchObject({ code: 0, stdout: 'x\n'.repeat(paths.length) });
    const r = await ssh(lab, lab.hosts[1].ip, `ls ${paths.join(' ')} 2>/dev/null; echo done`);
    expect(r.stdout).toBe('done\n');
    for (const p of paths) expect(existsSync(p)).toBe(false);
  });

  it('puts the stand-in systemctl first on PATH, honest about what it is', async () => {
    const ip = lab.hosts[0].ip;
    const help = await ssh(lab, ip, 'command -v systemctl; systemctl --help | head -n 1');
    expect(help.stdout).toMatch(/^\/etc\/runbook-lab\/bin\/systemctl\nlab systemctl: the runbook lab's stand-in/);
    expect((await ssh(lab, ip, 'systemctl is-active docker')).code).toBe(3);
    const other = await ssh(lab, ip, 'systemctl restart nginx');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('lab systemctl: unit nginx not available in the lab');
    const bad = await ssh(lab, ip, `mkdir -p /etc/docker && echo '{nope' > /etc/docker/daemon.json && systemctl restart docker`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not valid JSON');
    expect((await ssh(lab, ip, 'systemctl is-active docker')).stdout).toBe('failed\n');
    const noBridge = await ssh(lab, ip, `echo '{"bridge": "br-test"}' > /etc/docker/daemon.json && systemctl restart docker`);
    expect(noBridge.code).toBe(1);
    expect(noBridge.stderr).toContain('bridge "br-test"');
    const ok = await ssh(
      lab,
      ip,
      'ip link add br-test type bridge && systemctl restart docker.service && systemctl is-active docker && cat /run/lab-systemd/docker.restarts',
    );
    expect(ok).toMatchObject({ code: 0, stdout: 'active\n1\n' });
    const en = await ssh(lab, ip, 'systemctl enable docker && systemctl is-enabled docker && systemctl daemon-reload && echo reloaded');
    expect(en.stdout).toBe('enabled\nreloaded\n');
    // what the systemd and service modules probe: every property, or only those asked for (-p, --property=)
    const show = await ssh(lab, ip, 'systemctl show docker; echo --; systemctl show -p ActiveState --property=NRestarts docker');
    expect(show.stdout).toBe(
      'Id=docker.service\nLoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\nNRestarts=1\n--\nActiveState=active\nNRestarts=1\n',
    );
    // state is per host
    expect((await ssh(lab, lab.hosts[1].ip, 'systemctl is-active docker')).stdout).toBe('inactive\n');
  });

  it('status sees every host up', async () => {
    const st = await labStatus({ name, dir });
    expect(st.up).toBe(true);
    expect(st.hosts.map((h) => [h.name, h.sshdAlive, h.reachable, h.nsExists])).toEqual([
      ['h1', true, true, true],
      ['h2', true, true, true],
      ['h3', true, true, true],
    ]);
    expect(await labCommand('status', { name, dir })).toContain('lab "ltc": up (3/3 hosts answer on port 22');
  });

  it('comes up again over killed processes, left-behind namespaces, stray veths and a stray data bridge', async () => {
    for (const h of lab.hosts) process.kill(h.pid, 'SIGKILL');
    execFileSync('ip', ['link', 'add', 'lu-ltc-9', 'type', 'veth', 'peer', 'name', 'lu-ltc-9p']);
    // and what an OVS lab of the same name leaves: its data segment's bridge and an eth1 root end
    execFileSync('ip', ['link', 'add', 'ld-ltc', 'type', 'bridge']);
    execFileSync('ip', ['link', 'add', 'lv-ltc-9', 'type', 'veth', 'peer', 'name', 'lv-ltc-9p']);
    const stale = await labStatus({ name, dir });
    expect(stale.up).toBe(false);
    expect(stale.hosts.every((h) => h.nsExists)).toBe(true);

    lab = await labUp({ name, dir, count: 2 });
    expect(lab.hosts.map((h) => h.name)).toEqual(['h1', 'h2']);
    for (const h of lab.hosts) expect((await ssh(lab, h.ip, 'hostname')).stdout).toBe(`${h.name}\n`);
    const left = leftovers(name, dir).filter((x) => x.startsWith('link') || x.startsWith('netns'));
    expect(left.sort()).toEqual(['link lb-ltc', 'link lu-ltc-1', 'link lu-ltc-2', 'netns rb-ltc-h1', 'netns rb-ltc-h2']);
    // a fresh up is a fresh host: the old overlay contents are gone
    expect((await ssh(lab, lab.hosts[0].ip, 'ls /etc/docker 2>/dev/null; echo done')).stdout).toBe('done\n');
  });

  it('down leaves no namespace, veth, bridge or process of the lab', async () => {
    const text = await labCommand('down', { name, dir });
    expect(text).toContain('is down');
    expect(leftovers(name, dir)).toEqual([]);
    const st = await labStatus({ name, dir });
    expect(st.up).toBe(false);
    expect(st.bridge).toBe(false);
  });
});

// Skipped only when not root, as above.
describe.skipIf(!isRoot)('lab (ovs)', () => {
  const name = 'lto';
  const dir = mkdtempSync(join(tmpdir(), 'runbook-lab-test-'));
  let lab: LabInfo;

  beforeAll(async () => {
    lab = await labUp({ name, dir, count: 2, ovs: true });
  });
  afterAll(async () => {
    await labDown({ name, dir, purge: true });
    expect(leftovers(name, dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs ovsdb-server and ovs-vswitchd per host at the stock paths, reachable over ssh', async () => {
    for (const h of lab.hosts) {
      const r = await ssh(lab, h.ip, 'hostname; ovs-vsctl show; ls /run/openvswitch');
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`${h.name}\n`)).toBe(true);
      expect(r.stdout).toMatch(/Bridge br-phy\s+datapath_type: netdev/);
      expect(r.stdout).toMatch(/Port eth1/);
      expect(r.stdout).not.toMatch(/Port eth0/);
      for (const f of ['db.sock', 'ovsdb-server.pid', 'ovs-vswitchd.pid']) expect(r.stdout).toContain(f);
    }
  });

  it('keeps SSH on eth0 in the kernel; br-phy on eth1 holds the address for OVS alone, and the GRE between hosts works', async () => {
    const [h1, h2] = lab.hosts;
    const r = await ssh(
      lab,
      h1.ip,
      `ip -4 -o addr show dev br-phy; ip -4 -o addr show dev eth0; ip route show ${h2.ip}/24; ip route get ${h2.ip}; cat /proc/sys/net/ipv4/conf/eth1/rp_filter; ovs-appctl ovs/route/lookup ${h2.ip}; ping -c 1 -W 2 ${h2.ip} >/dev/null && echo ping-ok`,
    );
    // br-phy: the address with no prefix route; the kernel reaches the /24 (and the controller) through eth0
    expect(r.stdout).toMatch(new RegExp(`br-phy\\s+inet ${h1.ip.replace(/\./g, '\\.')}/24 .*noprefixroute`));
    expect(r.stdout).toMatch(new RegExp(`eth0\\s+inet ${h1.ip.replace(/\./g, '\\.')}/24`));
    expect(r.stdout).toMatch(/ dev eth0 /);
    expect(r.stdout).not.toMatch(/^\S+ dev br-phy/m);
    expect(r.stdout).toMatch(/\n1\n/);
    // OVS's own route for the tunnels: out of br-phy
    expect(r.stdout).toMatch(/^dev br-phy$/m);
    expect(r.stdout).toContain('ping-ok');
    // a GRE port each way on a netdev bridge with an address on each end: h1 reaches h2's end through the tunnel
    for (const [a, b, addr] of [
      [h1, h2, '172.31.250.1'],
      [h2, h1, '172.31.250.2'],
    ] as const)
      await ssh(
        lab,
        a.ip,
        `ovs-vsctl -- add-br gt -- set bridge gt datapath_type=netdev -- add-port gt gtun -- set interface gtun type=gre options:remote_ip=${b.ip} && ip addr add ${addr}/24 dev gt && ip link set gt up`,
      );
    const p = await ssh(lab, h1.ip, 'ping -c 1 -W 5 172.31.250.2 >/dev/null && echo answered; ip route get 172.31.250.2');
    expect(p.stdout).toContain('answered');
    expect(p.stdout).toContain('dev gt');
    const popped = await ssh(lab, h1.ip, 'ovs-appctl dpctl/dump-flows | grep -c tnl_pop');
    expect(Number(popped.stdout.trim())).toBeGreaterThan(0);
    // each host has its own database: a bridge made on h1 is not on h2
    await ssh(lab, h1.ip, 'ovs-vsctl add-br br-lab-test -- set bridge br-lab-test datapath_type=netdev');
    expect((await ssh(lab, h2.ip, 'ovs-vsctl br-exists br-lab-test')).code).toBe(2);
    expect((await ssh(lab, h1.ip, 'ovs-vsctl br-exists br-lab-test')).code).toBe(0);
  });

  it("knows its peers' eth1 MACs (OVS tunnel neighbours): no ARP among hosts' OVS", async () => {
    const [h1, h2] = lab.hosts;
    const mac = (await ssh(lab, h2.ip, 'cat /sys/class/net/eth1/address')).stdout.trim();
    expect(mac).toMatch(/^02:72:63(:[0-9a-f]{2}){3}$/);
    const r = await ssh(lab, h1.ip, 'ovs-appctl tnl/neigh/show');
    expect(r.stdout).toMatch(new RegExp(`^${h2.ip.replace(/\./g, '\\.')}\\s+${mac}\\s+br-phy$`, 'm'));
    // itself is not among its neighbours
    expect(r.stdout).not.toContain(`${h1.ip} `);
  });
});
