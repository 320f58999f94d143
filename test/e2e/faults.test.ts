// Faults on a 4-host lab: dead sshd, killed sshd, cut link, dropped upload, hung task, Ctrl-C, serial stop, changed host key.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, type LabInfo, labDown, labUp, onHost, recapOf, runbook } from './helpers.js';

const LAB = 'flt';
let lab: LabInfo;
let dir: string;
/** Measured times, printed at the end for the report. */
const measured: Record<string, number> = {};

const host = (name: string) => lab.hosts.find((h) => h.name === name)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const absent = (h: string, path: string) => onHost(lab, h, `test -e ${path} || echo absent`).stdout.trim() === 'absent';

interface Live {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  /** ms since spawn at which a stdout line first matched */
  when(re: RegExp, timeoutMs?: number): Promise<number>;
  done: Promise<{ code: number; ms: number }>;
}

/** The real CLI as a child we can signal, with timestamps of what it prints. */
function start(args: string[]): Live {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const seen: { re: RegExp; resolve: (ms: number) => void }[] = [];
  const check = () => {
    for (const s of [...seen]) {
      if (!s.re.test(out.stdout)) continue;
      seen.splice(seen.indexOf(s), 1);
      s.resolve(Date.now() - t0);
    }
  };
  child.stdout!.on('data', (d) => {
    out.stdout += d;
    check();
  });
  child.stderr!.on('data', (d) => {
    out.stderr += d;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<{ code: number; ms: number }>((res) =>
    child.on('close', (code, sig) => {
      clearTimeout(killer);
      res({ code: code ?? (sig ? 128 : -1), ms: Date.now() - t0 });
    }),
  );
  return {
    child,
    out,
    done,
    when: (re, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        seen.push({ re, resolve });
        check();
        setTimeout(() => reject(new Error(`timed out waiting for ${re}; stdout so far:\n${out.stdout}\n${out.stderr}`)), timeoutMs);
      }),
  };
}

function playbook(name: string, body: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, body);
  return f;
}

beforeAll(async () => {
  ensureBuilt();
  lab = await labUp({ name: LAB, count: 4 });
  dir = mkdtempSync(join(tmpdir(), 'rb-flt-'));
});
afterAll(async () => {
  spawnSync('tc', ['qdisc', 'del', 'dev', `lu-${LAB}-1`, 'root']);
  await labDown({ name: LAB });
  console.log(`faults measured: ${JSON.stringify(measured)}`);
});

