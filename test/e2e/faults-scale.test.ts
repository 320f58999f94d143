// Faults at scale: 200 hosts whose sshd keeps OpenSSH's default MaxStartups 10:30:100, first contact with an empty known_hosts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, type LabInfo, labDown, labUp, recapOf, runbook } from './helpers.js';

const LAB = 'fsc';
const N = 200;
let lab: LabInfo;
let dir: string;
const measured: Record<string, number> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// sshd logs the first drop of a throttling spell and, when the spell ends, how many it dropped in all.
const drops = (h: string) =>
  [
    ...readFileSync(join(lab.dir, 'logs', `${h}.log`), 'utf8').matchAll(
      /exited MaxStartups throttling after \S+, (\d+) connections dropped/g,
    ),
  ]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);

beforeAll(async () => {
  ensureBuilt();
  lab = await labUp({ name: LAB, count: N, maxStartups: 'default' });
  dir = mkdtempSync(join(tmpdir(), 'rb-fsc-'));
}, 120_000);
afterAll(async () => {
  await labDown({ name: LAB });
  console.log(`faults-scale measured: ${JSON.stringify(measured)}`);
}, 60_000);

describe(`${N} hosts with sshd's default MaxStartups`, () => {
  it('the lab really runs the default MaxStartups', () => {
    const conf = readFileSync(join(lab.dir, 'hosts', 'h1', 'etc.upper', 'runbook-lab', `${LAB}-h1.sshd_config`), 'utf8');
    expect(conf).not.toMatch(/MaxStartups/);
  });

  it('accept-new records every first-contact key once, in parallel, without corrupting the file; strict then accepts them all', async () => {
    const kh = join(dir, 'known_hosts');
    writeFileSync(kh, '');
    const t0 = Date.now();
    const r = await runbook(['exec', 'all', '-i', lab.inventoryPath, '--known-hosts', kh, '-f', String(N), '--', 'true']);
    measured.firstContactMs = Date.now() - t0;
    expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(0);
    const lines = readFileSync(kh, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(N);
    expect(new Set(lines).size).toBe(N);
    for (const l of lines) expect(l).toMatch(/^\S+ ssh-ed25519 [A-Za-z0-9+/=]+$/);
    const ips = lines.map((l) => l.split(' ')[0]).sort();
    expect(ips).toEqual(lab.hosts.map((h) => h.ip).sort());
    const before = readFileSync(kh, 'utf8');
    const strict = await runbook([
      'exec',
      'all',
      '-i',
      lab.inventoryPath,
      '--known-hosts',
      kh,
      '--host-key-checking',
      'strict',
      '--',
      'true',
    ]);
    expect(strict.code, strict.stdout.slice(-2000)).toBe(0);
    expect(readFileSync(kh, 'utf8')).toBe(before);
  }, 60_000);

  it('a playbook over all hosts at the default forks: 0 failures, 0 unreachable', async () => {
    const pb = join(dir, 'pb.yaml');
    writeFileSync(
      pb,
      '- hosts: mesh\n  gather_facts: true\n  tasks:\n    - copy: {dest: /root/scale, content: "{{ inventory_hostname }}"}\n',
    );
    const t0 = Date.now();
    const r = await runbook(['run', pb, '-i', lab.inventoryPath]);
    measured.playbook200Ms = Date.now() - t0;
    expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(0);
    const recap = recapOf(r.stdout);
    expect(Object.keys(recap)).toHaveLength(N);
    expect(Object.values(recap).every((t) => t.failed === 0 && t.unreachable === 0 && t.changed === 1)).toBe(true);
  }, 60_000);

  it('30 connections at once to ONE host while 10 unauthenticated ones hold its MaxStartups: 0 failures (drops, if any, retried with backoff)', async () => {
    const h1 = lab.hosts[0];
    // 10 silent TCP connections: sshd counts them as pending startups until LoginGraceTime.
    const held = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<Socket>((res, rej) => {
            const s = connect(22, h1.ip, () => res(s)).on('error', rej);
          }),
      ),
    );
    try {
      await sleep(300);
      const aliases = Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [
          `one${i + 1}`,
          { ansible_host: h1.ip, ansible_user: 'root', ansible_ssh_private_key_file: lab.keyPath },
        ]),
      );
      const inv = join(dir, 'one-host.yaml');
      writeFileSync(inv, JSON.stringify({ all: { vars: { runbook_known_hosts: lab.knownHostsPath }, hosts: aliases } }));
      const before = drops('h1');
      const t0 = Date.now();
      const r = await runbook(['exec', 'all', '-i', inv, '-f', '30', '--', 'true']);
      measured.oneHostMs = Date.now() - t0;
      // sshd logs the spell's total at the first connection it accepts once the spell is over: end it (the held
      // startups go when sshd has seen them close), then knock until the total is in the log (at most ~3 s).
      for (const s of held) s.destroy();
      const knock = () =>
        new Promise<void>((res) =>
          connect(22, h1.ip, function (this: Socket) {
            this.destroy();
            res();
          }).on('error', () => res()),
        );
      for (let i = 0; i < 30 && drops('h1') === before; i++) {
        await sleep(100);
        await knock();
      }
      measured.oneHostDrops = drops('h1') - before;
      expect(measured.oneHostDrops, 'the held startups made sshd drop some of ours').toBeGreaterThan(0);
      expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
      expect(Object.values(recapOf(r.stdout)).filter((t) => t.changed === 1)).toHaveLength(30);
    } finally {
      for (const s of held) s.destroy();
    }
  }, 60_000);
});
