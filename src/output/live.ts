// TTY: a live view that fits the terminal at any fleet size. A header (play, task n of N, hosts done/running/failed/
// unreachable, a bar, elapsed), then as many host rows as fit — failed and unreachable first, then the longest
// running, then the most recent — and "+ N more". Events only update state; frames are drawn at most 10 times a
// second, from a timer, so the executor never waits on the terminal. Written here rather than with listr2: listr2's
// renderers redraw every task on each update (cost grows with the square of the fleet) and have no notion of rows
// that do not fit the screen.
import type { EventSink, RunEvent, TaskResultEvent } from '../shared/events.js';
import { resultLines } from './plain.js';
import { formatSummary } from './recap.js';
import { type Paint, painter, useColor } from './style.js';

type State = 'waiting' | 'running' | 'ok' | 'failed' | 'unreachable';

interface HostRow {
  name: string;
  order: number;
  state: State;
  task?: string;
  since: number;
  changedAt: number;
  counts: { ok: number; changed: number; failed: number; skipped: number };
  /** The running command's last output line (with -v). */
  output?: string;
  error?: string;
}

export interface LiveOptions {
  verbosity: number;
  stream?: NodeJS.WriteStream;
  /** Frames per second (default 10). */
  fps?: number;
  now?: () => number;
}

const ESC = '\x1b[';
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const visible = (s: string) => s.replace(ANSI, '').length;

/** Cuts a line to `width` visible columns, keeping escape codes intact and closing them. */
export function clip(s: string, width: number): string {
  if (visible(s) <= width) return s;
  let out = '';
  let n = 0;
  for (let i = 0; i < s.length && n < width - 1; ) {
    const m = /^\x1b\[[0-9;?]*[A-Za-z]/.exec(s.slice(i));
    if (m) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    out += s[i++];
    n++;
  }
  return `${out}…${ESC}0m`;
}

const rank = (r: HostRow) => (r.state === 'failed' || r.state === 'unreachable' ? 0 : r.state === 'running' ? 1 : 2);

/** Which hosts get a row when not all fit: failed/unreachable, then longest running, then most recently changed. */
export function pickRows(rows: HostRow[], budget: number): HostRow[] {
  if (rows.length <= budget) return rows;
  const sorted = [...rows].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 0 ? a.changedAt - b.changedAt : rank(a) === 1 ? a.since - b.since : b.changedAt - a.changedAt) ||
      a.order - b.order,
  );
  return sorted.slice(0, budget).sort((a, b) => rank(a) - rank(b) || a.order - b.order);
}

