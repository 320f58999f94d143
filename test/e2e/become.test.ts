// become on a real OpenSSH lab host with real sudo: an unprivileged login user whose sudo needs a password (from a
// vault file), wrong and missing passwords (clear failures, no hang), the password nowhere in any output nor in the
// host's process list, a NOPASSWD user, and become_user (task, play, inventory var, exec flag; root login too).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type LabInfo, labDown, onHost, type Ran, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'bec';
const PW = 'BecomePw-S3ntinel-7d1c';
const OPS_PW = 'OpsPw-S3ntinel-41aa';
let lab: LabInfo;
let dir: string;
let vaultPw: string;
/** inventories: login user deploy (password from a vault file), deploy without one, ops (NOPASSWD), root, ops + ansible_become_user */
const inv = { deploy: '', nopw: '', ops: '', root: '', opsApp: '' };

/** A root command on the lab host, with stdin (so passwords never sit on a command line, not even in setup). */
function asRoot(command: string, input = ''): Ran {
  return onHost(lab, lab.hosts[0].name, command, input);
}

/** A YAML inventory of the lab's h1 with these host vars, written to `name` under the temp dir. */
function inventory(name: string, hostVars: Record<string, string>): string {
  const h = lab.hosts[0];
  const vars = Object.entries({ ansible_host: h.ip, ...hostVars })
    .map(([k, v]) => `      ${k}: ${v}\n`)
    .join('');
  const text = `all:\n  vars:\n    runbook_known_hosts: ${lab.knownHostsPath}\n    ansible_ssh_private_key_file: ${lab.keyPath}\n  hosts:\n    h1:\n${vars}`;
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function playbook(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** task:result events of a `-o json` run, by task name. */
function results(stdout: string): Record<string, { status: string; stdout?: string; msg?: string }> {
  const out: Record<string, { status: string; stdout?: string; msg?: string }> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line);
    if (e.type === 'task:result') out[e.task] = e;
  }
  return out;
}

const run = (pb: string, invPath: string, ...more: string[]) =>
  runbook(['run', pb, '-i', invPath, '--vault-password-file', vaultPw, ...more]);
const stat = (path: string) => onHost(lab, 'h1', `stat -c '%U:%G %a' ${path}`).stdout.trim();
const absent = (path: string) => onHost(lab, 'h1', `test -e ${path} || echo absent`).stdout.trim() === 'absent';

beforeAll(async () => {
  lab = await withLab(LAB, 1);
  dir = mkdtempSync(join(tmpdir(), 'rb-become-'));
  // Users in the host's own /etc (an overlay) with homes in its private /var; the lab key logs in as deploy and ops.
  const setup = asRoot(
    [
      'set -e',
      'for u in deploy ops app; do id "$u" >/dev/null 2>&1 || useradd -m -d "/var/lib/$u" -s /bin/sh "$u"; done',
      'chpasswd',
      'for u in deploy ops; do install -d -m 700 -o "$u" -g "$u" "/var/lib/$u/.ssh"; install -m 600 -o "$u" -g "$u" /root/.ssh/authorized_keys "/var/lib/$u/.ssh/authorized_keys"; done',
      // deploy: sudo asks for the password; ops: never
      "printf '%s\\n' 'deploy ALL=(ALL:ALL) ALL' 'ops ALL=(ALL:ALL) NOPASSWD: ALL' > /etc/sudoers.d/runbook-e2e",
      'chmod 440 /etc/sudoers.d/runbook-e2e',
      'visudo -c >/dev/null',
    ].join('\n'),
    `deploy:${PW}\nops:${OPS_PW}\n`,
  );
  expect(setup.code, setup.stderr).toBe(0);
  // the users exist on the lab host only, not on this machine
  expect(spawnSync('id', ['deploy']).status).not.toBe(0);

  vaultPw = join(dir, 'vault-pass');
  writeFileSync(vaultPw, 'vault sesame\n');
  // deploy's password comes from a vault-encrypted host_vars file beside the inventory
  inventory('inv/hosts.yaml', { ansible_user: 'deploy' });
  inv.deploy = join(dir, 'inv');
  mkdirSync(join(dir, 'inv', 'host_vars'));
  writeFileSync(join(dir, 'inv', 'host_vars', 'h1.yaml'), `ansible_become_password: ${PW}\n`);
  const enc = await runbook(['vault', 'encrypt', join(dir, 'inv', 'host_vars', 'h1.yaml'), '--vault-password-file', vaultPw]);
  expect(enc.code, enc.stderr).toBe(0);
  inv.nopw = inventory('inventories/nopw.yaml', { ansible_user: 'deploy' });
  inv.ops = inventory('inventories/ops.yaml', { ansible_user: 'ops' });
  inv.root = inventory('inventories/root.yaml', { ansible_user: 'root' });
  inv.opsApp = inventory('inventories/ops-app.yaml', { ansible_user: 'ops', ansible_become_user: 'app' });
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 'motd.hbs'), 'welcome to {{ inventory_hostname }}\n');
});

