// TTY: one live listr2 row per host (current task, elapsed seconds, counts); details and recap print after.
import type { EventSink, RunEvent, TaskResultEvent } from '../executor/events.js';
import { resultLines } from './plain.js';
import { formatRecap } from './recap.js';
import { painter, useColor } from './style.js';

interface Row {
  title: (s: string) => void;
  done: (failed: boolean) => void;
  task?: string;
  since: number;
  counts: { ok: number; changed: number; failed: number; skipped: number };
  state: 'running' | 'failed' | 'unreachable' | 'done';
}

export async function progressSink(o: { verbosity: number; stream?: NodeJS.WriteStream }): Promise<EventSink> {
  const { Listr } = await import('listr2');
  const stream = o.stream ?? process.stdout;
  const paint = painter(useColor(stream));
  const rows = new Map<string, Row>();
  const notable: TaskResultEvent[] = [];
  let listr: Promise<unknown> | undefined;
  let width = 0;
  let timer: NodeJS.Timeout | undefined;
  const render = (h: string) => {
    const r = rows.get(h);
    if (!r) return;
    const c = r.counts;
    const counts = paint('dim', `ok=${c.ok} changed=${c.changed}${c.failed ? ` failed=${c.failed}` : ''}`);
    const secs = Math.floor((Date.now() - r.since) / 1000);
    const what = r.state === 'running' ? `${r.task ?? 'connecting'}${secs >= 2 ? paint('dim', ` (${secs}s)`) : ''}` : r.state;
    r.title(`${h.padEnd(width)}  ${what}  ${counts}`);
  };
  let pending: RunEvent[] = [];
  const emit = (e: RunEvent) => {
    switch (e.type) {
      case 'run:start': {
        width = Math.max(0, ...e.hosts.map((h) => h.length));
        const tasks = e.hosts.map((h) => ({
          title: h,
          task: (_: unknown, t: { title: string }) =>
            new Promise<void>((resolve, reject) => {
              rows.set(h, {
                title: (s) => {
                  t.title = s;
                },
                done: (failed) => (failed ? reject(new Error(`${h} failed`)) : resolve()),
                since: Date.now(),
                counts: { ok: 0, changed: 0, failed: 0, skipped: 0 },
                state: 'running',
              });
              render(h);
            }),
        }));
        listr = new Listr(tasks, { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: true } }).run().catch(() => undefined);
        timer = setInterval(() => {
          for (const h of rows.keys()) render(h);
        }, 1000);
        break;
      }
      case 'task:start': {
        const r = rows.get(e.host);
        if (!r) return;
        r.task = e.task;
        r.since = e.startedAt;
        render(e.host);
        break;
      }
      case 'task:result': {
        const r = rows.get(e.host);
        if (!r) return;
        if (e.status === 'unreachable') r.state = 'unreachable';
        if (e.status === 'failed' || e.status === 'unreachable' || e.diff || o.verbosity > 0) notable.push(e);
        render(e.host);
        break;
      }
      case 'host:tally': {
        const r = rows.get(e.host);
        if (!r) return;
        r.counts = { ok: e.tally.ok, changed: e.tally.changed, failed: e.tally.failed, skipped: e.tally.skipped };
        render(e.host);
        break;
      }
      default:
        break;
    }
  };
  return {
    emit(e: RunEvent) {
      if (e.type === 'run:end') {
        pending.push(e);
        return;
      }
      emit(e);
    },
    async close() {
      if (timer) clearInterval(timer);
      for (const [h, r] of rows) {
        if (r.state === 'running') r.state = r.counts.failed ? 'failed' : 'done';
        render(h);
        r.done(r.state === 'failed' || r.state === 'unreachable');
      }
      await listr;
      for (const e of notable) for (const l of resultLines(e, o.verbosity, paint, width)) stream.write(`${l}\n`);
      for (const e of pending)
        if (e.type === 'run:end') {
          stream.write('\n');
          if (e.interrupted) stream.write(`${paint('red', 'INTERRUPTED: no new tasks were started')}\n`);
          stream.write(`${formatRecap(e.recap, e.elapsedMs, paint)}\n`);
        }
      pending = [];
    },
  };
}
