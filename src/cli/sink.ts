// Picks the output: JSON lines when asked, live rows on a TTY, plain lines otherwise.
import type { EventSink } from '../executor/events.js';
import { jsonSink } from '../output/json.js';
import { plainSink } from '../output/plain.js';
import { redactingSink } from '../output/redact.js';

export type OutputMode = 'auto' | 'plain' | 'json' | 'tty';

export async function makeSink(mode: OutputMode, verbosity: number): Promise<EventSink> {
  return redactingSink(await pickSink(mode, verbosity));
}

async function pickSink(mode: OutputMode, verbosity: number): Promise<EventSink> {
  if (mode === 'json') return jsonSink();
  if (mode === 'tty' || (mode === 'auto' && process.stdout.isTTY && !process.env.CI)) {
    const { liveSink } = await import('../output/live.js');
    return liveSink({ verbosity });
  }
  return plainSink({ verbosity });
}

// --report FILE tees the events into an HTML report (src/report); loaded only when asked for.
export async function withReport(sink: EventSink, f: { report?: string; diff?: boolean }): Promise<EventSink> {
  if (!f.report) return sink;
  const { reportingSink } = await import('../report/collect.js');
  return reportingSink(sink, f.report, !!f.diff);
}

/** First Ctrl-C (or SIGTERM): start nothing new, finish what runs, print the recap; the second aborts at once. */
export function interruptController(): AbortController {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) {
      process.stderr.write(`\n${sig} again: aborting now\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${sig}: no new tasks will start; waiting for running commands (${sig} again to abort now)\n`);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ac;
}