afterAll(async () => {
  if (lab) await labDown({ name: LAB });
});

const ROOT_PB = `- hosts: h1
  gather_facts: false
  become: true
  tasks:
    - name: who
      command: id -u
      changed_when: false
    - name: root file
      copy: {dest: /etc/runbook-become.conf, content: "written as root\\n", mode: "0640"}
    - name: root template
      template: {src: motd.hbs, dest: /etc/runbook-become.motd}
`;

describe('become with a sudo password (login user deploy)', () => {
  it('the right password (from a vault file): id -u is 0, copy and template write root-owned files in /etc, a rerun changes nothing', async () => {
    const pb = playbook('root.yaml', ROOT_PB);
    const r = await run(pb, inv.deploy, '-o', 'json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = results(r.stdout);
    expect(res.who).toMatchObject({ status: 'ok', stdout: '0' });
    expect(res['root file'].status).toBe('changed');
    expect(res['root template'].status).toBe('changed');
    expect(stat('/etc/runbook-become.conf')).toBe('root:root 640');
    expect(onHost(lab, 'h1', 'cat /etc/runbook-become.conf').stdout).toBe('written as root\n');
    expect(stat('/etc/runbook-become.motd')).toBe('root:root 644');
    expect(onHost(lab, 'h1', 'cat /etc/runbook-become.motd').stdout).toBe('welcome to h1\n');
    // deploy itself may not write there: it really went through sudo
    expect(onHost(lab, 'h1', 'su -s /bin/sh deploy -c "test -w /etc" || echo no').stdout.trim()).toBe('no');

    const again = await run(pb, inv.deploy);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(recapOf(again.stdout).h1).toMatchObject({ ok: 3, changed: 0, failed: 0 });
  });

  it('a wrong password fails the host at once with a clear message, exit 2, nothing written', async () => {
    const pb = playbook(
      'wrong.yaml',
      '- hosts: h1\n  gather_facts: false\n  become: true\n  tasks:\n    - copy: {dest: /etc/runbook-wrong.conf, content: "no\\n"}\n',
    );
    const t0 = Date.now();
    const r = await run(pb, inv.deploy, '-e', 'ansible_become_password=not-the-password');
    const took = Date.now() - t0;
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('become (deploy → root) failed: sudo rejected the become password (incorrect password)');
    expect(r.stdout).toContain('check ansible_become_password for this host');
    expect(recapOf(r.stdout).h1).toMatchObject({ failed: 1, changed: 0 });
    // one attempt (PAM's 2 s failure delay), not sudo's three (6 s and more)
    expect(took).toBeLessThan(5800);
    expect(absent('/etc/runbook-wrong.conf')).toBe(true);
  });

  it('a wrong password with data on stdin: sudo gets one attempt, never the data as more attempts', async () => {
    const pb = playbook(
      'wrong-stdin.yaml',
      '- hosts: h1\n  gather_facts: false\n  become: true\n  tasks:\n    - command: cat\n      args: {stdin: "line1\\nline2\\nline3\\nline4\\n"}\n',
    );
    const t0 = Date.now();
    const r = await run(pb, inv.deploy, '-e', 'ansible_become_password=not-the-password');
    const took = Date.now() - t0;
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('sudo rejected the become password (incorrect password)');
    // three attempts (the password, then line1, line2) would take over 6 s
    expect(took).toBeLessThan(5000);
    // the right password: the command gets exactly its stdin
    const ok = await run(pb, inv.deploy, '-o', 'json');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(results(ok.stdout).command.stdout).toBe('line1\nline2\nline3\nline4');
  });

  it('no password while sudo needs one: a clear failure at once, no hang', async () => {
    const pb = playbook(
      'nopw.yaml',
      '- hosts: h1\n  gather_facts: false\n  become: true\n  tasks:\n    - copy: {dest: /etc/runbook-nopw.conf, content: "no\\n"}\n',
    );
    const t0 = Date.now();
    const r = await runbook(['run', pb, '-i', inv.nopw]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('become (deploy → root) failed: sudo requires a password for deploy and none was given');
    expect(r.stdout).toContain('set ansible_become_password');
    expect(absent('/etc/runbook-nopw.conf')).toBe(true);
  });
});

describe('the become password is never shown nor on a command line', () => {
  const LONG_PB = `- hosts: h1
  gather_facts: false
  become: true
  tasks:
    - name: long task
      shell: sleep 3; echo slept
    - name: file
      copy: {dest: /etc/runbook-secret.conf, content: "x\\n"}
    - name: fails, with the password variable in the message
      shell: "echo {{ ansible_become_password }}; exit 3"
      ignore_errors: true
`;

  for (const [label, flags] of [
    ['plain -vvvv --diff', ['-o', 'plain', '-vvvv', '--diff']],
    ['json -vvvv --diff', ['-o', 'json', '-vvvv', '--diff']],
  ] as const) {
    it(`${label}: 0 occurrences in stdout and stderr`, async () => {
      onHost(lab, 'h1', 'rm -f /etc/runbook-secret.conf');
      const r = await run(playbook('long.yaml', LONG_PB), inv.deploy, ...flags);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('********');
      expect((r.stdout + r.stderr).split(PW).length - 1).toBe(0);
      expect(stat('/etc/runbook-secret.conf')).toBe('root:root 644');
    });
  }

  it("nor in the host's process list (args, nor environment) while a become task runs", async () => {
    const pb = playbook('long-only.yaml', '- hosts: h1\n  gather_facts: false\n  become: true\n  tasks:\n    - shell: sleep 3\n');
    const child = spawn(process.execPath, [CLI, 'run', pb, '-i', inv.deploy, '--vault-password-file', vaultPw], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
    let seen = '';
    let sawSleep = false;
    for (let i = 0; i < 20 && !sawSleep; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const ps = onHost(
        lab,
        'h1',
        "ps -eo user,args; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; tr '\\0' '\\n' < $p/environ; done 2>/dev/null",
      );
      seen += ps.stdout;
      sawSleep = /^root\s+sleep 3$/m.test(ps.stdout);
    }
    expect(await exited).toBe(0);
    expect(sawSleep, 'sampled while the task ran as root').toBe(true);
    expect(seen).toContain('sudo -k -S');
    expect(seen.split(PW).length - 1).toBe(0);
  });
});

describe('a NOPASSWD sudoer (login user ops)', () => {
  const pb = () =>
    playbook(
      'ops.yaml',
      `- hosts: h1
  gather_facts: false
  become: true
  tasks:
    - name: who
      command: id -u
      changed_when: false
    - name: stdin untouched
      command: cat
      args: {stdin: "data\\n"}
    - name: file
      copy: {dest: /etc/runbook-ops.conf, content: "ops\\n"}
`,
    );

  it('works without a password', async () => {
    const r = await runbook(['run', pb(), '-i', inv.ops, '-o', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = results(r.stdout);
    expect(res.who.stdout).toBe('0');
    expect(res['stdin untouched'].stdout).toBe('data');
    expect(stat('/etc/runbook-ops.conf')).toBe('root:root 644');
  });

  it('ansible_become: true in the inventory turns become on where the play does not', async () => {
    const invBecome = inventory('inventories/ops-become.yaml', { ansible_user: 'ops', ansible_become: 'true' });
    const pbFile = playbook('plain-id.yaml', '- hosts: h1\n  gather_facts: false\n  tasks:\n    - name: who\n      shell: id -u\n');
    const r = await runbook(['run', pbFile, '-i', invBecome, '-o', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(results(r.stdout).who.stdout).toBe('0');
    const off = await runbook(['run', pbFile, '-i', inv.ops, '-o', 'json']);
    expect(results(off.stdout).who.stdout).not.toBe('0');
  });

  it('works with a password given: sudo never asks, and the password never reaches the command', async () => {
    const r = await runbook(['run', pb(), '-i', inv.ops, '-o', 'json', '-e', `ansible_become_password=${OPS_PW}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = results(r.stdout);
    expect(res.who.stdout).toBe('0');
    expect(res['stdin untouched'].stdout).toBe('data');
    expect(res.file.status).toBe('ok');
    expect(r.stdout.split(OPS_PW).length - 1).toBe(0);
  });
});

describe('become_user', () => {
  const USER_PB = `- hosts: h1
  gather_facts: false
  become: true
  become_user: app
  tasks:
    - name: whoami
      command: whoami
      changed_when: false
    - name: home
      shell: echo $HOME
      changed_when: false
    - name: task overrides play
      command: id -un
      become_user: root
      changed_when: false
    - name: file of app
      copy: {dest: /var/lib/app/owned.txt, content: "app's\\n"}
    - name: new file in /tmp
      copy: {dest: /tmp/runbook-app.txt, content: "tmp\\n", mode: "0600"}
`;

  for (const [label, which] of [
    ['login deploy with a sudo password', 'deploy'],
    ['login root (sudo -u from root)', 'root'],
    ['login ops (NOPASSWD)', 'ops'],
  ] as const) {
    it(`${label}: commands run as app, files become app's, a rerun changes nothing`, async () => {
      onHost(lab, 'h1', 'rm -f /var/lib/app/owned.txt /tmp/runbook-app.txt');
      const pb = playbook('user.yaml', USER_PB);
      const r = await run(pb, inv[which], '-o', 'json');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const res = results(r.stdout);
      expect(res.whoami.stdout).toBe('app');
      expect(res.home.stdout).toBe('/var/lib/app');
      expect(res['task overrides play'].stdout).toBe('root');
      expect(stat('/var/lib/app/owned.txt')).toBe('app:app 644');
      expect(stat('/tmp/runbook-app.txt')).toBe('app:app 600');
      expect(onHost(lab, 'h1', 'cat /var/lib/app/owned.txt').stdout).toBe("app's\n");
      const again = await run(pb, inv[which]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(recapOf(again.stdout).h1).toMatchObject({ changed: 0, failed: 0 });
    });
  }

  it('ansible_become_user from the inventory applies where no play or task names a user', async () => {
    const pb = playbook(
      'var.yaml',
      '- hosts: h1\n  gather_facts: false\n  become: true\n  tasks:\n    - name: whoami\n      command: whoami\n    - name: named\n      command: whoami\n      become_user: root\n',
    );
    const r = await runbook(['run', pb, '-i', inv.opsApp, '-o', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(results(r.stdout).whoami.stdout).toBe('app');
    expect(results(r.stdout).named.stdout).toBe('root');
  });

  it('a templated become_user is rendered per host', async () => {
    const pb = playbook(
      'tpl.yaml',
      '- hosts: h1\n  gather_facts: false\n  become: true\n  vars: {svc: app}\n  tasks:\n    - name: whoami\n      command: whoami\n      become_user: "{{ svc }}"\n',
    );
    const r = await runbook(['run', pb, '-i', inv.root, '-o', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(results(r.stdout).whoami.stdout).toBe('app');
  });

  it("an unknown become_user fails the task with sudo's reason", async () => {
    const pb = playbook(
      'nouser.yaml',
      '- hosts: h1\n  gather_facts: false\n  become: true\n  become_user: nosuchuser\n  tasks:\n    - command: whoami\n',
    );
    const r = await runbook(['run', pb, '-i', inv.ops]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('become (ops → nosuchuser) failed: sudo exited with 1: sudo: unknown user nosuchuser');
  });

  it('runbook exec -b --become-user', async () => {
    const r = await runbook(['exec', 'h1', '-i', inv.root, '-b', '--become-user', 'app', '--', 'whoami']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stdout\| app$/m);
  });
});
