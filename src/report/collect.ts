// `--report FILE`: a tee beside the terminal sink that keeps the whole run and writes one HTML file at the end.

import { redactingSink } from '../output/redact.js';
import type { EventSink, Recap, RunEvent, TaskResultEvent } from '../shared/events.js';
import { checkOutputPath, writeFileAtomic } from './write.js';

/** Everything the HTML report shows, as collected from the (already masked) event stream. */
export interface RunReport {
  playbook?: string;
  check: boolean;
  hosts: string[];
  plays: string[];
  /** Wall clock when run:start arrived: the timeline's zero. */
  startedAt: number;
  results: TaskResultEvent[];
  recap?: Recap;
  elapsedMs?: number;
  exitCode?: number;
  interrupted?: boolean;
}

// Folds events into a RunReport; kept apart from the sink so tests can build reports from event lists.
export function reportCollector(now: () => number = Date.now): { sink: EventSink; report: () => RunReport | undefined } {
  let r: RunReport | undefined;
  const sink: EventSink = {
    emit(e: RunEvent) {
      if (e.type === 'run:start')
        r = { playbook: e.playbook, check: e.check, hosts: [...e.hosts], plays: [], startedAt: now(), results: [] };
      if (!r) return;
      if (e.type === 'play:start') r.plays.push(e.play);
      else if (e.type === 'task:result') {
        r.results.push(e);
        if (!r.hosts.includes(e.host)) r.hosts.push(e.host);
        // An event's own clock is the better zero when it is earlier (the first task started before run:start arrived).
        r.startedAt = Math.min(r.startedAt, e.startedAt);
      } else if (e.type === 'run:end')
        Object.assign(r, { recap: e.recap, elapsedMs: e.elapsedMs, exitCode: e.exitCode, interrupted: e.interrupted });
    },
    async close() {},
  };
  return { sink, report: () => r };
}

// The terminal sees diffs only with --diff; the report always gets them (run.ts turns diff collection on for --report).
function withoutDiff(e: RunEvent): RunEvent {
  if (e.type !== 'task:result' || !e.diff) return e;
  const { diff: _, ...rest } = e;
  return rest;
}

// Wraps the terminal sink: events are masked before the report sees them, and the file is written on close.
export function reportingSink(terminal: EventSink, file: string, printDiff: boolean): EventSink {
  const path = checkOutputPath(file, '--report');
  const collector = reportCollector();
  const masked = redactingSink(collector.sink);
  return {
    emit(e) {
      masked.emit(e);
      terminal.emit(printDiff ? e : withoutDiff(e));
    },
    async close() {
      await terminal.close();
      const report = collector.report();
      if (!report) return;
      const { renderReport } = await import('./html.js');
      writeFileAtomic(path, renderReport(report));
    },
  };
}
