// The system modules (user, group, authorized_key, cron, hostname, mount, systemd, service) on a 2-host lab:
// what the hosts hold afterwards, a login with the installed key, a rerun that changes nothing, and the machine untouched.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname as machineHostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'msys';
// openssl passwd -6 -salt msyssalt msys-secret
const HASH = '$6$msyssalt$luSziNoomNCEC5E42QO6.ugSGzI4NugSd.TvERF2udOzK7yzoBJEznp1lhd3fhNV2GkRexVjEeVgqhbPlt0hN1';
let lab: LabInfo;
let dir: string;
let pub: string;
const reloads: Record<string, number> = {};

const INIT_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          msysd
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: runbook e2e SysV service
### END INIT INFO
S=/run/msysd.state
case "$1" in
  start) echo running > $S; echo start >> /run/msysd.log ;;
  stop) rm -f $S; echo stop >> /run/msysd.log ;;
  restart) echo running > $S; echo restart >> /run/msysd.log ;;
  status) [ -f $S ] ;;
  *) exit 3 ;;
esac
`;

function playbook(): string {
  return `
- hosts: all
  gather_facts: false
  tasks:
    - group: {name: msysgrp, gid: 4100}
    - group: {name: msysextra, system: true}
    - name: the user
      user:
        name: msysuser
        uid: 4100
        group: msysgrp
        groups: [msysextra]
        shell: /bin/sh
        home: /var/lib/msysuser
        comment: Msys Test
        password: "${HASH}"
        generate_ssh_key: true
        ssh_key_type: ed25519
      register: u
    - assert:
        that: [u.name == 'msysuser', u.uid == 4100, u.group == 4100, u.home == '/var/lib/msysuser', u.shell == '/bin/sh', u.password == 'NOT_LOGGING_PASSWORD']
    - authorized_key: {user: msysuser, key: "${pub}", key_options: no-port-forwarding}
    - cron: {name: msys nightly, minute: "5", hour: "2", job: /bin/true nightly, user: msysuser}
    - cron: {name: MSYS_ENV, env: true, value: hello, user: msysuser}
    - cron: {name: msys reboot, special_time: reboot, job: /bin/true, cron_file: msys-demo, user: root}
    - hostname: {name: "msys-{{ inventory_hostname }}", use: generic}
    - mount: {path: /var/lib/msys-scratch, src: tmpfs, fstype: tmpfs, opts: size=8m, state: mounted}
    - mount: {path: /var/lib/msys-later, src: tmpfs, fstype: tmpfs, opts: noauto, state: present}
    - systemd: {name: docker, state: started, enabled: true, daemon_reload: true}
    - copy:
        dest: /etc/init.d/msysd
        mode: "0755"
        content: |
${INIT_SCRIPT.split('\n')
  .map((l) => `          ${l}`)
  .join('\n')}
    - service: {name: msysd, state: started, enabled: true, use: sysvinit}
`;
}

const ABSENT = `
- hosts: all
  gather_facts: false
  tasks:
    - cron: {name: msys nightly, user: msysuser, state: absent}
    - cron: {name: msys reboot, cron_file: msys-demo, state: absent}
    - user: {name: msysuser, state: absent, remove: true}
    - group: {name: msysextra, state: absent}
    - mount: {path: /var/lib/msys-scratch, state: absent}
    - service: {name: msysd, state: stopped, enabled: false, use: sysvinit}
    - service: {name: docker, state: stopped, daemon_reload: true}
    - service: {daemon_reload: true}
