import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchScript, ProbeBatcher, parseBatch } from '../../../src/executor/probe-batch.js';
import { statPaths } from '../../../src/modules/fs.js';
import type { Connection, SocketReply } from '../../../src/remote/connection.js';
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
    const r = parseBatch(ran.stdout, cmds.length, 'RBmark');
    expect(r[0]).toEqual({ code: 3, stdout: Buffer.from('out\n'), stderr: Buffer.from('err\n') });
    expect(r[1].stdout.toString()).toBe('no newline');
    expect(r[5].stdout.toString()).toBe('\n\n');
    expect(r[2]).toEqual({ code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
    expect(r[3].code).toBe(1);
    expect(r[3].stderr.toString()).toContain('No such file');
    expect(r[4].stdout.toString()).toBe('a b  c\n');
  });
  it('a missing frame is an error, not a silent empty result', () => {
    expect(() => parseBatch('', 1, 'RBmark')).toThrow(/no result for command 0/);
    // stdout and status there but the stderr part cut short: still no result
    expect(() => parseBatch('RBmark o 0\n\nRBmark e 0 0\nwarn', 1, 'RBmark')).toThrow(/no result for command 0/);
  });
  it('what the shell printed before the batch (a noisy rc file) is no command’s output', () => {
    const ran = sh(`echo motd; echo warn >&2; ${batchScript(['echo a; echo b >&2', 'echo c'], 'RBmark')}`);
    const r = parseBatch(ran.stdout, 2, 'RBmark');
    expect(r.map((x) => [x.stdout.toString(), x.stderr.toString()])).toEqual([
      ['a\n', 'b\n'],
      ['c\n', ''],
    ]);
  });
  it('no command leaks into the next (cd, variables, functions, exit), under dash and bash alike', () => {
    const cmds = [
      'cd /; X=1; f() { echo f; }; umask 077',
      'pwd; [ -z "$X" ] && echo unset; command -v f || echo nof; umask',
      'exit 4',
      'echo after',
    ];
    for (const shell of ['/bin/sh', '/bin/bash']) {
      const ran = spawnSync(shell, ['-c', batchScript(cmds, 'RBmark')], { encoding: 'utf8', cwd: tmpdir() });
      const r = parseBatch(ran.stdout, cmds.length, 'RBmark');
      expect(r[1].stdout.toString()).toBe(`${tmpdir()}\nunset\nnof\n${sh('umask').stdout}`);
      expect(r[2].code).toBe(4);
      expect([r[3].code, r[3].stdout.toString()]).toEqual([0, 'after\n']);
    }
  });
  it('keeps stderr exactly, trailing newlines and all, apart from stdout even when they interleave', () => {
    const cmds = ['echo 1; echo e1 >&2; echo 2; printf "e2\\n\\n" >&2'];
    const r = parseBatch(sh(batchScript(cmds, 'RBmark')).stdout, 1, 'RBmark');
    expect([r[0].stdout.toString(), r[0].stderr.toString()]).toEqual(['1\n2\n', 'e1\ne2\n\n']);
  });
  it('a command of one program with plain words: its rc and stdout as they are, stderr without trailing newlines', () => {
    const cmds = [`sh -c 'echo out; printf "e1\\ne2\\n\\n" >&2; exit 3'`, 'LC_ALL=C printf a', "cat -- '/nonexistent/x y'", 'true'];
    const r = parseBatch(sh(batchScript(cmds, 'RBmark')).stdout, cmds.length, 'RBmark');
    expect(r[0]).toEqual({ code: 3, stdout: Buffer.from('out\n'), stderr: Buffer.from('e1\ne2') });
    expect(r[1]).toEqual({ code: 0, stdout: Buffer.from('a'), stderr: Buffer.alloc(0) });
    expect([r[2].code, r[2].stderr.toString()]).toEqual([1, "cat: '/nonexistent/x y': No such file or directory"]);
    expect(r[3]).toEqual({ code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
  });
  it("keeps a command's stdout byte for byte, NULs included (find -print0, unarchive's listing)", () => {
    const cmds = ["printf 'a\\0b\\0'", 'printf "\\n\\n"'];
    const r = parseBatch(sh(batchScript(cmds, 'RBmark')).stdout, 2, 'RBmark');
    expect(r[0]!.stdout).toEqual(Buffer.from('a\0b\0'));
    expect(r[1]!.stdout.toString()).toBe('\n\n');
  });
  // Skipped only where strace is not installed (scripts/setup.sh --tests installs it, so CI runs it): counting the
  // shell's writes or execs needs a tracer; the script's text and results are checked by the tests above either way.
  it.skipIf(spawnSync('strace', ['-V']).status !== 0)(
    'the answer leaves the host in one write, however many commands and markers went into it',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'rb-batch-'));
      const cmds = Array.from({ length: 8 }, (_, i) => `echo line ${i}; echo more ${i}; echo warn ${i} >&2`);
      writeFileSync(join(dir, 'batch.sh'), batchScript(cmds, 'RBmark'));
      const out = join(dir, 'out');
      // -f: every process of the batch; -y: each write's file, so the writes that reach the batch's stdout count
      const t = spawnSync('sh', ['-c', `strace -f -y -qq -o ${dir}/trace -e trace=write /bin/sh ${dir}/batch.sh > ${out}`]);
      expect(t.status).toBe(0);
      expect(parseBatch(readFileSync(out, 'utf8'), cmds.length, 'RBmark')[7]).toEqual({
        code: 0,
        stdout: Buffer.from('line 7\nmore 7\n'),
        stderr: Buffer.from('warn 7\n'),
      });
      const toOut = readFileSync(join(dir, 'trace'), 'utf8')
        .split('\n')
        .filter((l) => l.includes(`write(1<${out}>`));
      expect(toOut).toHaveLength(1);
    },
  );
  // Skipped only where strace is not installed (scripts/setup.sh --tests installs it, so CI runs it): counting forks
  // needs a tracer.
  it.skipIf(spawnSync('strace', ['-V']).status !== 0)(
    'forks on the host: the two sides of the pipe, then one per command of one program and two per other command',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'rb-batch-'));
      const forks = (cmds: string[]) => {
        writeFileSync(join(dir, 'batch.sh'), batchScript(cmds, 'RBmark'));
        const t = spawnSync('sh', [
          '-c',
          `strace -f -qq -o ${dir}/trace -e trace=clone,clone3,fork,vfork /bin/sh ${dir}/batch.sh > ${dir}/out`,
        ]);
        expect(t.status).toBe(0);
        expect(parseBatch(readFileSync(join(dir, 'out'), 'utf8'), cmds.length, 'RBmark').map((r) => r.code)).toEqual(cmds.map(() => 0));
        return readFileSync(join(dir, 'trace'), 'utf8')
          .split('\n')
          .filter((l) => /\b(clone3?|v?fork)\(/.test(l)).length;
      };
      expect(forks(Array.from({ length: 8 }, () => "ls -d '/'"))).toBe(2 + 8);
      expect(forks(['ls -d / >/dev/null', 'ls -d / 2>&1'])).toBe(2 + 2 * 2);
    },
  );
  it('runs one process of its own on the host (dd, gathering the answer), and cat only where there is no dd', () => {
    const script = batchScript(['echo a', 'echo b'], 'RBmark');
    expect(script).not.toMatch(/mktemp|\brm\b/);
    expect(script.match(/\bdd obs=/g)).toHaveLength(1);
    // a host without dd: its PATH has cat alone
    const bin = mkdtempSync(join(tmpdir(), 'rb-nodd-'));
    symlinkSync(spawnSync('sh', ['-c', 'command -v cat'], { encoding: 'utf8' }).stdout.trim(), join(bin, 'cat'));
    const ran = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { PATH: bin } });
    expect(parseBatch(ran.stdout, 2, 'RBmark').map((r) => r.stdout.toString())).toEqual(['a\n', 'b\n']);
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
  it('requests on a socket: identical ones of a tick go once and share one reply; the script goes beside them', async () => {
    const local = connectLocal();
    const asked: [string, string, unknown][] = [];
    const sent: string[] = [];
    let answer: SocketReply = { reply: '{"id":0,"result":[{"rows":[]}],"error":null}' };
    const conn: Connection = {
      ...local,
      exec: (c, o) => {
        sent.push(c);
        return local.exec(c, { ...o, become: false });
      },
      socketRequest: async (path, request, complete, opts) => {
        asked.push([path, request, opts]);
        // the reply is whole once its JSON value is, not before
        if ('reply' in answer && answer.reply.startsWith('{'))
          expect([complete(answer.reply.slice(0, 10)), complete(answer.reply)]).toEqual([false, true]);
        return answer;
      },
    };
    const b = new ProbeBatcher(conn, { become: true, becomeUser: 'ovs' });
    const [x, y, z, echo] = await Promise.all([
      b.jsonRpc('/run/db.sock', 'transact', ['Open_vSwitch'], 10),
      b.jsonRpc('/run/db.sock', 'transact', ['Open_vSwitch'], 10),
      b.jsonRpc('/run/db.sock', 'transact', ['Other'], 10),
      b.run('echo beside'),
    ]);
    expect(x).toEqual({ result: [{ rows: [] }], error: null });
    expect(y).toBe(x);
    expect(z).toEqual(x);
    expect(z).not.toBe(x);
    expect(echo.stdout).toBe('beside\n');
    expect(sent).toEqual(['echo beside']);
    expect(asked).toEqual([
      ['/run/db.sock', '{"method":"transact","params":["Open_vSwitch"],"id":0}', { timeout: 10, become: true, becomeUser: 'ovs' }],
      ['/run/db.sock', '{"method":"transact","params":["Other"],"id":0}', { timeout: 10, become: true, becomeUser: 'ovs' }],
    ]);
    answer = { unavailable: 'administratively prohibited' };
    expect(await b.jsonRpc('/run/db.sock', 'transact', [], 10)).toBeUndefined();
    answer = { timeout: true };
    expect(await b.jsonRpc('/run/db.sock', 'transact', [], 10)).toBe('timeout');
    answer = { reply: 'not json at all' };
    expect(await b.jsonRpc('/run/db.sock', 'transact', [], 10)).toBeUndefined();
    // a connection without sockets (connection: local) asks nothing
    expect(await new ProbeBatcher(local, { become: false }).jsonRpc('/run/db.sock', 'transact', [], 10)).toBeUndefined();
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
