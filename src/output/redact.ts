// The last stop before the terminal: every event a sink renders has known secrets masked first.
import type { EventSink } from '../shared/events.js';
import { redactDeep } from '../vault/secrets.js';

// Wraps any sink (plain, tty, json), so a new output format cannot forget to mask.
export function redactingSink(inner: EventSink): EventSink {
  return {
    wantsOutput: inner.wantsOutput,
    emit: (e) => inner.emit(redactDeep(e)),
    close: () => inner.close(),
  };
}
