// The shipped loader (dist/bundle/main.cjs) runs cli.cjs with a V8 code cache made at build time. These tests
// check that the cache it ships is one V8 accepts, and that a missing, stale or damaged cache never breaks a run.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmUpOverSsh } from '../../scripts/bundle-warmup.mjs';
import { CLI, ensureBuilt, ROOT } from './helpers.js';

const BUNDLE = join(ROOT, 'dist/bundle');
let dir: string;

function node(args: string[], cwd = ROOT) {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

function cacheFiles(d: string): string[] {
  return readdirSync(d).filter((f) => f.endsWith('.v8cache'));
}

// Asks V8 in a plain child process, under the V8 flags the loader sets (a cache records them), whether it takes the
// cache for cli.cjs.
function rejected(d: string): boolean {
  const flags = /^const V8_FLAGS = .*;$/m.exec(readFileSync(join(d, 'main.cjs'), 'utf8'))?.[0] ?? 'const V8_FLAGS = "";';
  const probe = `
    ${flags}
    if (V8_FLAGS) require('v8').setFlagsFromString(V8_FLAGS);
    const fs = require('fs'), vm = require('vm'), M = require('module'), p = require('path');
    const d = process.argv[1], file = p.join(d, 'cli.cjs');
    const cache = fs.readdirSync(d).find((f) => f.endsWith('.v8cache'));
    const s = new vm.Script(M.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData: fs.readFileSync(p.join(d, cache)) });
    console.log(s.cachedDataRejected);`;
  return node(['-e', probe, d]).stdout.trim() === 'true';
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rb-bundle-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function copy(name: string): string {
  const d = join(dir, name);
  cpSync(BUNDLE, d, { recursive: true });
  return d;
}

describe('shipped bundle', () => {
  it('ships one code cache, named after the bundle, that V8 accepts', () => {
    expect(cacheFiles(BUNDLE)).toHaveLength(1);
    expect(rejected(BUNDLE)).toBe(false);
    const r = node([CLI, 'run', 'playbooks/gre-mesh.yaml', '-i', 'inventory', '--syntax-check']);
    expect(r.stdout).toContain('syntax OK (1 play, 19 tasks; checked for 2 hosts)');
    expect(r.status).toBe(0);
  });

  it('writes the cache when it is missing, and runs meanwhile', () => {
    const d = copy('missing');
    const [name] = cacheFiles(d);
    rmSync(join(d, name as string));
    const r = node([join(d, 'main.cjs'), '--version']);
    expect(r.stdout.trim()).toBe('0.1.0');
    expect(cacheFiles(d)).toEqual([name]);
    expect(rejected(d)).toBe(false);
    expect(readdirSync(d).filter((f) => f.includes('.v8cache.'))).toEqual([]); // no temp file left
  });

  it('replaces a cache V8 rejects (as after a Node upgrade)', () => {
    const d = copy('stale');
    const [name] = cacheFiles(d);
    const file = join(d, name as string);
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(~bytes.readUInt32LE(4) >>> 0, 4); // the V8 version hash in the cache's header
    writeFileSync(file, bytes);
    expect(rejected(d)).toBe(true);
    const r = node([join(d, 'main.cjs'), '--version']);
    expect(r.stdout.trim()).toBe('0.1.0');
    expect(rejected(d)).toBe(false);
    expect(cacheFiles(d)).toEqual([name]);
  });

  it('a run under other V8 flags leaves the cache alone (plain runs would reject its cache)', () => {
    const d = copy('flags');
    const r = node(['--stack-size=2000', join(d, 'main.cjs'), '--version']);
    expect(r.stdout.trim()).toBe('0.1.0');
    expect(rejected(d)).toBe(false);
  });

  it('runs correctly from a damaged cache', () => {
    const d = copy('damaged');
    const [name] = cacheFiles(d);
    const file = join(d, name as string);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 3)));
    expect(statSync(file).size).toBeLessThan(bytes.length);
    const r = node([join(d, 'main.cjs'), 'run', 'playbooks/docker-bridge.yaml', '-i', 'inventory', '--syntax-check'], ROOT);
    expect(r.stdout).toContain('syntax OK');
    expect(r.status).toBe(0);
  });
});

// ssh2 is inside cli.cjs; its native addon and cpu-features are required from the installed packages at run time.
describe('ssh2 in the bundle', () => {
  const summary = (out: string) => JSON.parse(out.trim().split('\n').at(-1) as string);

  it('is all ASCII, which the loader reads as latin1', () => {
    expect(readFileSync(join(BUNDLE, 'cli.cjs'), 'latin1')).not.toMatch(/[^\x00-\x7f]/);
  });

  it('does not have hosts prove the host keys they announce after login unless asked (runbook never listens)', () => {
    const text = readFileSync(join(BUNDLE, 'cli.cjs'), 'latin1');
    expect(text).toMatch(/if \(this\.listenerCount\("hostkeys"\) > 0\) hostKeysProve\(this, data,/);
    expect(text.match(/hostKeysProve\(this, data,/g)).toHaveLength(1);
  });

  it("loads ssh2's native helpers where they are installed", async () => {
    const list = join(dir, 'natives.txt');
    const preload = join(dir, 'natives.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, Object.keys(require.cache).join('\\n')));`,
    );
    const r = await warmUpOverSsh(CLI, { NODE_OPTIONS: `-r ${preload}` });
    expect(summary(r.stdout)).toMatchObject({ exit_code: 0, counts: { hosts: 1, changed: 1, failed: 0 } });
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded.some((f) => f.endsWith('/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node'))).toBe(true);
    expect(loaded.some((f) => f.endsWith('/cpu-features/build/Release/cpufeatures.node'))).toBe(true);
    expect(loaded.filter((f) => f.includes('/node_modules/ssh2/') && f.endsWith('.js'))).toEqual([]); // bundled
  });

  it('runs over SSH from a copy with no node_modules, quietly without the native helpers', async () => {
    const d = copy('no-modules');
    const r = await warmUpOverSsh(join(d, 'main.cjs'), {});
    expect(summary(r.stdout)).toMatchObject({ exit_code: 0, counts: { hosts: 1, changed: 1, failed: 0 } });
    expect(r.stderr).toBe('');
  });
});
