// --output json: one JSON object per line per event, the last line a summary; machine-readable, stable keys.
import type { EventSink, RunEvent } from '../shared/events.js';
import { errorGroups, recapCounts } from './recap.js';

export function jsonSink(stream: NodeJS.WritableStream = process.stdout): EventSink {
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
        stream.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      stream.write(`${JSON.stringify(e)}\n`);
    },
    async close() {},
  };
}