describe('faults on a 4-host lab', () => {
  it('a hung task hits its timeout (task timeout: and --timeout); that host fails, the others go on', async () => {
    const pb = playbook(
      'hang',
      `- hosts: mesh\n  gather_facts: false\n  tasks:\n    - shell: if [ "$(hostname)" = h1 ]; then sleep 1000; fi; echo ok\n      timeout: 2\n    - shell: touch /root/after-hang\n`,
    );
    const t0 = Date.now();
    const r = await runbook(['run', pb, '-i', lab.inventoryPath]);
    measured.taskTimeoutMs = Date.now() - t0;
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^h1\s+failed .*\n\s+.*timed out after 2s/m);
    expect(recapOf(r.stdout).h2).toMatchObject({ failed: 0, changed: 2 });
    expect(absent('h1', '/root/after-hang')).toBe(true);
    expect(absent('h2', '/root/after-hang')).toBe(false);
    expect(onHost(lab, 'h1', 'ps -eo args | grep -c "^sleep 1000" || true').stdout.trim()).toBe('0');
    const e = await runbook([
      'exec',
      'mesh',
      '-i',
      lab.inventoryPath,
      '--timeout',
      '2',
      '--',
      'if [ "$(hostname)" = h2 ]; then sleep 1000; fi; echo ok',
    ]);
    expect(e.code).toBe(2);
    expect(e.stdout).toMatch(/^h2\s+failed .*\n\s+.*timed out after 2s/m);
    expect(recapOf(e.stdout).h1.changed).toBe(1);
  });

  it('async with poll (a template per host): the task may run that long, then fails as a hung one does', async () => {
    const pb = playbook(
      'async',
      `- hosts: mesh\n  gather_facts: false\n  vars: {budget: 2}\n  tasks:\n    - shell: if [ "$(hostname)" = h1 ]; then sleep 1001; fi; echo ok\n      async: "{{ budget }}"\n      poll: 1\n`,
    );
    const r = await runbook(['run', pb, '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^h1\s+failed .*\n\s+.*timed out after 2s/m);
    expect(recapOf(r.stdout).h2).toMatchObject({ failed: 0, changed: 1 });
    expect(onHost(lab, 'h1', 'ps -eo args | grep -c "^sleep 1001" || true').stdout.trim()).toBe('0');
  });

  it('serial: a batch over max_fail_percentage stops the play; later batches never start; the recap says why', async () => {
    const pb = playbook(
      'serial',
      `- hosts: mesh\n  gather_facts: false\n  serial: 2\n  max_fail_percentage: 0\n  tasks:\n    - shell: test "$(hostname)" != h1\n    - shell: touch /root/serial-ran\n`,
    );
    const r = await runbook(['run', pb, '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('PLAY STOPPED: max_fail_percentage 0% exceeded in batch 1 (1/2 hosts failed): later batches not started');
    expect(absent('h2', '/root/serial-ran')).toBe(false);
    for (const h of ['h3', 'h4']) expect(absent(h, '/root/serial-ran')).toBe(true);
    expect(r.stdout).not.toMatch(/^h[34]\s+(ok|changed)\s/m);
    expect(recapOf(r.stdout).h3).toMatchObject({ ok: 0, changed: 0, failed: 0 });
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig}: running commands finish, no new task starts, the recap is printed, exit 130`, async () => {
      const tag = sig.toLowerCase();
      const pb = playbook(
        tag,
        `- hosts: mesh\n  gather_facts: false\n  tasks:\n    - shell: sleep 2; touch /root/${tag}-1\n    - shell: touch /root/${tag}-2\n`,
      );
      const p = start(['run', pb, '-i', lab.inventoryPath]);
      await p.when(/^PLAY \[/m);
      await sleep(700);
      p.child.kill(sig);
      const { code, ms } = await p.done;
      expect(code, p.out.stdout + p.out.stderr).toBe(130);
      expect(p.out.stderr).toContain(`${sig}: no new tasks will start`);
      expect(p.out.stdout).toContain('INTERRUPTED');
      expect(p.out.stdout).toContain('PLAY RECAP');
      expect(ms).toBeLessThan(6000);
      for (const h of ['h1', 'h2', 'h3', 'h4']) {
        expect(absent(h, `/root/${tag}-1`)).toBe(false);
        expect(absent(h, `/root/${tag}-2`)).toBe(true);
      }
    });
  }

  it('a second SIGINT aborts at once', async () => {
    const pb = playbook('twice', '- hosts: mesh\n  gather_facts: false\n  tasks:\n    - shell: sleep 5\n');
    const p = start(['run', pb, '-i', lab.inventoryPath]);
    await p.when(/^PLAY \[/m);
    await sleep(500);
    p.child.kill('SIGINT');
    await sleep(200);
    const t = Date.now();
    p.child.kill('SIGINT');
    const { code } = await p.done;
    measured.secondSigintExitMs = Date.now() - t;
    expect(code).toBe(130);
    expect(p.out.stderr).toContain('SIGINT again: aborting now');
    expect(measured.secondSigintExitMs).toBeLessThan(1000);
  });

  it('an upload cut mid-transfer leaves the old file or the new one, never a partial; no temp file after the next run', async () => {
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(50 * 1024 * 1024, 'n'));
    const pb = playbook('upload', `- hosts: h1\n  gather_facts: false\n  tasks:\n    - copy: {src: ${big}, dest: /root/big}\n`);
    onHost(lab, 'h1', 'printf old > /root/big; touch /root/.runbook-tmp.999999.AbCdEf');
    // ~10 s for 50 MB at 40 Mbit/s: time to cut it in the middle.
    spawnSync('tc', ['qdisc', 'add', 'dev', `lu-${LAB}-1`, 'root', 'tbf', 'rate', '40mbit', 'burst', '64kb', 'latency', '400ms']);
    const p = start(['run', pb, '-i', lab.inventoryPath]);
    const rootDir = join(lab.dir, 'hosts', 'h1', 'root');
    const temp = () => readdirSync(rootDir).find((f) => f.startsWith('.runbook-tmp.') && !f.includes('999999'));
    for (let i = 0; i < 300 && !temp(); i++) await sleep(50);
    expect(temp(), 'upload never started').toBeDefined();
    await sleep(1000);
    // drop the connection: kill the per-connection sshd processes (children of the host's listener)
    const children = readFileSync(`/proc/${host('h1').pid}/task/${host('h1').pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    const { code } = await p.done;
    spawnSync('tc', ['qdisc', 'del', 'dev', `lu-${LAB}-1`, 'root']);
    expect([2, 3], p.out.stdout + p.out.stderr).toContain(code);
    expect(p.out.stdout).toMatch(/^h1\s+(unreachable|failed) .*\n\s+.*(connection lost|upload interrupted)/m);
    await sleep(300);
    const content = readFileSync(join(rootDir, 'big'));
    measured.uploadCutLeft = content.length;
    expect(content.length === 3 ? content.toString() : content.length).toBe(content.length === 3 ? 'old' : 50 * 1024 * 1024);
    const again = await runbook(['run', pb, '-i', lab.inventoryPath]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(readFileSync(join(rootDir, 'big')).equals(readFileSync(big))).toBe(true);
    expect(readdirSync(rootDir).filter((f) => f.startsWith('.runbook-tmp'))).toEqual([]);
  });

  it('sshd killed mid-task: that host is unreachable at that task, the rest complete, no hang', async () => {
    const pb = playbook(
      'midkill',
      '- hosts: mesh\n  gather_facts: false\n  tasks:\n    - name: slow\n      shell: sleep 3\n    - shell: touch /root/after-midkill\n',
    );
    const p = start(['run', pb, '-i', lab.inventoryPath]);
    await p.when(/^PLAY \[/m);
    await sleep(1000);
    const killedAt = Date.now();
    process.kill(host('h2').pid, 'SIGKILL');
    await p.when(/^h2\s+unreachable slow/m);
    measured.sshdKilledDetectMs = Date.now() - killedAt;
    const { code } = await p.done;
    expect(code, p.out.stdout).toBe(3);
    expect(p.out.stdout).toMatch(/^h2\s+unreachable slow.*\n\s+.*connection lost/m);
    const recap = recapOf(p.out.stdout);
    expect(recap.h2.unreachable).toBe(1);
    for (const h of ['h1', 'h3', 'h4']) expect(recap[h]).toMatchObject({ changed: 2, failed: 0, unreachable: 0 });
  });

  it('sshd not running at start: unreachable with the reason, the others complete, exit 3', async () => {
    const r = await runbook(['exec', 'mesh', '-i', lab.inventoryPath, '--', 'touch /root/after-dead']);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(
      /^h2\s+unreachable .*\n\s+h2 \(root@[\d.]+:22\): connection refused \(is sshd running, and is the port right\?\)/m,
    );
    expect(recapOf(r.stdout).h2.unreachable).toBe(1);
    for (const h of ['h1', 'h3', 'h4']) expect(absent(h, '/root/after-dead')).toBe(false);
  });

  it('the link cut mid-task: keepalive declares the host lost within 15 s, the rest complete', async () => {
    const pb = playbook(
      'linkcut',
      '- hosts: mesh:!h2\n  gather_facts: false\n  tasks:\n    - name: slow\n      shell: sleep 2\n    - shell: touch /root/after-linkcut\n',
    );
    const p = start(['run', pb, '-i', lab.inventoryPath]);
    await p.when(/^PLAY \[/m);
    await sleep(700);
    const cutAt = Date.now();
    spawnSync('ip', ['link', 'set', `lu-${LAB}-3`, 'down']);
    try {
      await p.when(/^h3\s+unreachable slow/m, 30_000);
      measured.linkCutDetectMs = Date.now() - cutAt;
      const { code } = await p.done;
      expect(code, p.out.stdout).toBe(3);
      expect(p.out.stdout).toMatch(/^h3\s+unreachable slow.*\n\s+.*(Keepalive timeout|connection lost)/m);
      expect(measured.linkCutDetectMs).toBeLessThan(15_000);
      for (const h of ['h1', 'h4']) expect(recapOf(p.out.stdout)[h]).toMatchObject({ changed: 2, unreachable: 0 });
    } finally {
      spawnSync('ip', ['link', 'set', `lu-${LAB}-3`, 'up']);
    }
  }, 40_000);

  it('a changed host key is refused before any command, both fingerprints shown, known_hosts untouched', async () => {
    const kh = join(dir, 'known_hosts');
    const orig = readFileSync(lab.knownHostsPath, 'utf8');
    const h1Key = orig
      .split('\n')
      .find((l) => l.startsWith(`${host('h1').ip} `))!
      .split(' ')
      .slice(1)
      .join(' ');
    const forged = orig
      .split('\n')
      .map((l) => (l.startsWith(`${host('h4').ip} `) ? `${host('h4').ip} ${h1Key}` : l))
      .join('\n');
    writeFileSync(kh, forged);
    const r = await runbook(['exec', 'h4', '-i', lab.inventoryPath, '--known-hosts', kh, '--', 'touch /root/keytest']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /host key for [\d.]+ has CHANGED: .* has ssh-ed25519 (SHA256:\S+) .* but the server offered ssh-ed25519 (SHA256:\S+)/,
    );
    const [, a, b] = /has ssh-ed25519 (SHA256:\S+) .* offered ssh-ed25519 (SHA256:\S+)/.exec(r.stdout)!;
    expect(a).not.toBe(b);
    expect(r.stdout).toContain('ssh-keygen -R');
    expect(readFileSync(kh, 'utf8')).toBe(forged);
    expect(absent('h4', '/root/keytest')).toBe(true);
  });
});
