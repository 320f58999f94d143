// The persistent shell's framing: the parser fed in chunks split anywhere, and the framed script run by a real sh.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchScript, parseBatch } from '../../../src/executor/probe-batch.js';
import { quote } from '../../../src/remote/quote.js';
import { putScript } from '../../../src/remote/remote-scripts.js';
import { INLINE_MAX, inlineText } from '../../../src/remote/shell-connection.js';
import { FrameParser, frameScript, unwrapSh } from '../../../src/remote/shell-frame.js';

const K = 'RBtestkey';
type Got = { code: number; stdout: Buffer; stderr: Buffer };

/** Feeds both streams to a parser in pieces of `size` bytes, interleaved; returns the result and the streamed pieces. */
function parse(out: Buffer, err: Buffer, size: number, marked = true) {
  let got: Got | undefined;
  let starts = 0;
  const streamed: Record<string, Buffer[]> = { stdout: [], stderr: [] };
  const p = new FrameParser(K, { onStart: () => starts++, onOutput: (b, s) => streamed[s].push(b), onDone: (r) => (got = r) }, marked);
  for (let i = 0; i < Math.max(out.length, err.length); i += size) {
    if (i < out.length) p.stdout(out.subarray(i, i + size));
    if (i < err.length) p.stderr(err.subarray(i, i + size));
  }
  return { got, starts, streamed: { stdout: Buffer.concat(streamed.stdout), stderr: Buffer.concat(streamed.stderr) } };
}

const frameOut = (body: Buffer | string, code: number, before = '') =>
  Buffer.concat([Buffer.from(`${before}${K}<\n`), Buffer.from(body), Buffer.from(`\n${K}>${code}\n`)]);
const frameErr = (body: Buffer | string, before = '') =>
  Buffer.concat([Buffer.from(`${before}${K}<\n`), Buffer.from(body), Buffer.from(`\n${K}>\n`)]);

describe('FrameParser', () => {
  const binary = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 37) % 256));
  const cases: [string, Buffer, Buffer, Got][] = [
    ['plain output and status', frameOut('hello\n', 0), frameErr(''), { code: 0, stdout: Buffer.from('hello\n'), stderr: Buffer.alloc(0) }],
    [
      'no trailing newline is kept as is',
      frameOut('no newline', 3),
      frameErr('warn'),
      { code: 3, stdout: Buffer.from('no newline'), stderr: Buffer.from('warn') },
    ],
    ['empty output', frameOut('', 0), frameErr(''), { code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }],
    [
      'binary bytes, NULs and newlines included',
      frameOut(binary, 0),
      frameErr(Buffer.from([0, 10, 255])),
      { code: 0, stdout: binary, stderr: Buffer.from([0, 10, 255]) },
    ],
    [
      "output from before the start marker (an earlier command's background job) is dropped",
      frameOut('mine\n', 1, 'stray\n'),
      frameErr('', 'stray err\n'),
      { code: 1, stdout: Buffer.from('mine\n'), stderr: Buffer.alloc(0) },
    ],
    [
      'a marker with another key in the output is output',
      frameOut(`\nRBother>0\n${K}<\n`, 0),
      frameErr(''),
      { code: 0, stdout: Buffer.from(`\nRBother>0\n${K}<\n`), stderr: Buffer.alloc(0) },
    ],
    ['a signal-killed command: 128+n', frameOut('', 137), frameErr(''), { code: 137, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }],
  ];
  for (const [name, out, err, want] of cases) {
    it(`${name}, in chunks of every size`, () => {
      for (const size of [1, 2, 3, 5, 7, 11, 64, 100_000]) {
        const r = parse(out, err, size);
        expect(r.got, `chunks of ${size}`).toEqual(want);
        expect(r.starts).toBe(1);
        expect(r.streamed).toEqual({ stdout: want.stdout, stderr: want.stderr });
      }
    });
  }

  it('unmarked frames (no stdin): the body starts at the first byte, split anywhere', () => {
    const out = Buffer.concat([binary, Buffer.from(`\n${K}>5\n`)]);
    const err = Buffer.from(`oops\n${K}>\n`);
    for (const size of [1, 2, 3, 7, 64, 100_000]) {
      expect(parse(out, err, size, false).got, `chunks of ${size}`).toEqual({ code: 5, stdout: binary, stderr: Buffer.from('oops') });
    }
  });

  it('waits for both streams: stdout done alone is not the end', () => {
    const r = parse(frameOut('x', 0), Buffer.from(`${K}<\npartial`), 4);
    expect(r.got).toBeUndefined();
  });
});

