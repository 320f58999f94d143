// The live view on a real terminal emulator (@xterm/headless): fits the screen at any fleet size, keeps failed hosts
// in view, never moves the cursor above the screen, redraws only from its timer, ends with the fleet summary.
import { EventEmitter } from 'node:events';
import { Terminal } from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import type { HostTally, RunEvent } from '../../../src/executor/events.js';
import { clip, liveSink } from '../../../src/output/live.js';

/** A TTY-like stream into a headless xterm of cols × rows, counting writes and cursor moves above the screen. */
function screen(cols: number, rows: number) {
  // convertEol: a TTY turns \n into \r\n (ONLCR), as the pty in the end-to-end test does.
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000, convertEol: true });
  const ev = new EventEmitter();
  let pending = '';
  const stream = Object.assign(ev, {
    isTTY: true,
    columns: cols,
    rows,
    writes: 0,
    write(s: string) {
      stream.writes++;
      pending += s;
      return true;
    },
  });
  const flush = () =>
    new Promise<void>((res) => {
      const s = pending;
      pending = '';
      term.write(s, () => res());
    });
  const lines = async () => {
    await flush();
    const b = term.buffer.active;
    return Array.from({ length: term.rows }, (_, i) => b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
  };
  return { term, stream: stream as unknown as NodeJS.WriteStream & { writes: number }, lines, flush };
}

const tally = (t: Partial<HostTally> = {}): HostTally => ({
  ok: 0,
  changed: 0,
  skipped: 0,
  failed: 0,
  unreachable: 0,
  ignored: 0,
  rescued: 0,
  ...t,
});
const hosts = (n: number) => Array.from({ length: n }, (_, i) => `host${String(i + 1).padStart(2, '0')}`);

function driver(names: string[], cols = 100, rows = 30, verbosity = 0) {
  let t = 1_000_000;
  const s = screen(cols, rows);
  const sink = liveSink({ verbosity, stream: s.stream, fps: 1000, now: () => t });
  const emit = (e: RunEvent) => sink.emit(e);
  emit({ type: 'run:start', hosts: names, check: false });
  emit({ type: 'play:start', play: 'fleet', hosts: names, tasks: 3 });
  const tick = async (ms = 100) => {
    t += ms;
    await new Promise((r) => setTimeout(r, 5));
  };
  return { ...s, sink, emit, tick, at: () => t };
}

