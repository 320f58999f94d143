// setup, raw, script, pause, wait_for_connection and reboot on a 2-host lab ("mhst"). reboot runs the lab's
// stand-in shutdown (src/lab/reboot-standin.ts): the host's sessions end, it leaves the network, its sshd restarts
// and it comes back with a new boot id — a real reboot is impossible for a namespace.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type LabInfo, labDown, onHost, runbook, withLab } from './helpers.js';

const LAB = 'mhst';
let lab: LabInfo;
let dir: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const host = (name: string) => lab.hosts.find((h) => h.name === name)!;
const bootId = (h: string) => onHost(lab, h, 'cat /proc/sys/kernel/random/boot_id').stdout.trim();
const netns = (h: string, ...args: string[]) => spawnSync('ip', ['netns', 'exec', host(h).ns, 'ip', ...args], { encoding: 'utf8' });
// Which (host, task) pairs reported changed, from the plain output.
const changedTasks = (out: string) => [...out.matchAll(/^(h\d)\s+changed\s+(.+?)\s+[\d.]+s$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();

const SITE = `- hosts: all
  gather_facts: false
  tasks:
    - name: network facts only
      setup: {gather_subset: ['!all', '!min', network], filter: [ansible_eth0, ansible_all_ipv4_addresses]}
    - name: uses them
      copy: {dest: /root/net.txt, content: "{{ ansible_eth0.ipv4.address }} {{ ansible_all_ipv4_addresses | join(',') }} {{ ansible_os_family | default('no-family') }}\\n"}
      when: ansible_eth0 is defined
    - name: min facts now
      setup: {gather_subset: min, filter: ['ansible_os_family', 'ansible_distribution*']}
    - name: family known now
      copy: {dest: /root/family.txt, content: "{{ ansible_os_family }} {{ ansible_distribution_major_version }}\\n"}
      when: ansible_os_family == 'Debian'
    - name: raw line
      raw: echo "raw by $0" > /root/raw.txt
    - name: script once
      script: files/setup.sh --flag "two words" creates=/root/script.done
      register: once
    - name: script each time
      script: files/setup.sh again
      args: {chdir: /var}
    - name: record the script output
      copy: {dest: /root/script.txt, content: "{{ once.stdout_lines | default(['skipped']) | join('|') }}\\n"}
      when: once is not skipped
    - name: a second
      pause: {seconds: 1}
      register: pz
`;

beforeAll(async () => {
  lab = await withLab(LAB, 2);
  dir = mkdtempSync(join(tmpdir(), 'runbook-hostmods-'));
  mkdirSync(join(dir, 'files'));
  writeFileSync(
    join(dir, 'files/setup.sh'),
    '#!/bin/sh\necho "args: $*"\necho "cwd: $(pwd)"\n[ "$1" = --flag ] && touch /root/script.done\nexit 0\n',
  );
  writeFileSync(join(dir, 'site.yaml'), SITE);
}, 120_000);

afterAll(async () => {
  if (lab) await labDown({ name: LAB });
});

const run = (pb: string, extra: string[] = []) =>
  runbook(['run', join(dir, pb), '-i', lab.inventoryPath, ...extra], { timeoutMs: 180_000 });

describe('host modules on the lab', () => {
  it('setup with subset and filter feeds when:, raw, script (args, creates, chdir), pause; a rerun changes only what Ansible always reports changed', async () => {
    const r = await run('site.yaml');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of ['h1', 'h2']) {
      // the network-only setup gave eth0 and the addresses, not the family
      expect(onHost(lab, h, 'cat /root/net.txt').stdout).toBe(`${host(h).ip} ${host(h).ip} no-family\n`);
      expect(onHost(lab, h, 'cat /root/family.txt').stdout).toBe('Debian 12\n');
      expect(onHost(lab, h, 'cat /root/raw.txt').stdout).toMatch(/^raw by .*(bash|sh)\n$/);
      expect(onHost(lab, h, 'cat /root/script.txt').stdout).toBe('args: --flag two words|cwd: /root\n');
      // the uploaded scripts were removed
      expect(onHost(lab, h, 'ls -a /tmp | grep -c runbook-script || true').stdout.trim()).toBe('0');
    }
    expect(r.stdout).toMatch(/^h1\s+ok\s+a second\s+1\.\d+s$/m);

    const again = await run('site.yaml');
    expect(again.code, again.stdout).toBe(0);
    // raw and a script without creates/removes always report changed, in Ansible as here; nothing else changes
    expect(changedTasks(again.stdout)).toEqual(['h1 raw line', 'h1 script each time', 'h2 raw line', 'h2 script each time']);
    expect(again.stdout).toMatch(/^h1\s+skipped\s+script once/m);
  }, 120_000);

  it('wait_for_connection: h1 loses its sessions and network, its sshd restarts; the play waits and carries on', async () => {
    writeFileSync(
      join(dir, 'wfc.yaml'),
      `- hosts: all
  gather_facts: false
  tasks:
    - name: before
      shell: rm -f /root/after-wfc
    - pause: {seconds: 1}
    - name: wait
      wait_for_connection: {timeout: 40, connect_timeout: 2, sleep: 1}
      register: w
    - name: after
      shell: echo "{{ w.elapsed }}" > /root/after-wfc
`,
    );
    const child: ChildProcess = spawn(process.execPath, [CLI, 'run', join(dir, 'wfc.yaml'), '-i', lab.inventoryPath], {
      env: { ...process.env, NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const done = new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
    for (let i = 0; i < 300 && !/^h1\s+\w+\s+before/m.test(out); i++) await sleep(100);
    // "stop" h1's sshd: its sessions killed, the host off the network
    const pid = host('h1').pid;
    netns('h1', 'link', 'set', 'eth0', 'down');
    for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean))
      process.kill(Number(c), 'SIGKILL');
    await sleep(5000);
    // and restart it: network back, sshd re-executes itself (SIGHUP)
    netns('h1', 'link', 'set', 'eth0', 'up');
    process.kill(pid, 'SIGHUP');
    const code = await done;
    expect(code, out).toBe(0);
    expect(out).toMatch(/^h1\s+ok\s+wait\s/m);
    expect(Number(onHost(lab, 'h1', 'cat /root/after-wfc').stdout.trim())).toBeGreaterThanOrEqual(2);
    expect(onHost(lab, 'h2', 'cat /root/after-wfc').stdout.trim()).toBe('0');
  }, 120_000);

  it('reboot of h1: a new boot id, elapsed, h2 untouched; the lab stand-in is what ran', async () => {
    expect(onHost(lab, 'h1', 'command -v shutdown').stdout.trim()).toBe('/etc/runbook-lab/bin/shutdown');
    writeFileSync(
      join(dir, 'reboot.yaml'),
      '- hosts: h1\n  gather_facts: false\n  tasks:\n    - reboot: {reboot_timeout: 60, connect_timeout: 2}\n      register: rb\n    - debug: {var: rb}\n',
    );
    const [b1, b2] = [bootId('h1'), bootId('h2')];
    const r = await run('reboot.yaml', ['-v']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^h1\s+changed\s+reboot\s/m);
    expect(r.stdout).toMatch(/"rebooted": true/);
    expect(bootId('h1')).not.toBe(b1);
    expect(bootId('h2')).toBe(b2);
    // a rerun of the other playbook right after: h1 is usable, nothing else changed
    const again = await run('site.yaml');
    expect(again.code, again.stdout).toBe(0);
    expect(changedTasks(again.stdout)).toEqual(['h1 raw line', 'h1 script each time', 'h2 raw line', 'h2 script each time']);
  }, 120_000);

  it('reboot: a host away longer than connect_timeout is waited for; one that never comes back fails after reboot_timeout', async () => {
    onHost(lab, 'h1', 'echo DOWN=6 > /etc/runbook-lab/reboot.conf');
    writeFileSync(
      join(dir, 'slow.yaml'),
      '- hosts: h1\n  gather_facts: false\n  tasks:\n    - reboot: {reboot_timeout: 60, connect_timeout: 1}\n      register: rb\n    - debug: {var: rb.elapsed}\n',
    );
    const slow = await run('slow.yaml', ['-v']);
    expect(slow.code, slow.stdout).toBe(0);
    const elapsed = Number(
      /"?rb\.elapsed"?:?\s*(\d+)|^\s+(\d+)$/m
        .exec(slow.stdout.split('debug')[1] ?? '')
        ?.slice(1)
        .find(Boolean),
    );
    expect(elapsed).toBeGreaterThanOrEqual(6);

    onHost(lab, 'h1', 'echo DOWN=never > /etc/runbook-lab/reboot.conf');
    writeFileSync(
      join(dir, 'never.yaml'),
      '- hosts: h1\n  gather_facts: false\n  tasks:\n    - reboot: {reboot_timeout: 5, connect_timeout: 1}\n',
    );
    const t0 = Date.now();
    const never = await run('never.yaml');
    const ms = Date.now() - t0;
    expect(never.code, never.stdout).toBe(2);
    expect(never.stdout).toMatch(/Timed out waiting for last boot time check \(timeout=5\)/);
    expect(ms).toBeLessThan(20_000);
    // bring h1 back for whatever runs next
    netns('h1', 'link', 'set', 'eth0', 'up');
    process.kill(host('h1').pid, 'SIGHUP');
    await sleep(1000);
    onHost(lab, 'h1', 'rm -f /etc/runbook-lab/reboot.conf');
  }, 120_000);
});
