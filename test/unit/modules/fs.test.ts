import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkGuards } from '../../../src/modules/command.js';
import { attrFix, diffText, mergeStats, parentOf, parseStat, statPaths, statScript } from '../../../src/modules/fs.js';
import type { Probe } from '../../../src/modules/types.js';
import { quote } from '../../../src/remote/quote.js';
import { sha } from './fake-probe.js';

// The probe scripts run for real in a local /bin/sh, so their shell syntax and output protocol are tested too.
const sh: Probe = {
  async run(cmd) {
    try {
      return { code: 0, stdout: execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' }), stderr: '' };
    } catch (e) {
      const x = e as { status: number; stdout: string; stderr: string };
      return { code: x.status, stdout: x.stdout, stderr: x.stderr };
    }
  },
  readFile: async () => null,
};

const dir = mkdtempSync(join(tmpdir(), 'runbook-fs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (n: string) => join(dir, n);
writeFileSync(at('f'), 'hi\n');
chmodSync(at('f'), 0o640);
writeFileSync(at("it's a file"), '');
mkdirSync(at('d'));
symlinkSync(at('f'), at('l'));
symlinkSync('nowhere', at('dangling'));
mkdirSync(at('sub dir'));
writeFileSync(at('sub dir/new\nline'), 'x');
symlinkSync(at('d'), at('ld'));
execFileSync('mkfifo', [at('fifo')]);
writeFileSync(at('back\\slash'), 'b');

// The script statScript replaced (a `$(stat)` and a `$(sha256sum)` per path): the new one must print the same lines.
function oldStatScript(path: string, o: { follow?: boolean; hash?: boolean }): string {
  const p = quote(path);
  const attrs = `"$(stat -L -c '%a %U %G %u %g %s' -- ${p})"`;
  const sha = o.hash ? ` "$(sha256sum < ${p})"` : '';
  const tests = [
    ...(o.follow ? [] : [`[ -L ${p} ]; then printf 'link %s\\n' "$(readlink -- ${p})"`]),
    `[ -f ${p} ]; then printf 'file %s${o.hash ? ' %s' : ''}\\n' ${attrs}${sha}`,
    `[ -d ${p} ]; then printf 'dir %s\\n' ${attrs}`,
    `[ -e ${p} ]; then echo other`,
  ];
  return `if ${tests.join('; elif ')}; else echo absent; fi`;
}

describe.runIf(process.platform === 'linux')('statPaths against a real shell', () => {
  it('no follow, with hash', async () => {
    const r = await statPaths(sh, [at('f'), at('d'), at('l'), at('dangling'), at('nope'), at("it's a file")], { hash: true });
    expect(r.map((s) => s.type)).toEqual(['file', 'dir', 'link', 'link', 'absent', 'file']);
    expect(r[0]).toMatchObject({ mode: '0640', size: 3, sha256: sha('hi\n') });
    expect(r[2].target).toBe(at('f'));
    expect(r[3].target).toBe('nowhere');
    expect(r[5].sha256).toBe(sha(''));
  });
  it.each([
    ['no follow, hash', { hash: true }],
    ['follow, hash', { follow: true, hash: true }],
    ['follow', { follow: true }],
    ['no follow', {}],
  ])('prints what the per-path script printed: %s', async (_n, o) => {
    // file, dir, absent, links to a file, a dir and nowhere, a fifo, a space, a newline, a repeat, a dir's child
    const paths = ['f', 'd', 'nope', 'l', 'ld', 'dangling', 'fifo', 'sub dir', 'sub dir/new\nline', 'f', 'd/x'].map(at);
    const want = execFileSync('/bin/sh', ['-c', paths.map((p) => oldStatScript(p, o)).join('; ')], { encoding: 'utf8' });
    expect((await sh.run(statScript(paths, o))).stdout).toBe(want);
  });
  it.each([
    ['no follow, hash', { hash: true }],
    ['follow, hash', { follow: true, hash: true }],
  ])('statPaths (one sha256sum for all files) answers what the per-path script said: %s', async (_n, o) => {
    // the names sha256sum escapes (a newline, a backslash) and a quote among them
    const names = ['f', 'd', 'nope', 'l', 'ld', 'dangling', 'fifo', 'sub dir/new\nline', 'back\\slash', "it's a file", 'f'];
    const paths = names.map(at);
    const old = execFileSync('/bin/sh', ['-c', paths.map((p) => oldStatScript(p, o)).join('; ')], { encoding: 'utf8' });
    const want = old
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(parseStat);
    expect(await statPaths(sh, paths, o)).toEqual(want);
    expect(want.filter((x) => x.sha256).length).toBeGreaterThanOrEqual(o.follow ? 5 : 4);
  });
  // The processes the script starts on the host, by program name (strace; skipped where it is missing).
  const execs = (script: string) => {
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '/bin/sh', '-c', script], { encoding: 'utf8' });
    return [...r.stderr.matchAll(/execve\("[^"]*\/([^/"]+)"/g)].map((m) => m[1]).slice(1);
  };
  // Skipped only where strace is not installed (scripts/setup.sh --tests installs it, so CI runs it): counting the
  // shell's writes or execs needs a tracer; the script's text and results are checked by the tests above either way.
  it.skipIf(spawnSync('strace', ['-V']).status !== 0)(
    'one stat for all the paths; one sha256sum per file inline (statScript), one for all files (statPaths, batches); none when nothing is there',
    () => {
      expect(execs(statScript([at('f'), at('d'), at('nope'), at('l')], { follow: true, hash: true }))).toEqual([
        'stat',
        'sha256sum',
        'sha256sum',
      ]);
      expect(execs(statScript([at('nope'), at('nope/x')], {}))).toEqual([]);
      // statPaths and a batch's merged stats: one sha256sum for every file
      const merged = mergeStats([{ paths: [at('f'), at('d'), at('nope'), at('l'), at("it's a file")], o: { follow: true, hash: true } }]);
      expect(execs(merged.script)).toEqual(['stat', 'sha256sum']);
      expect(execs(mergeStats([{ paths: [at('d'), at('nope')], o: { hash: true } }]).script)).toEqual(['stat']);
    },
  );
  it('follow', async () => {
    const r = await statPaths(sh, [at('l'), at('dangling')], { follow: true });
    expect(r).toMatchObject([{ type: 'file', mode: '0640' }, { type: 'absent' }]);
    expect(r[0].sha256).toBeUndefined();
  });
  it('guards', async () => {
    expect(await checkGuards({ creates: at('f') }, sh)).toBe(`creates ${at('f')} exists`);
    expect(await checkGuards({ removes: 'nope', chdir: dir }, sh)).toBe('removes nope does not exist');
    expect(await checkGuards({ creates: 'nope', removes: 'f', chdir: dir }, sh)).toBeUndefined();
    expect(await checkGuards({ unless: 'test -d d', chdir: dir }, sh)).toBe('unless command succeeded: test -d d');
    expect(await checkGuards({ unless: "echo 'noise'; exit 3" }, sh)).toBeUndefined();
  });
});

describe('fs helpers', () => {
  it.each([
    ['/etc/motd', '/etc'],
    ['/etc/app/', '/etc'],
    ['/x', '/'],
    ['rel', '.'],
  ])('parentOf %s', (p, want) => expect(parentOf(p)).toBe(want));
  it('diffText', () => {
    expect(diffText(Buffer.from('a\n'))).toBe('a\n');
    expect(diffText(Buffer.from('a\0b'))).toBe('(binary or large file)');
    expect(diffText(Buffer.alloc(256 * 1024, 'a'))).toBe('(binary or large file)');
  });
  it('attrFix with ids and links', () => {
    const have = { type: 'link' as const, owner: 'root', group: 'root', uid: '0', gid: '0' };
    expect(attrFix('/l', { owner: '0', group: 'adm' }, have, true)).toEqual({ cmds: ['chgrp -h adm /l'], changes: ['group root → adm'] });
  });
});