// The script as a real sh runs it: one long-lived sh, frames written one after another, as over the channel.
describe('frameScript on a real sh', () => {
  let sh: ChildProcessWithoutNullStreams;
  let current: FrameParser | undefined;
  let n = 0;
  beforeAll(() => {
    sh = spawn('sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    sh.stdout.on('data', (d: Buffer) => current?.stdout(d));
    sh.stderr.on('data', (d: Buffer) => current?.stderr(d));
  });
  afterAll(() => sh.kill());

  const run = (cmd: string, o: { stdin?: Buffer; timeout?: number; gnuTimeout?: boolean; marked?: boolean; isolated?: boolean } = {}) =>
    new Promise<Got>((resolve) => {
      const key = `RBunit${n++}x${Math.random().toString(16).slice(2)}`;
      const marked = !!o.stdin?.length || !!o.marked;
      current = new FrameParser(key, { onStart: () => o.stdin && sh.stdin.write(o.stdin), onDone: resolve }, marked);
      sh.stdin.write(
        frameScript({
          cmd,
          stdinLength: o.stdin?.length ?? 0,
          timeout: o.timeout,
          gnuTimeout: o.gnuTimeout,
          key,
          marked,
          isolated: o.isolated,
        }),
      );
    });

  it('a marked frame drops what the shell printed before it', async () => {
    sh.stdin.write('echo noise; echo noise >&2\n');
    expect(await run('echo mine', { marked: true })).toEqual({ code: 0, stdout: Buffer.from('mine\n'), stderr: Buffer.alloc(0) });
  });

  it('stdout, stderr and the exit status come back apart', async () => {
    expect(await run('echo out; echo err >&2; exit 7')).toEqual({ code: 7, stdout: Buffer.from('out\n'), stderr: Buffer.from('err\n') });
  });

  it('cd, export and umask in one command are not seen by the next', async () => {
    const before = (await run('pwd; echo "v=$RB_LEAK"; umask')).stdout.toString();
    await run('cd /; export RB_LEAK=yes; umask 077');
    expect((await run('pwd; echo "v=$RB_LEAK"; umask')).stdout.toString()).toBe(before);
    expect(before).toContain('v=\n');
  });

  it('a probe batch runs in the shell itself (no subshell of its own) and still changes nothing in it', async () => {
    const state = 'pwd; echo "e=$rb_e"; umask; { true >&3; } 2>/dev/null && echo fd3 || echo no-fd3';
    const before = (await run(state)).stdout.toString();
    expect(
      frameScript({ cmd: batchScript(['ls -d /', 'cd /; umask 077'], 'RBm'), stdinLength: 0, key: 'K', isolated: true }),
    ).not.toContain('( eval');
    const r = await run(batchScript(['ls -d /', 'cd /; umask 077'], 'RBm'), { isolated: true });
    expect(parseBatch(r.stdout.toString(), 2, 'RBm').map((x) => x.stdout.toString())).toEqual(['/\n', '']);
    expect((await run(state)).stdout.toString()).toBe(before);
    expect(before).toMatch(/\ne=\n[0-7]{4}\nno-fd3\n$/);
  });

  it('stdin: exactly its bytes (binary, with newlines), then end-of-file; the shell reads on after them', async () => {
    const content = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\necho INJECTED\n')]);
    const r = await run('od -An -v -tx1 | tr -d " \\n"', { stdin: content });
    expect(r.stdout.toString()).toBe(content.toString('hex'));
    expect((await run('echo next')).stdout.toString()).toBe('next\n');
  });

  it('stdin a command does not read is drained, never run as shell input', async () => {
    const r = await run('true', { stdin: Buffer.from('echo INJECTED\n'.repeat(10_000)) });
    expect(r.code).toBe(0);
    expect((await run('echo next')).stdout.toString()).toBe('next\n');
  });

  it('a syntax error fails that command only', async () => {
    expect((await run('if then fi')).code).not.toBe(0);
    expect((await run('echo alive')).stdout.toString()).toBe('alive\n');
  });

  it('output that looks like the frame (fixed words) does not end it', async () => {
    const r = await run("printf 'RB>0\\n<\\n%s\\n' done");
    expect(r).toMatchObject({ code: 0, stdout: Buffer.from('RB>0\n<\ndone\n') });
  });

  it('an upload written from its own text (no stdin): exact bytes, its mode, no temp left, the shell reads on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-inline-'));
    try {
      let text = 'quotes \' " \\ $HOME `id` $(id) %s %% \\n\n';
      for (let c = 1; c < 0x800; c++) if (c !== 0x27) text += String.fromCodePoint(c);
      text += '😀\n\necho INJECTED\n';
      const dest = join(dir, 'conf');
      const r = await run(putScript(dest, '0640', undefined, undefined, undefined, inlineText(Buffer.from(text))));
      expect(r).toMatchObject({ code: 0, stderr: Buffer.alloc(0) });
      expect(readFileSync(dest).equals(Buffer.from(text))).toBe(true);
      expect(statSync(dest).mode & 0o777).toBe(0o640);
      expect(readdirSync(dir)).toEqual(['conf']);
      expect((await run('echo next')).stdout.toString()).toBe('next\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // GNU timeout where the host has it; setsid and a watchdog subshell elsewhere
  it.each([true, false])('a timeout kills the command and its children, not the shell (GNU timeout: %s)', async (gnuTimeout) => {
    const t0 = Date.now();
    // a sleep no other process runs: its argument is this worker's pid
    const tag = `30.${gnuTimeout ? 1 : 2}${process.pid}`;
    const r = await run(`sleep ${tag} | cat; echo never`, { timeout: 1, gnuTimeout });
    expect(r.code).toBe(137);
    expect(r.stdout.toString()).toBe('');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect((await run('echo alive')).stdout.toString()).toBe('alive\n');
    // nothing of the command is left: the sleep in its pipeline is gone too
    expect((await run(`pgrep -x -f 'sleep ${tag}' || echo none`)).stdout.toString()).toBe('none\n');
  });

  it('a timed command that ends in time keeps its output, stdin and exit status (GNU timeout)', async () => {
    const r = await run('cat; echo err >&2; exit 3', { timeout: 5, gnuTimeout: true, stdin: Buffer.from('in\n') });
    expect(r).toEqual({ code: 3, stdout: Buffer.from('in\n'), stderr: Buffer.from('err\n') });
  });
});

describe('inlineText: what an upload may carry in its own text', () => {
  it('UTF-8 text up to INLINE_MAX bytes, as it is', () => {
    expect(inlineText(Buffer.from('a\nü😀\n'))).toBe('a\nü😀\n');
    expect(inlineText(Buffer.alloc(0))).toBe('');
    expect(inlineText(Buffer.alloc(INLINE_MAX, 'x'))).toHaveLength(INLINE_MAX);
  });
  it('not NUL bytes, bytes that are not UTF-8, or more than INLINE_MAX bytes (those go on stdin)', () => {
    expect(inlineText(Buffer.from('a\0b'))).toBeUndefined();
    expect(inlineText(Buffer.from([0x61, 0xff, 0x62]))).toBeUndefined();
    expect(inlineText(Buffer.from([0xc3]))).toBeUndefined();
    expect(inlineText(Buffer.alloc(INLINE_MAX + 1, 'x'))).toBeUndefined();
  });
});

describe('unwrapSh', () => {
  const cases: [string, string][] = [
    [`/bin/sh -c ${quote("echo 'a b' && cat /tmp/x")}`, "echo 'a b' && cat /tmp/x"],
    [`/bin/sh -c ${quote("it's")}`, "it's"],
    ['/bin/sh -c true', 'true'],
    [`/bin/bash -c ${quote('echo hi')}`, `/bin/bash -c ${quote('echo hi')}`],
    [`cd /tmp && /bin/sh -c ${quote('ls')}`, `cd /tmp && /bin/sh -c ${quote('ls')}`],
    ["/bin/sh -c 'a' 'b'", "/bin/sh -c 'a' 'b'"],
    ["/bin/sh -c 'a'; rm x; 'b'", "/bin/sh -c 'a'; rm x; 'b'"],
    ['/bin/sh -c echo; rm -rf x', '/bin/sh -c echo; rm -rf x'],
  ];
  for (const [cmd, want] of cases) it(cmd, () => expect(unwrapSh(cmd)).toBe(want));
});
