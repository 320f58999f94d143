import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProbeBatcher, batchScript, parseBatch } from '../../../src/executor/probe-batch.js';
import { statPaths } from '../../../src/modules/fs.js';
import type { Connection } from '../../../src/remote/connection.js';
import { connectLocal } from '../../../src/remote/local.js';

const sh = (script: string) => spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });

describe('probe batch script', () => {
  it('keeps each command’s rc, stdout and stderr apart, binary and exit included', () => {
    const cmds = [
      'echo out; echo err >&2; exit 3',
      "printf 'no newline'",
      'exit 0',
      'cat /nonexistent/x',
      'echo "a b  c"',
      'printf "\\n\\n"',
    ];
    const ran = sh(batchScript(cmds, 'RBmark'));
    const r = parseBatch(ran.stdout, ran.stderr, cmds.length, 'RBmark');
    expect(r[0]).toEqual({ code: 3, stdout: Buffer.from('out\n'), stderr: Buffer.from('err\n') });
    expect(r[1].stdout.toString()).toBe('no newline');
    expect(r[5].stdout.toString()).toBe('\n\n');
    expect(r[2]).toEqual({ code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
    expect(r[3].code).toBe(1);
    expect(r[3].stderr.toString()).toContain('No such file');
    expect(r[4].stdout.toString()).toBe('a b  c\n');
  });
  it('a missing frame is an error, not a silent empty result', () => {
    expect(() => parseBatch('', '', 1, 'RBmark')).toThrow(/no result for command 0/);
    // stdout complete but stderr cut short: still no result
    expect(() => parseBatch('RBmark o 0\n\nRBmark e 0 0\n', 'RBmark o\n', 1, 'RBmark')).toThrow(/no result for command 0/);
  });
  it('what the shell printed before the batch (a noisy rc file) is no command’s output', () => {
    const ran = sh(`echo motd; echo warn >&2; ${batchScript(['echo a; echo b >&2', 'echo c'], 'RBmark')}`);
    const r = parseBatch(ran.stdout, ran.stderr, 2, 'RBmark');
    expect(r.map((x) => [x.stdout.toString(), x.stderr.toString()])).toEqual([
      ['a\n', 'b\n'],
      ['c\n', ''],
    ]);
  });
  it('runs no process of its own on the host: only the commands fork', () => {
    expect(batchScript(['echo a', 'echo b'], 'RBmark')).not.toMatch(/mktemp|\bcat\b|\brm\b/);
  });
});

describe('ProbeBatcher', () => {
  const counting = (inner: Connection) => {
    let execs = 0;
    const conn: Connection = {
      ...inner,
      exec: (c, o) => {
        execs++;
        return inner.exec(c, o);
      },
      readFile: (p, o) => {
        execs++;
        return inner.readFile(p, o);
      },
    };
    return { conn, execs: () => execs };
  };
  it('probes issued in the same tick share one round trip; reads keep their null-for-absent meaning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-pb-'));
    writeFileSync(join(dir, 'f'), 'content');
    const { conn, execs } = counting(connectLocal());
    const b = new ProbeBatcher(conn, { become: false });
    writeFileSync(join(dir, 'bin'), Buffer.from([0, 255, 10, 0x78]));
    const [a, c, f, missing, bin] = await Promise.all([
      b.run('echo a'),
      b.run('echo c >&2; exit 2'),
      b.readFile(join(dir, 'f')),
      b.readFile(join(dir, 'nope')),
      b.readFile(join(dir, 'bin')),
    ]);
    expect(bin).toEqual(Buffer.from([0, 255, 10, 0x78]));
    expect(a).toEqual({ code: 0, stdout: 'a\n', stderr: '' });
    expect(c).toEqual({ code: 2, stdout: '', stderr: 'c\n' });
    expect(f?.toString()).toBe('content');
    expect(missing).toBeNull();
    expect(execs()).toBe(1);
    expect(b.roundTrips).toBe(1);
    // identical probes in one batch run once on the host
    const counted = await Promise.all([1, 2, 3].map(() => b.run(`echo x >> ${join(dir, 'count')}; wc -l < ${join(dir, 'count')}`)));
    expect(counted.map((r) => r.stdout.trim())).toEqual(['1', '1', '1']);
    expect(execs()).toBe(2);
    // a lone probe goes straight through
    expect((await b.readFile(join(dir, 'f')))?.toString()).toBe('content');
    expect(execs()).toBe(3);
  });
  it('the stat calls of a batch share one stat: each gets its own paths, hashed only if it asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-pb-'));
    writeFileSync(join(dir, 'f'), 'content');
    const sent: string[] = [];
    const local = connectLocal();
    const conn: Connection = {
      ...local,
      exec: (c, o) => {
        sent.push(c);
        return local.exec(c, o);
      },
    };
    const b = new ProbeBatcher(conn, { become: false });
    const f = join(dir, 'f');
    const [a, c, d, e] = await Promise.all([
      statPaths(b, [f, dir], { follow: true, hash: true }),
      statPaths(b, [join(dir, 'nope'), dir], { follow: true }),
      statPaths(b, [f], {}),
      b.run('echo other'),
    ]);
    expect(a.map((s) => s.type)).toEqual(['file', 'dir']);
    expect(a[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c.map((s) => s.type)).toEqual(['absent', 'dir']);
    expect(d).toEqual([expect.objectContaining({ type: 'file', size: 7 })]);
    expect(d[0].sha256).toBeUndefined();
    expect(e.stdout).toBe('other\n');
    expect(sent).toHaveLength(1);
    // one stat script in the batch: the directory stat'ed once for the calls that follow links
    expect(sent[0].match(/stat -L/g)).toHaveLength(1);
    expect(sent[0].split(`[ -d ${dir} ]`)).toHaveLength(2);
  });
});