export function liveSink(o: LiveOptions): EventSink {
  const stream = o.stream ?? process.stdout;
  const now = o.now ?? Date.now;
  const paint = painter(useColor(stream));
  const rows = new Map<string, HostRow>();
  const notable: TaskResultEvent[] = [];
  const ends: Extract<RunEvent, { type: 'run:end' }>[] = [];
  let play = '';
  let planned = 0;
  const tasksSeen = new Set<string>();
  let current = '';
  let started = now();
  let width = 0;
  let drawn = 0;
  let dirty = true;
  let lastSecond = -1;

  const size = () => ({ cols: Math.max(20, stream.columns || 80), lines: Math.max(5, stream.rows || 24) });

  const hostLine = (r: HostRow, pad: number): string => {
    const c = r.counts;
    const counts = paint('dim', `ok=${c.ok} changed=${c.changed}${c.failed ? ` failed=${c.failed}` : ''}`);
    const secs = Math.floor((now() - r.since) / 1000);
    let what: string;
    if (r.state === 'running') what = `${r.task ?? 'connecting'}${secs >= 2 ? paint('dim', ` (${secs}s)`) : ''}`;
    else if (r.state === 'failed') what = paint('red', `failed${r.error ? `: ${r.error}` : ''}`);
    else if (r.state === 'unreachable') what = paint('magenta', `unreachable${r.error ? `: ${r.error}` : ''}`);
    else if (r.state === 'ok') what = paint('green', 'done');
    else what = paint('dim', 'waiting');
    const out = r.state === 'running' && r.output ? paint('dim', `  › ${r.output}`) : '';
    return `${r.name.padEnd(pad)}  ${what}  ${counts}${out}`;
  };

  const frame = (): string[] => {
    const { cols, lines } = size();
    const all = [...rows.values()];
    const done = all.filter((r) => r.state === 'ok').length;
    const failed = all.filter((r) => r.state === 'failed').length;
    const unreachable = all.filter((r) => r.state === 'unreachable').length;
    const running = all.filter((r) => r.state === 'running').length;
    const finished = done + failed + unreachable;
    const elapsed = ((now() - started) / 1000).toFixed(1);
    const n = tasksSeen.size;
    const head = `${paint('bold', `PLAY [${play}]`)}  task ${n}${planned ? `/${planned}` : ''}${current ? `: ${current}` : ''}`;
    const barWidth = Math.max(10, Math.min(30, cols - 70));
    const fill = all.length ? Math.round((finished / all.length) * barWidth) : 0;
    const bar = `[${'█'.repeat(fill)}${'░'.repeat(barWidth - fill)}]`;
    const stats = [
      `${finished}/${all.length} done`,
      `${running} running`,
      paint(failed ? 'red' : 'dim', `${failed} failed`),
      paint(unreachable ? 'magenta' : 'dim', `${unreachable} unreachable`),
      `${elapsed}s`,
    ].join(' · ');
    const out = [clip(head, cols - 1), clip(`${bar} ${stats}`, cols - 1)];
    // Rows that fit: the frame never reaches the last line, so the cursor never scrolls the screen under it.
    const budget = lines - out.length - 2;
    const shown = all.length <= budget + 1 ? all : pickRows(all, budget);
    for (const r of shown) out.push(clip(hostLine(r, width), cols - 1));
    const hidden = all.length - shown.length;
    if (hidden > 0) {
      const rest = all.filter((r) => !shown.includes(r));
      const okN = rest.filter((r) => r.state === 'ok').length;
      const runN = rest.filter((r) => r.state === 'running').length;
      out.push(paint('dim', `+ ${hidden} more (${okN} ok, ${runN} running, ${hidden - okN - runN} waiting)`));
    }
    return out;
  };

  const draw = () => {
    const second = Math.floor((now() - started) / 1000);
    if (!dirty && second === lastSecond) return;
    dirty = false;
    lastSecond = second;
    const lines = frame();
    let s = drawn ? `\r${ESC}${drawn}A` : '';
    for (const l of lines) s += `${ESC}2K${l}\n`;
    s += `${ESC}J`;
    drawn = lines.length;
    stream.write(s);
  };

  const clear = () => {
    if (drawn) stream.write(`\r${ESC}${drawn}A${ESC}J`);
    drawn = 0;
  };

  const showCursor = () => stream.write(`${ESC}?25h`);
  // A smaller screen: start the next frame from a clean screen, since the old frame may now wrap.
  const onResize = () => {
    if (drawn) stream.write(`${ESC}2J${ESC}H`);
    drawn = 0;
    dirty = true;
  };
  let timer: NodeJS.Timeout | undefined;
  const touch = (r: HostRow) => {
    r.changedAt = now();
    dirty = true;
  };

  return {
    wantsOutput: o.verbosity > 0,
    emit(e: RunEvent) {
      switch (e.type) {
        case 'run:start': {
          started = now();
          width = Math.max(0, ...e.hosts.map((h) => h.length));
          for (const [i, h] of e.hosts.entries()) {
            rows.set(h, {
              name: h,
              order: i,
              state: 'waiting',
              since: now(),
              changedAt: 0,
              counts: { ok: 0, changed: 0, failed: 0, skipped: 0 },
            });
          }
          stream.write(`${ESC}?25l`);
          process.once('exit', showCursor);
          stream.on?.('resize', onResize);
          timer = setInterval(draw, Math.round(1000 / (o.fps ?? 10)));
          timer.unref();
          dirty = true;
          break;
        }
        case 'play:start':
          play = e.play;
          planned = e.tasks ?? 0;
          tasksSeen.clear();
          current = '';
          for (const h of e.hosts) {
            const r = rows.get(h);
            if (r && r.state !== 'failed' && r.state !== 'unreachable') r.state = 'waiting';
          }
          dirty = true;
          break;
        case 'task:start': {
          const r = rows.get(e.host);
          if (!r) return;
          tasksSeen.add(`${e.at}\0${e.task}`);
          current = e.task;
          r.state = 'running';
          r.task = e.task;
          r.since = e.startedAt;
          r.output = undefined;
          touch(r);
          break;
        }
        case 'task:output': {
          const r = rows.get(e.host);
          if (!r || o.verbosity < 1) return;
          const last = e.chunk
            .split(/\r?\n|\r/)
            .filter((l) => l.trim())
            .pop();
          if (last) {
            r.output = last.replace(ANSI, '').trim();
            dirty = true;
          }
          break;
        }
        case 'task:result': {
          const r = rows.get(e.host);
          if (!r) return;
          if (e.status === 'unreachable') {
            r.state = 'unreachable';
            r.error = e.msg?.split('\n')[0];
          } else if (e.status === 'failed' && !e.ignored && !e.rescued) {
            r.state = 'failed';
            r.error = (e.msg ?? e.stderr ?? '').split('\n')[0] || undefined;
          }
          if (e.status === 'failed' || e.status === 'unreachable' || e.diff || o.verbosity > 0) notable.push(e);
          touch(r);
          break;
        }
        case 'host:tally': {
          const r = rows.get(e.host);
          if (!r) return;
          r.counts = { ok: e.tally.ok, changed: e.tally.changed, failed: e.tally.failed, skipped: e.tally.skipped };
          touch(r);
          break;
        }
        case 'play:end':
          for (const r of rows.values()) if (r.state === 'running' || r.state === 'waiting') r.state = 'ok';
          dirty = true;
          break;
        case 'run:end':
          ends.push(e);
          break;
        default:
          break;
      }
    },
    async close() {
      if (timer) clearInterval(timer);
      stream.off?.('resize', onResize);
      clear();
      showCursor();
      process.off('exit', showCursor);
      const write = (s: string) => stream.write(`${s}\n`);
      for (const e of notable) for (const l of resultLines(e, o.verbosity, paint as Paint, width)) write(l);
      for (const e of ends) {
        write('');
        if (e.interrupted) write(paint('red', 'INTERRUPTED: no new tasks were started'));
        // The final screen holds the summary: counts, grouped failures, then as much of the recap as fits.
        write(formatSummary(e.recap, e.elapsedMs, paint, size().lines - 2));
      }
    },
  };
}
