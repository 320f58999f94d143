// --output json: one JSON object per line per event, the last line a summary; machine-readable, stable keys.
import type { EventSink, RunEvent } from '../executor/events.js';

export function jsonSink(stream: NodeJS.WritableStream = process.stdout): EventSink {
  return {
    emit(e: RunEvent) {
      if (e.type === 'run:end') {
        stream.write(`${JSON.stringify({ type: 'summary', recap: e.recap, elapsed_ms: e.elapsedMs, exit_code: e.exitCode, interrupted: e.interrupted })}\n`);
        return;
      }
      stream.write(`${JSON.stringify(e)}\n`);
    },
    async close() {},
  };
}
