// The persistent shell on real OpenSSH hosts: tasks share one shell yet nothing leaks from one to the next, and a host
// that cannot keep a shell (a ForceCommand that closes stdin, a restricted login shell) gets exec channels, said with -v.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSshdConfig, type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'shf';
let lab: LabInfo;
let dir: string;

const playbook = (name: string, body: string) => {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, body);
  return f;
};
const ip = (h: string) => lab.hosts.find((x) => x.name === h)?.ip;

beforeAll(async () => {
  lab = await withLab(LAB, 3);
  dir = mkdtempSync(join(tmpdir(), 'rb-shell-'));
  // h2: an audit-style ForceCommand that runs the asked command with stdin closed, so no shell can be kept.
  await addSshdConfig(lab, 'h2', 'ForceCommand /bin/sh -c "exec /bin/sh -c \\"$SSH_ORIGINAL_COMMAND\\" </dev/null"');
  // h3: root's login shell is rbash, which refuses `exec`.
  expect(onHost(lab, 'h3', 'usermod -s /bin/rbash root').code).toBe(0);
}, 120_000);

afterAll(async () => {
  await labDown({ name: LAB });
});

describe('one persistent shell per host', () => {
  it('cd, export and umask in one task are not seen by the next; every task ran in the same shell', async () => {
    const pb = playbook(
      'leak',
      `- hosts: h1
  gather_facts: false
  tasks:
    - shell: echo $$ > /root/pid1; cd /tmp; export RB_LEAK=leaked; umask 077; alias ll=ls
    - shell: echo $$ > /root/pid2; { pwd; echo "[$RB_LEAK]"; umask; alias ll || echo no-alias; } > /root/seen
    - shell: echo new > /root/mode-check
`,
    );
    const r = await runbook(['run', pb, '-i', lab.inventoryPath, '-v']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/exec channels/);
    expect(onHost(lab, 'h1', 'cat /root/seen').stdout).toBe('/root\n[]\n0022\nno-alias\n');
    expect(onHost(lab, 'h1', 'stat -c %a /root/mode-check').stdout.trim()).toBe('644');
    const pids = onHost(lab, 'h1', 'cat /root/pid1 /root/pid2').stdout.trim().split('\n');
    expect(pids[0]).toBe(pids[1]);
  });

  it('with runbook_persistent_shell: false, each task gets its own exec channel (and its own shell)', async () => {
    const pb = playbook(
      'exec',
      '- hosts: h1\n  gather_facts: false\n  tasks:\n    - shell: echo $$ > /root/xpid1\n    - shell: echo $$ > /root/xpid2\n',
    );
    const r = await runbook(['run', pb, '-i', lab.inventoryPath, '-e', 'runbook_persistent_shell=false', '-v']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/h1 \(root@[\d.]+:22\): exec channels, one per command \(persistent shell turned off/);
    const pids = onHost(lab, 'h1', 'cat /root/xpid1 /root/xpid2').stdout.trim().split('\n');
    expect(pids[0]).not.toBe(pids[1]);
  });

  it('stdout and stderr stay apart, binary uploads arrive byte for byte, exit codes are kept', async () => {
    const bin = join(dir, 'bin.dat');
    writeFileSync(bin, Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 131) % 256)));
    const pb = playbook(
      'io',
      `- hosts: h1
  gather_facts: false
  tasks:
    - copy: {src: ${bin}, dest: /root/bin.dat}
    - shell: echo to-out; echo to-err >&2; exit 3
      register: r
      ignore_errors: true
    - copy:
        dest: /root/streams
        content: "{{ r.rc }}|{{ r.stdout }}|{{ r.stderr }}"
`,
    );
    const r = await runbook(['run', pb, '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(onHost(lab, 'h1', 'cat /root/streams').stdout).toBe('3|to-out|to-err');
    const sum = (s: string) => s.split(' ')[0];
    const local = spawnSync('sha256sum', [bin], { encoding: 'utf8' }).stdout;
    expect(sum(onHost(lab, 'h1', 'sha256sum /root/bin.dat').stdout)).toBe(sum(local));
  });
});

describe('hosts that cannot keep a shell get exec channels', () => {
  it('a ForceCommand closing stdin (h2) and an rbash login shell (h3): said with -v, the tasks still run', async () => {
    const pb = playbook('fallback', '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: hostname\n    - command: echo second\n');
    const r = await runbook(['run', pb, '-i', lab.inventoryPath, '-v']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain(`h2 (root@${ip('h2')}:22): exec channels, one per command (no persistent shell: the shell ended at once`);
    expect(r.stderr).toMatch(
      new RegExp(
        `h3 \\(root@${ip('h3')?.replace(/\./g, '\\.')}:22\\): exec channels, one per command \\(no persistent shell: .*restricted`,
      ),
    );
    expect(r.stderr).not.toMatch(/^h1 .*exec channels/m);
    for (const h of ['h1', 'h2', 'h3']) expect(recapOf(r.stdout)[h]).toMatchObject({ changed: 2, failed: 0, unreachable: 0 });
    expect(r.stdout).toMatch(/^h3\s+changed\s+command.*\n\s+stdout\| h3/m);
  });

  it('without -v nothing is said about it', async () => {
    const pb = playbook('quiet', '- hosts: h2\n  gather_facts: false\n  tasks:\n    - command: hostname\n');
    const r = await runbook(['run', pb, '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/exec channels/);
  });
});