describe('live view', () => {
  it('60 hosts in 30 rows: a host near the top that failed early stays on screen; the frame fits; "+ N more"', async () => {
    const names = hosts(60);
    const d = driver(names);
    for (const h of names) d.emit({ type: 'task:start', host: h, play: 'fleet', task: 'install', at: 'p.yml:3', startedAt: d.at() });
    d.emit({
      type: 'task:result',
      host: 'host02',
      play: 'fleet',
      task: 'install',
      at: 'p.yml:3',
      status: 'failed',
      msg: 'E: Unable to locate package nginx',
      durationMs: 5,
      startedAt: d.at(),
    });
    d.emit({ type: 'host:tally', host: 'host02', tally: tally({ failed: 1, firstError: 'E: Unable to locate package nginx' }) });
    for (const h of names.slice(30)) {
      d.emit({
        type: 'task:result',
        host: h,
        play: 'fleet',
        task: 'install',
        at: 'p.yml:3',
        status: 'ok',
        durationMs: 5,
        startedAt: d.at(),
      });
      d.emit({ type: 'host:tally', host: h, tally: tally({ ok: 1 }) });
    }
    await d.tick(2500);
    const view = await d.lines();
    expect(view[0]).toMatch(/^PLAY \[fleet\] {2}task 1\/3: install/);
    expect(view[1]).toMatch(/\d+\/60 done · \d+ running · 1 failed · 0 unreachable · 2\.\ds/);
    expect(view.find((l) => l.startsWith('host02'))).toMatch(/failed: E: Unable to locate package nginx/);
    expect(view.findIndex((l) => l.startsWith('host02'))).toBe(2);
    expect(view.some((l) => /^\+ \d+ more \(\d+ ok, \d+ running, \d+ waiting\)/.test(l))).toBe(true);
    expect(view.filter((l) => /^host\d\d/.test(l)).length).toBeLessThanOrEqual(26);
    // the longest-running hosts come right after the failed one
    expect(view[3]).toMatch(/^host01 .*install/);
    await d.sink.close();
  });

  it('no redraw moves the cursor above the screen: after many frames the first screen line is still the header', async () => {
    const names = hosts(200);
    const d = driver(names, 80, 20);
    for (let round = 0; round < 30; round++) {
      for (const h of names.slice(round * 6, round * 6 + 6)) {
        d.emit({ type: 'task:start', host: h, play: 'fleet', task: `step ${round}`, at: `p.yml:${round}`, startedAt: d.at() });
        d.emit({ type: 'host:tally', host: h, tally: tally({ ok: round }) });
      }
      await d.tick(100);
    }
    await d.flush();
    const b = d.term.buffer.active;
    // Nothing scrolled off the top: the frame always fits, so the viewport never moved.
    expect(b.viewportY).toBe(0);
    const view = await d.lines();
    expect(view[0]).toMatch(/^PLAY \[fleet\]/);
    expect(view.every((l) => l.length <= 80)).toBe(true);
    await d.sink.close();
  });

  it('with no more hosts than rows, one row per host in inventory order', async () => {
    const names = hosts(5);
    const d = driver(names);
    for (const h of names) d.emit({ type: 'task:start', host: h, play: 'fleet', task: 'ping', at: 'p.yml:2', startedAt: d.at() });
    await d.tick(200);
    const view = await d.lines();
    expect(view.slice(2, 7).map((l) => l.split(' ')[0])).toEqual(names);
    expect(view.some((l) => l.startsWith('+'))).toBe(false);
    await d.sink.close();
  });

  it('events only change state: a burst of 5000 events draws at most one frame per timer tick', async () => {
    const names = hosts(500);
    const d = driver(names);
    const before = d.stream.writes;
    for (let i = 0; i < 10; i++)
      for (const h of names) d.emit({ type: 'task:start', host: h, play: 'fleet', task: `t${i}`, at: `p.yml:${i}`, startedAt: d.at() });
    expect(d.stream.writes).toBe(before);
    await d.tick(100);
    expect(d.stream.writes - before).toBeLessThanOrEqual(3);
    await d.sink.close();
  });

  it('with -v a running command shows its last output line in its row', async () => {
    const d = driver(['web1'], 100, 10, 1);
    d.emit({ type: 'task:start', host: 'web1', play: 'fleet', task: 'apt upgrade', at: 'p.yml:2', startedAt: d.at() });
    d.emit({ type: 'task:output', host: 'web1', chunk: 'Unpacking libc6 (2.36-9) ...' });
    await d.tick(100);
    expect((await d.lines()).find((l) => l.startsWith('web1'))).toContain('› Unpacking libc6 (2.36-9) ...');
    await d.sink.close();
  });

  it('follows a resize', async () => {
    const d = driver(hosts(40), 100, 30);
    await d.tick(100);
    (d.stream as unknown as { rows: number }).rows = 12;
    d.term.resize(100, 12);
    d.stream.emit('resize');
    d.emit({ type: 'task:start', host: 'host01', play: 'fleet', task: 'x', at: 'p.yml:1', startedAt: d.at() });
    await d.tick(100);
    const view = await d.lines();
    expect(view).toHaveLength(12);
    expect(view.some((l) => /^\+ \d+ more/.test(l))).toBe(true);
    await d.sink.close();
  });

  it('the final screen is the fleet summary: counts, failures grouped by identical error, the recap', async () => {
    const names = hosts(6);
    const d = driver(names, 120, 40);
    const recap: Record<string, HostTally> = {};
    names.forEach((h, i) => {
      recap[h] = i < 3 ? tally({ unreachable: 1, firstError: 'connection refused (port 22)' }) : tally({ ok: 2, changed: i === 5 ? 1 : 0 });
    });
    d.emit({ type: 'play:end', play: 'fleet' });
    d.emit({ type: 'run:end', recap, elapsedMs: 1234, exitCode: 3, interrupted: false });
    await d.sink.close();
    const text = (await d.lines()).join('\n');
    expect(text).toMatch(/6 hosts in 1\.23s: 2 ok, 1 changed, 0 failed, 3 unreachable/);
    expect(text).toMatch(/3 hosts unreachable: connection refused \(port 22\) {2}host01, host02, host03/);
    expect(text).toMatch(/PLAY RECAP {2}6 hosts/);
    expect(text).not.toMatch(/PLAY \[fleet\]/);
  });
});

describe('clip', () => {
  it('cuts to the visible width, not counting escape codes', () => {
    expect(clip('abcdef', 4)).toBe('abc…\x1b[0m');
    expect(clip('\x1b[31mabcdef\x1b[39m', 4)).toBe('\x1b[31mabc…\x1b[0m');
    expect(clip('abc', 4)).toBe('abc');
  });
});
