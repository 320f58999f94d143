// --output json: one JSON object per line per event, the last line a summary; machine-readable, stable keys.
import type { EventSink, RunEvent } from '../shared/events.js';
import { errorGroups, recapCounts } from './recap.js';

export function jsonSink(stream: NodeJS.WritableStream = process.stdout): EventSink {
  // Lines go out once per turn of the event loop, not in one write per event: a write to a pipe is a system call
  // and a wake-up of the reader, and a 20-host run emits thousands of events. Order is kept; nothing waits.
  let lines: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!lines.length) return;
    const text = lines.join('');
    lines = [];
    stream.write(text);
  };
  const push = (line: string) => {
    lines.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  // A path that exits without closing the sink (a fatal error) still writes what was emitted.
  process.once('exit', flush);
  return {
    emit(e: RunEvent) {
      if (e.type === 'run:end') {
        const summary = {
          type: 'summary',
          counts: recapCounts(e.recap),
          errors: errorGroups(e.recap),
          recap: e.recap,
          elapsed_ms: e.elapsedMs,
          exit_code: e.exitCode,
          interrupted: e.interrupted,
        };
        push(`${JSON.stringify(summary)}\n`);
        flush();
        return;
      }
      push(`${JSON.stringify(e)}\n`);
    },
    async close() {
      flush();
    },
  };
}
