// Not a TTY (CI, pipes): one line per task result per host, stderr and rc always shown for failures.
import type { EventSink, RunEvent, TaskResultEvent } from '../shared/events.js';
import { formatDiff } from './diff.js';
import { formatSummary } from './recap.js';
import { type Paint, painter, seconds, statusColor, useColor } from './style.js';

export interface SinkOptions {
  verbosity: number;
  stream?: NodeJS.WriteStream;
}

export function resultLines(e: TaskResultEvent, verbosity: number, paint: Paint, hostWidth = 0): string[] {
  const where = e.status === 'failed' && e.at ? paint('dim', `  (${e.at})`) : '';
  const item = e.item !== undefined ? paint('dim', ` [${e.item}]`) : '';
  const handled = e.ignored ? paint('dim', '  (ignored)') : e.rescued ? paint('dim', '  (rescued)') : '';
  const head = `${e.host.padEnd(hostWidth)}  ${paint(statusColor[e.status], e.status.padEnd(11))} ${e.task}${item}  ${paint('dim', seconds(e.durationMs))}${where}${handled}`;
  const out = [head];
  const indent = '    ';
  const show = e.status === 'failed' || e.status === 'unreachable' || verbosity > 0;
  if (show && e.msg && (e.status === 'failed' || e.status === 'unreachable' || verbosity > 0))
    out.push(...e.msg.split('\n').map((l) => indent + l));
  if (e.status === 'failed' && e.rc !== undefined) out.push(`${indent}rc=${e.rc}${e.cmd && verbosity > 0 ? `  cmd: ${e.cmd}` : ''}`);
  if (show && e.stdout && verbosity > 0) out.push(...e.stdout.split('\n').map((l) => `${indent}${paint('dim', 'stdout|')} ${l}`));
  if (show && e.stderr) out.push(...e.stderr.split('\n').map((l) => `${indent}${paint('dim', 'stderr|')} ${l}`));
  if (e.diff) for (const d of e.diff) out.push(...formatDiff(d, paint).map((l) => indent + l));
  return out;
}

export function plainSink(o: SinkOptions): EventSink {
  const stream = o.stream ?? process.stdout;
  const paint = painter(useColor(stream));
  let width = 0;
  // Lines of one turn of the event loop go out in one write: a 20-host rerun prints ~1200 lines, and a file or a
  // pipe is written synchronously, one system call per write. Flushed before the loop waits and at exit.
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  const write = (s: string) => {
    if (!pending) setImmediate(flush);
    pending += `${s}\n`;
  };
  process.once('exit', flush);
  return {
    emit(e: RunEvent) {
      switch (e.type) {
        case 'run:start':
          width = Math.max(0, ...e.hosts.map((h) => h.length));
          if (e.check) write(paint('cyan', 'CHECK MODE: nothing will be changed'));
          break;
        case 'play:start':
          write(paint('bold', `PLAY [${e.play}] ${e.hosts.length} host${e.hosts.length === 1 ? '' : 's'}`));
          break;
        case 'task:result':
          for (const l of resultLines(e, o.verbosity, paint, width)) write(l);
          break;
        case 'play:end':
          if (e.stoppedReason) write(paint('red', `PLAY STOPPED: ${e.stoppedReason}`));
          break;
        case 'run:end':
          write('');
          if (e.interrupted) write(paint('red', 'INTERRUPTED: no new tasks were started'));
          write(formatSummary(e.recap, e.elapsedMs, paint));
          break;
        default:
          break;
      }
    },
    async close() {
      flush();
      process.off('exit', flush);
    },
  };
}
