// Every shipped playbook applies on the lab and a second run changes nothing; the example inventory loads.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, ROOT, recapOf, runbook, withLab } from './helpers.js';

let lab: LabInfo;
const pb = (name: string) => join(ROOT, 'playbooks', name);

beforeAll(async () => {
  lab = await withLab('pbk', 2, true);
});
afterAll(async () => {
  await labDown({ name: 'pbk' });
});

describe('shipped playbooks', () => {
  it('load and validate, with the example inventory of the seed’s two hosts', async () => {
    for (const name of ['gre-mesh.yaml', 'docker-bridge.yaml', 'ovs-autostart.yaml']) {
      const r = await runbook(['run', pb(name), '--syntax-check']);
      expect(r.code, r.stderr).toBe(0);
    }
    const hosts = await runbook(['run', pb('gre-mesh.yaml'), '-i', join(ROOT, 'inventory'), '--list-hosts']);
    expect(hosts.stdout).toContain('node-a');
    expect(hosts.stdout).toContain('node-b');
    const inv = JSON.parse((await runbook(['inventory', '-i', join(ROOT, 'inventory'), '--host', 'node-b'])).stdout);
    expect(inv).toMatchObject({ ansible_host: '192.168.42.131', docker_subnet: '192.168.2.0/24', mtu: 1400, ansible_user: 'root' });
  });

  it('docker-bridge.yaml: br0, ifcfg-br0, daemon.json with the inventory’s extra keys; rerun changes nothing', async () => {
    const extra = ['-e', '{"docker_daemon_options": {"log-level": "warn", "bridge": "docker0"}}'];
    const first = await runbook(['run', pb('docker-bridge.yaml'), '-i', lab.inventoryPath, ...extra]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(JSON.parse(onHost(lab, 'h2', 'cat /etc/docker/daemon.json').stdout)).toEqual({ 'log-level': 'warn', bridge: 'br0', mtu: 1400 });
    expect(onHost(lab, 'h2', 'ip -br addr show br0').stdout).toContain('192.168.2.1/24');
    expect(onHost(lab, 'h2', 'cat /run/lab-systemd/docker.restarts').stdout.trim()).toBe('1');
    const again = await runbook(['run', pb('docker-bridge.yaml'), '-i', lab.inventoryPath, ...extra]);
    expect(again.code).toBe(0);
    for (const h of ['h1', 'h2']) expect(recapOf(again.stdout)[h].changed).toBe(0);
  });

  it('ovs-autostart.yaml: autorun.sh really restarts Open vSwitch from scratch; rerun changes nothing', async () => {
    const first = await runbook(['run', pb('ovs-autostart.yaml'), '-i', lab.inventoryPath]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const again = await runbook(['run', pb('ovs-autostart.yaml'), '-i', lab.inventoryPath]);
    for (const h of ['h1', 'h2']) expect(recapOf(again.stdout)[h].changed).toBe(0);
    // A "reboot" of Open vSwitch, run inside h1 with nsenter, as a console would: with the daemons down the lab's
    // tunnel end (br-phy on eth1) is gone. rc.local's script must bring them back, twice in a row.
    const inH1 = (script: string) =>
      execFileSync('nsenter', ['-t', String(lab.hosts[0].pid), '-m', '-n', '-p', '-u', 'sh', '-c', script], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    inH1('kill $(cat /run/openvswitch/ovs-vswitchd.pid) $(cat /run/openvswitch/ovsdb-server.pid); sleep 0.5');
    expect(() => inH1('ovs-vsctl --timeout=2 show')).toThrow();
    expect(inH1('sh /root/autorun.sh >/dev/null 2>&1 && sh /root/autorun.sh >/dev/null 2>&1; echo rc=$?')).toContain('rc=0');
    expect(inH1('ovs-vsctl --timeout=5 show')).toContain('Bridge br-phy');
    // give the lab its tunnel end back as lab up made it (a real host's NIC would not be on OVS): the address
    // on br-phy, and OVS's route out of it (a restarted ovs-vswitchd forgets the routes it was told)
    const net = lab.hosts[0].ip.replace(/\.\d+$/, '.0/24');
    inH1(`ip addr replace ${lab.hosts[0].ip}/24 dev br-phy noprefixroute; ip link set br-phy up; ovs-appctl ovs/route/add ${net} br-phy`);
    expect(inH1(`ovs-appctl ovs/route/lookup ${lab.hosts[1].ip}`)).toMatch(/^dev br-phy$/m);
  });
});