`;

beforeAll(async () => {
  lab = await withLab(LAB, 2);
  dir = mkdtempSync(join(tmpdir(), 'msys-'));
  const k = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'msys@e2e', '-f', join(dir, 'key')], { encoding: 'utf8' });
  if (k.status !== 0) throw new Error(k.stderr);
  pub = readFileSync(join(dir, 'key.pub'), 'utf8').trim();
  writeFileSync(join(dir, 'site.yaml'), playbook());
  writeFileSync(join(dir, 'absent.yaml'), ABSENT);
}, 180_000);
afterAll(async () => {
  await labDown({ name: LAB });
});

describe('system modules on a 2-host lab', () => {
  it('applies users, keys, cron, hostname, mount and services; the hosts hold them', async () => {
    const r = await runbook(['run', join(dir, 'site.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain('msys-secret');
    expect(r.stdout).not.toContain(HASH);
    for (const h of ['h1', 'h2']) {
      expect(onHost(lab, h, 'getent passwd msysuser').stdout).toBe('msysuser:x:4100:4100:Msys Test:/var/lib/msysuser:/bin/sh\n');
      expect(onHost(lab, h, 'getent group msysgrp').stdout).toBe('msysgrp:x:4100:\n');
      expect(onHost(lab, h, 'getent group msysextra').stdout).toMatch(/^msysextra:x:\d+:msysuser\n$/);
      expect(onHost(lab, h, 'getent shadow msysuser | cut -d: -f2').stdout.trim()).toBe(HASH);
      expect(onHost(lab, h, 'stat -c %U:%a /var/lib/msysuser/.ssh/id_ed25519 /var/lib/msysuser/.ssh').stdout).toBe(
        'msysuser:600\nmsysuser:700\n',
      );
      expect(onHost(lab, h, 'cat /var/lib/msysuser/.ssh/authorized_keys').stdout).toBe(`no-port-forwarding ${pub}\n`);
      expect(onHost(lab, h, 'stat -c %U:%a /var/lib/msysuser/.ssh/authorized_keys').stdout.trim()).toBe('msysuser:600');
      expect(onHost(lab, h, 'crontab -u msysuser -l').stdout).toBe(
        'MSYS_ENV="hello"\n#Ansible: msys nightly\n5 2 * * * /bin/true nightly\n',
      );
      expect(onHost(lab, h, 'cat /etc/cron.d/msys-demo').stdout).toBe('#Ansible: msys reboot\n@reboot root /bin/true\n');
      expect(onHost(lab, h, 'cat /etc/hostname; hostname').stdout).toBe(`msys-${h}\nmsys-${h}\n`);
      expect(onHost(lab, h, 'grep msys /etc/fstab').stdout).toBe(
        'tmpfs /var/lib/msys-scratch tmpfs size=8m 0 0\ntmpfs /var/lib/msys-later tmpfs noauto 0 0\n',
      );
      expect(onHost(lab, h, 'findmnt -n -o FSTYPE,OPTIONS /var/lib/msys-scratch').stdout).toMatch(/^tmpfs\s+\S*size=8192k/);
      expect(onHost(lab, h, 'findmnt -n /var/lib/msys-later || echo unmounted').stdout.trim()).toBe('unmounted');
      expect(onHost(lab, h, 'cd /run/lab-systemd && cat docker.state docker.enabled').stdout).toBe('active\nenabled\n');
      // ours, and update-rc.d's own (it reloads systemd when /run/systemd/system exists)
      reloads[h] = Number(onHost(lab, h, 'cat /run/lab-systemd/daemon-reloads').stdout);
      expect(reloads[h]).toBeGreaterThanOrEqual(1);
      expect(onHost(lab, h, 'cat /run/msysd.state; ls /etc/rc2.d | grep -c msysd').stdout).toBe('running\n1\n');
    }
    // the key really lets the user in over SSH
    const ip = lab.hosts.find((x) => x.name === 'h1')!.ip;
    const login = spawnSync(
      'ssh',
      [
        '-i',
        join(dir, 'key'),
        '-o',
        `UserKnownHostsFile=${lab.knownHostsPath}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        'IdentitiesOnly=yes',
        `msysuser@${ip}`,
        'id -un; id -Gn',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(login.stdout + login.stderr).toBe('msysuser\nmsysgrp msysextra\n');
  }, 240_000);

  it('a rerun changes nothing', async () => {
    const r = await runbook(['run', join(dir, 'site.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const recap = recapOf(r.stdout);
    for (const h of ['h1', 'h2']) expect(recap[h].changed, r.stdout).toBe(0);
    // daemon_reload still ran (it is an action, not a change), the SysV service was not restarted
    expect(onHost(lab, 'h1', 'cat /run/lab-systemd/daemon-reloads /run/msysd.log').stdout).toBe(`${reloads.h1 + 1}\nstart\n`);
  }, 240_000);

  it('the machine itself was not changed', () => {
    expect(spawnSync('getent', ['passwd', 'msysuser']).status).not.toBe(0);
    expect(spawnSync('getent', ['group', 'msysgrp']).status).not.toBe(0);
    expect(machineHostname()).not.toMatch(/^msys-/);
    expect(readFileSync('/etc/fstab', 'utf8')).not.toContain('msys');
    expect(spawnSync('findmnt', ['/var/lib/msys-scratch']).status).not.toBe(0);
  });

  it('state: absent takes it all away again, and a second run changes nothing', async () => {
    const reloadsBefore = Number(onHost(lab, 'h1', 'cat /run/lab-systemd/daemon-reloads').stdout);
    const r = await runbook(['run', join(dir, 'absent.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // service passed daemon_reload on to systemd twice (as Ansible's service does on a systemd host), once with no
    // unit; update-rc.d's disable of msysd reloads systemd once itself
    expect(Number(onHost(lab, 'h1', 'cat /run/lab-systemd/daemon-reloads').stdout)).toBe(reloadsBefore + 3);
    for (const h of ['h1', 'h2']) {
      expect(onHost(lab, h, 'getent passwd msysuser || echo gone').stdout.trim()).toBe('gone');
      expect(onHost(lab, h, 'getent group msysextra || echo gone').stdout.trim()).toBe('gone');
      expect(onHost(lab, h, 'test -e /var/lib/msysuser || echo gone').stdout.trim()).toBe('gone');
      expect(onHost(lab, h, 'test -e /etc/cron.d/msys-demo || echo gone').stdout.trim()).toBe('gone');
      expect(onHost(lab, h, 'grep -c msys-scratch /etc/fstab; findmnt /var/lib/msys-scratch || echo unmounted').stdout).toBe(
        '0\nunmounted\n',
      );
      expect(onHost(lab, h, 'test -e /run/msysd.state || echo stopped; ls /etc/rc2.d | grep msysd').stdout).toMatch(
        /^stopped\nK\d\dmsysd\n$/,
      );
      expect(onHost(lab, h, 'cat /run/lab-systemd/docker.state').stdout).toBe('inactive\n');
    }
    const again = await runbook(['run', join(dir, 'absent.yaml'), '-i', lab.inventoryPath]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    for (const h of ['h1', 'h2']) expect(recapOf(again.stdout)[h].changed, again.stdout).toBe(0);
  }, 240_000);
});
