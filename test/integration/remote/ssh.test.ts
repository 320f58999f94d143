import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectError, TaskError } from '../../../src/errors.js';
import { fingerprint, KnownHosts } from '../../../src/remote/known-hosts.js';
import { connectSsh, type SshTarget } from '../../../src/remote/ssh.js';
import { type SshdLab, startRelay, startSshd } from './sshd.js';

let lab: SshdLab;
let work: string;
let kh: KnownHosts;

beforeAll(async () => {
  lab = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'runbook-ssh-'));
  kh = new KnownHosts(join(work, 'known_hosts'));
});
afterAll(async () => {
  await lab?.stop();
  rmSync(work, { recursive: true, force: true });
});

const target = (over: Partial<SshTarget> = {}): SshTarget => ({
  name: 'lab',
  host: '127.0.0.1',
  port: lab.port,
  user: 'root',
  keyFiles: [lab.clientKey],
  ...over,
});
const fast = { connectTimeoutMs: 5000, sshConfigFile: '/nonexistent' };

describe('exec over one connection', () => {
  it('records the host key on first contact, then matches it', async () => {
    const c1 = await connectSsh(target(), { knownHosts: kh, ...fast });
    await c1.close();
    const text = readFileSync(kh.file, 'utf8');
    expect(text).toBe(`[127.0.0.1]:${lab.port} ${lab.hostPub.type} ${lab.hostPub.blob.toString('base64')}\n`);
    const c2 = await connectSsh(target(), { knownHosts: kh, ...fast });
    expect((await c2.exec('echo again')).stdout).toBe('again\n');
    await c2.close();
    expect(readFileSync(kh.file, 'utf8')).toBe(text);
  });

  it('returns stdout, stderr and the exit code; stdin; 20 sequential and 10 queued execs', async () => {
    const c = await connectSsh(target(), { knownHosts: kh, ...fast });
    expect(c.host).toBe('lab');
    expect(await c.exec('echo out; echo err >&2; exit 7')).toEqual({ code: 7, stdout: 'out\n', stderr: 'err\n' });
    expect((await c.exec('tr a-z A-Z', { stdin: 'hello\n' })).stdout).toBe('HELLO\n');
    expect((await c.exec('cat; echo eof')).stdout).toBe('eof\n');
    for (let i = 0; i < 20; i++) expect((await c.exec(`echo ${i}`)).stdout).toBe(`${i}\n`);
    // sshd has MaxSessions 2 and each takes 0.2 s: these only all succeed if channels are used one at a time
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => c.exec(`sleep 0.2; echo p${i}`)));
    expect(all.map((r) => r.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}\n`));
    expect((await c.exec('id -u', { become: true })).stdout).toBe('0\n');
    await c.close();
  });

  it('a timeout kills the command, rejects with TaskError, and the connection lives on', async () => {
    const c = await connectSsh(target(), { knownHosts: kh, ...fast });
    const t0 = Date.now();
    const err = await c.exec('sleep 30 | cat; echo not killed', { timeout: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toBe('command timed out after 1s');
    expect(Date.now() - t0).toBeLessThan(5000);
    // the whole pipeline was killed: the next command gets a session at once
    expect((await c.exec('echo still here')).stdout).toBe('still here\n');
    expect(Date.now() - t0).toBeLessThan(6000);
    expect((await c.exec('pgrep -f "^sleep 30$" || echo none')).stdout).toBe('none\n');
    // a command that finishes in time is unaffected by the watchdog, exit code included
    expect(await c.exec('echo quick; exit 4', { timeout: 5 })).toEqual({ code: 4, stdout: 'quick\n', stderr: '' });
    await c.close();
  });

  it('put is atomic, sets or keeps the mode; readFile returns bytes or null', async () => {
    const c = await connectSsh(target(), { knownHosts: kh, ...fast });
    const dest = join(work, 'remote.conf');
    writeFileSync(dest, 'old\n');
    const inode = (await c.exec(`stat -c %i ${dest}`)).stdout;
    await c.put(dest, Buffer.from('new\n'), { mode: '0600' });
    expect(readFileSync(dest, 'utf8')).toBe('new\n');
    expect((await c.exec(`stat -c %a ${dest}`)).stdout).toBe('600\n');
    expect((await c.exec(`stat -c %i ${dest}`)).stdout).not.toBe(inode);
    chmodSync(dest, 0o751);
    await c.put(dest, Buffer.from('newer\n'));
    expect((await c.exec(`stat -c %a ${dest}`)).stdout).toBe('751\n');
    expect((await c.exec(`ls -a ${work} | grep -c runbook-tmp || true`)).stdout).toBe('0\n');
    const bin = Buffer.from([0, 1, 2, 255, 254, 10]);
    await c.put(join(work, 'bin'), bin);
    expect(await c.readFile(join(work, 'bin'))).toEqual(bin);
    expect(await c.readFile(join(work, 'absent'))).toBeNull();
    await expect(c.readFile(work)).rejects.toThrow(TaskError);
    await expect(c.put(join(work, 'no', 'dir'), Buffer.from('x'))).rejects.toThrow(TaskError);
    await c.close();
  });
});

describe('refusals', () => {
  it('a changed host key is refused with both fingerprints; known_hosts unchanged', async () => {
    const file = join(work, 'kh-changed');
    const other = readFileSync(`${lab.clientKey}.pub`, 'utf8').split(' ');
    const fake = `[127.0.0.1]:${lab.port} ${other[0]} ${other[1]}\n`;
    writeFileSync(file, fake);
    const err2 = await connectSsh(target(), { knownHosts: new KnownHosts(file), ...fast }).catch((e) => e);
    expect(err2).toBeInstanceOf(ConnectError);
    expect(err2.message).toContain(`[127.0.0.1]:${lab.port}`);
    expect(err2.message).toContain(fingerprint(lab.hostPub.blob));
    expect(err2.message).toContain(fingerprint(Buffer.from(other[1], 'base64')));
    expect(err2.hint).toContain(`ssh-keygen -R "[127.0.0.1]:${lab.port}" -f ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(fake);
  });

  it('strict policy refuses an unknown host', async () => {
    const err = await connectSsh(target(), { knownHosts: new KnownHosts(join(work, 'kh-strict'), 'strict'), ...fast }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toMatch(/not in .*kh-strict/);
  });

  it('a key file readable by others is refused before connecting', async () => {
    const k = join(work, 'open_key');
    copyFileSync(lab.clientKey, k);
    chmodSync(k, 0o644);
    const relay = await startRelay(lab.port);
    const err = await connectSsh(target({ port: relay.port, keyFiles: [k] }), { knownHosts: kh, ...fast }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toContain(`Permissions 0644 for '${k}' are too open`);
    expect(relay.accepted).toBe(0);
    await relay.close();
  });

  it('auth failure names user, host and keys tried, and is not retried', async () => {
    const k = join(work, 'stranger');
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k]);
    const relay = await startRelay(lab.port);
    const err = await connectSsh(target({ port: relay.port, keyFiles: [k], password: 'hunter2-secret' }), {
      knownHosts: new KnownHosts(join(work, 'kh-auth')),
      ...fast,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toContain('user root');
    expect(err.message).toContain(`127.0.0.1:${relay.port}`);
    expect(err.message).toContain(k);
    expect(err.hint).toContain(`${k}.pub`);
    expect(`${err.message}${err.hint}`).not.toContain('hunter2-secret');
    expect(relay.accepted).toBe(1);
    await relay.close();
  });
});

describe('resilience', () => {
  it('retries when the server drops the connection before key exchange (MaxStartups)', async () => {
    const relay = await startRelay(lab.port, 2);
    const c = await connectSsh(target({ port: relay.port }), { knownHosts: new KnownHosts(join(work, 'kh-retry')), ...fast });
    expect((await c.exec('echo ok')).stdout).toBe('ok\n');
    expect(relay.accepted).toBe(3);
    await c.close();
    await relay.close();
  });

  it('gives up after the configured retries', async () => {
    const relay = await startRelay(lab.port, 100);
    const err = await connectSsh(target({ port: relay.port }), {
      knownHosts: new KnownHosts(join(work, 'kh-retry2')),
      retries: 2,
      ...fast,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toMatch(/3 attempts/);
    expect(relay.accepted).toBe(3);
    await relay.close();
  });

  it('a connection cut mid-command rejects with ConnectError and marks the host dead', async () => {
    const relay = await startRelay(lab.port);
    const c = await connectSsh(target({ port: relay.port }), { knownHosts: new KnownHosts(join(work, 'kh-cut')), ...fast });
    const reasons: string[] = [];
    c.onClose((r) => reasons.push(r));
    const pending = c.exec('sleep 20').catch((e) => e);
    await new Promise((r) => setTimeout(r, 300));
    relay.cutAll();
    const err = await pending;
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toMatch(/connection lost/);
    expect(c.dead).toBe(true);
    expect(reasons).toHaveLength(1);
    await expect(c.exec('true')).rejects.toThrow(ConnectError);
    await relay.close();
  });

  it('reaches the host through a ProxyJump host (forwardOut)', async () => {
    const c = await connectSsh(target({ proxyJump: `root@127.0.0.1:${lab.port}` }), { knownHosts: kh, ...fast });
    expect((await c.exec('echo via jump')).stdout).toBe('via jump\n');
    await c.close();
    expect(lab.log()).toMatch(/direct-tcpip|Connection from 127\.0\.0\.1/);
  });
});
