import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkGuards } from '../../../src/modules/command.js';
import { attrFix, diffText, parentOf, statPaths } from '../../../src/modules/fs.js';
import type { Probe } from '../../../src/modules/types.js';
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

describe.runIf(process.platform === 'linux')('statPaths against a real shell', () => {
  it('no follow, with hash', async () => {
    const r = await statPaths(sh, [at('f'), at('d'), at('l'), at('dangling'), at('nope'), at("it's a file")], { hash: true });
    expect(r.map((s) => s.type)).toEqual(['file', 'dir', 'link', 'link', 'absent', 'file']);
    expect(r[0]).toMatchObject({ mode: '0640', size: 3, sha256: sha('hi\n') });
    expect(r[2].target).toBe(at('f'));
    expect(r[3].target).toBe('nowhere');
    expect(r[5].sha256).toBe(sha(''));
  });
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
