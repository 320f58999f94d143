import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectError, InputError } from '../../../src/errors.js';
import { KnownHosts } from '../../../src/remote/known-hosts.js';
import {
  fingerprint,
  hashHostName,
  hostsFieldMatches,
  judgeHostKey,
  keyTypeOf,
  parseKnownHosts,
} from '../../../src/remote/known-hosts-format.js';
import { keygen, type TestKey } from './keygen.js';

let dir: string;
let a: TestKey;
let b: TestKey;
let rsa: TestKey;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-kh-'));
  a = keygen(dir, 'a');
  b = keygen(dir, 'b');
  rsa = keygen(dir, 'r', 'ecdsa');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (k: TestKey) => k.blob.toString('base64');

describe('fingerprint and key type', () => {
  it('matches ssh-keygen -lf exactly', () => {
    expect(fingerprint(a.blob)).toBe(a.fingerprint);
    expect(fingerprint(rsa.blob)).toBe(rsa.fingerprint);
    expect(fingerprint(a.blob)).not.toMatch(/=$/);
  });
  it('reads the type from the blob', () => {
    expect(keyTypeOf(a.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(rsa.blob)).toBe('ecdsa-sha2-nistp256');
    expect(() => keyTypeOf(Buffer.from([0, 0]))).toThrow();
  });
});

describe('parsing and matching', () => {
  it('skips comments, blank and malformed lines; keeps markers and line numbers', () => {
    const text = [
      '# comment',
      '',
      `web1,10.0.0.5 ${a.type} ${b64(a)} a comment here`,
      'garbage line',
      `@revoked * ${b.type} ${b64(b)}`,
      `@bogus web2 ${a.type} ${b64(a)}`,
      `web3 ssh-rsa ${b64(a)}`, // type field disagrees with the blob
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => [e.line, e.marker, e.hosts])).toEqual([
      [3, undefined, 'web1,10.0.0.5'],
      [5, 'revoked', '*'],
    ]);
  });

  it('uses [host]:port for non-22 ports and bare names for 22', () => {
    expect(hostsFieldMatches('[10.0.0.5]:2222', '10.0.0.5', 2222)).toBe(true);
    expect(hostsFieldMatches('[10.0.0.5]:2222', '10.0.0.5', 22)).toBe(false);
    expect(hostsFieldMatches('10.0.0.5', '10.0.0.5', 2222)).toBe(false);
    expect(hostsFieldMatches('web1,10.0.0.5', '10.0.0.5', 22)).toBe(true);
    expect(hostsFieldMatches('WEB1', 'web1', 22)).toBe(true);
  });

  it('supports wildcards and negation', () => {
    expect(hostsFieldMatches('*.example.com,!bad.example.com', 'ok.example.com', 22)).toBe(true);
    expect(hostsFieldMatches('*.example.com,!bad.example.com', 'bad.example.com', 22)).toBe(false);
    expect(hostsFieldMatches('10.0.0.?', '10.0.0.7', 22)).toBe(true);
    expect(hostsFieldMatches('10.0.0.?', '10.0.0.17', 22)).toBe(false);
  });

  it('matches entries hashed by ssh-keygen -H', () => {
    const f = join(dir, 'hashed');
    writeFileSync(f, `[127.0.0.1]:2222 ${a.type} ${b64(a)}\nweb1 ${b.type} ${b64(b)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
    const entries = parseKnownHosts(readFileSync(f, 'utf8'));
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    expect(judgeHostKey(entries, '127.0.0.1', 2222, a.blob).status).toBe('match');
    expect(judgeHostKey(entries, '127.0.0.1', 22, a.blob).status).toBe('new');
    expect(judgeHostKey(entries, 'web1', 22, b.blob).status).toBe('match');
    expect(judgeHostKey(entries, 'web1', 22, a.blob).status).toBe('mismatch');
  });

  it('computes the same hash as ssh-keygen', () => {
    const entry = parseKnownHosts(readFileSync(join(dir, 'hashed'), 'utf8'))[0].hosts;
    const salt = Buffer.from(entry.split('|')[2], 'base64');
    expect(hashHostName('[127.0.0.1]:2222', salt)).toBe(entry);
  });

  it('judges match / new / mismatch / revoked', () => {
    const entries = parseKnownHosts(
      `h1 ${a.type} ${b64(a)}\nh2 ${rsa.type} ${b64(rsa)}\n@revoked h3 ${b.type} ${b64(b)}\nh3 ${b.type} ${b64(b)}\n`,
    );
    expect(judgeHostKey(entries, 'h1', 22, a.blob)).toEqual({ status: 'match', line: 1 });
    expect(judgeHostKey(entries, 'h9', 22, a.blob)).toEqual({ status: 'new' });
    const mm = judgeHostKey(entries, 'h1', 22, b.blob);
    expect(mm.status).toBe('mismatch');
    // a key of another type alone is not a conflict (the server may offer a different algorithm)
    expect(judgeHostKey(entries, 'h2', 22, a.blob).status).toBe('new');
    expect(judgeHostKey(entries, 'h3', 22, b.blob)).toEqual({ status: 'revoked', line: 3 });
  });
});

describe('KnownHosts policies', () => {
  it('accept-new records one line, then matches', async () => {
    const f = join(dir, 'sub', 'kh1');
    const kh = new KnownHosts(f);
    await kh.check('10.0.0.1', 2222, a.blob);
    expect(readFileSync(f, 'utf8')).toBe(`[10.0.0.1]:2222 ${a.type} ${b64(a)}\n`);
    await kh.check('10.0.0.1', 2222, a.blob);
    expect(readFileSync(f, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect((await kh.verify('10.0.0.1', 2222, a.blob)).status).toBe('match');
  });

  it('refuses a changed key with both fingerprints and leaves the file alone', async () => {
    const f = join(dir, 'kh2');
    writeFileSync(f, `# mine\n[10.0.0.2]:2222 ${a.type} ${b64(a)}`); // no trailing newline
    const before = readFileSync(f, 'utf8');
    const err = await new KnownHosts(f).check('10.0.0.2', 2222, b.blob).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toContain('[10.0.0.2]:2222');
    expect(err.message).toContain(a.fingerprint);
    expect(err.message).toContain(b.fingerprint);
    expect(err.hint).toBe(`if the change is expected, remove the old key and reconnect: ssh-keygen -R "[10.0.0.2]:2222" -f ${f}`);
    expect(readFileSync(f, 'utf8')).toBe(before);
  });

  it('appends after a file without a trailing newline without gluing lines', async () => {
    const f = join(dir, 'kh3');
    writeFileSync(f, `old ${a.type} ${b64(a)}`);
    await new KnownHosts(f).check('new', 22, b.blob);
    expect(readFileSync(f, 'utf8')).toBe(`old ${a.type} ${b64(a)}\nnew ${b.type} ${b64(b)}\n`);
  });

  it('strict refuses unknown hosts and writes nothing', async () => {
    const f = join(dir, 'kh4');
    const err = await new KnownHosts(f, 'strict').check('h', 22, a.blob).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toContain(a.fingerprint);
    expect(() => readFileSync(f)).toThrow();
  });

  it('off trusts anything and records nothing', async () => {
    const f = join(dir, 'kh5');
    writeFileSync(f, `h ${a.type} ${b64(a)}\n`);
    await new KnownHosts(f, 'off').check('h', 22, b.blob);
    expect(readFileSync(f, 'utf8')).toBe(`h ${a.type} ${b64(a)}\n`);
  });

  it('refuses @revoked keys', async () => {
    const f = join(dir, 'kh6');
    writeFileSync(f, `@revoked * ${b.type} ${b64(b)}\n`);
    await expect(new KnownHosts(f).check('any', 22, b.blob)).rejects.toThrow(/@revoked/);
  });

  it('an unreadable known_hosts is an InputError naming it', async () => {
    const f = join(dir, 'is-a-dir');
    mkdirSync(f);
    const err = await new KnownHosts(f).check('h', 22, a.blob).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(f);
  });
});

describe('concurrent first contacts', () => {
  it('50 parallel accept-new appends: 50 valid lines, no duplicates', async () => {
    const f = join(dir, 'kh-par');
    await Promise.all(Array.from({ length: 50 }, (_, i) => new KnownHosts(f).check(`10.1.0.${i}`, 2200 + i, i % 2 ? a.blob : b.blob)));
    const lines = readFileSync(f, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(50);
    expect(new Set(lines).size).toBe(50);
    expect(parseKnownHosts(readFileSync(f, 'utf8'))).toHaveLength(50);
    expect(lines).toContain(`[10.1.0.7]:2207 ${a.type} ${b64(a)}`);
  });

  it('the same new host seen 50 times at once is written once', async () => {
    const f = join(dir, 'kh-same');
    await Promise.all(Array.from({ length: 50 }, () => new KnownHosts(f).check('h', 22, a.blob)));
    expect(readFileSync(f, 'utf8')).toBe(`h ${a.type} ${b64(a)}\n`);
  });

  it('serialises across processes through the lock file', async () => {
    // Compile the real module so plain node child processes can load it.
    const out = join(dir, 'js');
    execFileSync(
      process.execPath,
      [
        join(process.cwd(), 'node_modules/typescript/bin/tsc'),
        ...['--outDir', out, '--rootDir', join(process.cwd(), 'src'), '--module', 'nodenext'],
        ...['--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--strict'],
        join(process.cwd(), 'src/remote/known-hosts.ts'),
      ],
      { stdio: 'inherit' },
    );
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    const f = join(dir, 'kh-procs');
    const script = join(out, 'append.mjs');
    writeFileSync(
      script,
      `const { KnownHosts } = await import('./remote/known-hosts.js');
const [file, key, go] = process.argv.slice(2);
const blob = Buffer.from(key, 'base64');
await new Promise((r) => setTimeout(r, Number(go) - Date.now())); // all processes start together
// every process records the same 300 hosts: only the lock keeps them from duplicating lines
await Promise.all(Array.from({ length: 300 }, (_, i) => new KnownHosts(file).check('p-' + i, 22, blob)));`,
    );
    const go = String(Date.now() + 1500);
    const run = () =>
      new Promise<number>((resolve) => {
        const c = spawn(process.execPath, [script, f, b64(a), go], { stdio: 'inherit' });
        c.on('close', (code) => resolve(code ?? 1));
      });
    const codes = await Promise.all([1, 2, 3, 4, 5].map(() => run()));
    expect(codes).toEqual([0, 0, 0, 0, 0]);
    const lines = readFileSync(f, 'utf8').split('\n').filter(Boolean);
    expect(new Set(lines).size).toBe(300);
    expect(lines).toHaveLength(300);
    expect(parseKnownHosts(readFileSync(f, 'utf8'))).toHaveLength(300);
  });

  it('breaks a stale lock left by a dead process', async () => {
    const f = join(dir, 'kh-stale');
    writeFileSync(`${f}.lock`, '99999\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${f}.lock`, old, old);
    await new KnownHosts(f).check('h', 22, a.blob);
    expect(readFileSync(f, 'utf8')).toBe(`h ${a.type} ${b64(a)}\n`);
    expect(() => readFileSync(`${f}.lock`)).toThrow();
    chmodSync(f, 0o600);
  });
});
