// ovs_bridge and ovs_port read the Open vSwitch database on ovsdb-server's socket over SSH (a streamlocal channel:
// sshd connects, no program starts on the host), on real OpenSSH and real OVS. A host whose sshd forbids it, and a
// become user other than the login one, get ovsdb-client as before. Every ovsdb-client run is logged on its host by
// a wrapper first in the lab's PATH, so what ran is read back from the host.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSshdConfig, type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'ovq';
let lab: LabInfo;
let dir: string;

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - ovs_service: {}
    - ovs_bridge: {name: obr7, datapath_type: netdev}
    - ovs_port:
        bridge: obr7
        port: "gre-{{ item }}"
        type: gre
        options: {remote_ip: "10.9.9.{{ item }}"}
      loop: [1, 2, 3]
`;

const calls = (h: string) => onHost(lab, h, 'cat /root/ovsdb-client.calls 2>/dev/null').stdout;
const ports = (h: string) => onHost(lab, h, 'ovs-vsctl list-ports obr7').stdout.trim().split('\n');

beforeAll(async () => {
  lab = await withLab(LAB, 2, true);
  dir = mkdtempSync(join(tmpdir(), 'rb-ovsq-'));
  writeFileSync(join(dir, 'ovs.yaml'), PLAYBOOK);
  const wrapper = '#!/bin/sh\n{ echo "$*" >> /root/ovsdb-client.calls; } 2>/dev/null\nexec /usr/bin/ovsdb-client "$@"\n';
  for (const h of ['h1', 'h2'])
    expect(onHost(lab, h, 'cat > /etc/runbook-lab/bin/ovsdb-client && chmod 755 /etc/runbook-lab/bin/ovsdb-client', wrapper).code).toBe(0);
  // h2: an sshd that opens no unix sockets for its clients
  await addSshdConfig(lab, 'h2', 'AllowStreamLocalForwarding no');
}, 120_000);

afterAll(async () => {
  await labDown({ name: LAB });
});

describe('the OVS database read on its socket', () => {
  it('no ovsdb-client runs where sshd opens the socket; drift is seen and put right; where it does not, ovsdb-client reads', async () => {
    const first = await runbook(['run', join(dir, 'ovs.yaml'), '-i', lab.inventoryPath]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    for (const h of ['h1', 'h2']) expect(ports(h)).toEqual(['gre-1', 'gre-2', 'gre-3']);

    // a port removed behind runbook's back on both hosts, and the call logs emptied
    for (const h of ['h1', 'h2']) expect(onHost(lab, h, 'ovs-vsctl del-port obr7 gre-2 && rm -f /root/ovsdb-client.calls').code).toBe(0);
    const again = await runbook(['run', join(dir, 'ovs.yaml'), '-i', lab.inventoryPath]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const recap = recapOf(again.stdout);
    expect([recap.h1.changed, recap.h2.changed]).toEqual([1, 1]);
    for (const h of ['h1', 'h2']) expect(ports(h)).toEqual(['gre-1', 'gre-2', 'gre-3']);
    // h1: only network safety's copy of the database before the change; every read went over the socket
    expect(calls('h1')).toBe('backup unix:/run/openvswitch/db.sock Open_vSwitch\n');
    expect(calls('h2')).toMatch(/^--timeout=10 transact \["Open_vSwitch",/m);

    for (const h of ['h1', 'h2']) onHost(lab, h, 'rm -f /root/ovsdb-client.calls');
    const rerun = await runbook(['run', join(dir, 'ovs.yaml'), '-i', lab.inventoryPath]);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect([recapOf(rerun.stdout).h1.changed, recapOf(rerun.stdout).h2.changed]).toEqual([0, 0]);
    expect(calls('h1')).toBe('');
    expect(calls('h2')).toMatch(/^--timeout=10 transact /);
  });

  it('as another user than the login one, that user’s own permissions apply (the socket is root’s)', async () => {
    writeFileSync(
      join(dir, 'nobody.yaml'),
      '- hosts: h1\n  gather_facts: false\n  become: true\n  become_user: nobody\n  tasks:\n    - ovs_bridge: {name: obr7, datapath_type: netdev}\n',
    );
    const r = await runbook(['run', join(dir, 'nobody.yaml'), '-i', lab.inventoryPath]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(
      /db\.sock: database connection failed \(Permission denied\): the database's socket is root's: run the task as root \(become: true, no other become_user\)/,
    );
  });
});
