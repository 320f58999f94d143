// runbook check's drift bookkeeping: which results count as drift, how they are listed, which exit code wins.
import { describe, expect, test } from 'vitest';
import { driftCollector, formatDrift } from '../../../src/cli/check.js';
import type { RunEvent, TaskResultEvent, TaskStatus } from '../../../src/executor/events.js';
import { exitCodeOf } from '../../../src/shared/outcome.js';

const result = (host: string, task: string, status: TaskStatus, at: string, item?: string): TaskResultEvent => ({
  type: 'task:result',
  host,
  play: 'p',
  task,
  at,
  status,
  durationMs: 1,
  startedAt: 0,
  ...(item ? { item } : {}),
});

describe('driftCollector', () => {
  test('changed task results are drift, changed handlers are listed apart; every event reaches the inner sink', () => {
    const seen: RunEvent[] = [];
    const c = driftCollector({ emit: (e) => seen.push(e), close: async () => {} }, new Set(['pb.yaml:40']));
    const events: RunEvent[] = [
      result('h10', 'route', 'changed', 'pb.yaml:30:7', 'h1'),
      result('h2', 'route', 'changed', 'pb.yaml:30:7', 'h1'),
      result('h2', 'packages', 'ok', 'pb.yaml:10:7'),
      result('h2', 'restart docker', 'changed', 'pb.yaml:40:7'),
      result('h3', 'probe', 'failed', 'pb.yaml:20:7'),
      { type: 'host:unreachable', host: 'h4', msg: 'connect refused\nmore' },
    ];
    for (const e of events) c.sink.emit(e);
    expect(seen).toEqual(events);
    expect(c.drift).toEqual([
      { host: 'h10', task: 'route', item: 'h1', at: 'pb.yaml:30' },
      { host: 'h2', task: 'route', item: 'h1', at: 'pb.yaml:30' },
    ]);
    expect(c.handlers).toEqual([{ host: 'h2', task: 'restart docker', at: 'pb.yaml:40' }]);
    expect(c.failed).toEqual([{ host: 'h3', task: 'probe', at: 'pb.yaml:20', msg: undefined }]);
    expect(c.unreachable).toEqual([{ host: 'h4', msg: 'connect refused' }]);
  });
});

describe('formatDrift', () => {
  test('DRIFT lines sorted by host (h2 before h10), aligned, then handlers and a count', () => {
    const out = formatDrift(
      [
        { host: 'h10', task: 'GRE port to every peer', item: 'h3', at: 'playbooks/gre-mesh.yaml:138' },
        { host: 'h2', task: 'GRE port to every peer', item: 'h3', at: 'playbooks/gre-mesh.yaml:138' },
        { host: 'h2', task: 'daemon.json', at: 'playbooks/gre-mesh.yaml:82' },
      ],
      [{ host: 'h2', task: 'restart docker', at: 'playbooks/gre-mesh.yaml:159' }],
    );
    expect(out.split('\n')).toEqual([
      'DRIFT h2   GRE port to every peer [h3]  (playbooks/gre-mesh.yaml:138)',
      'DRIFT h2   daemon.json  (playbooks/gre-mesh.yaml:82)',
      'DRIFT h10  GRE port to every peer [h3]  (playbooks/gre-mesh.yaml:138)',
      '  then handler "restart docker" would run on h2',
      'drift: 3 tasks on 2 hosts would change',
    ]);
  });
  test('no drift says so', () => {
    expect(formatDrift([], [])).toBe('no drift: every host matches the playbook');
  });
});

// check's exit code: the run's outcome decides first (exitCodeOf, shared with run, exec and merge-reports).
describe('check exit code', () => {
  const tally = { ok: 1, changed: 0, skipped: 0, failed: 0, unreachable: 0, ignored: 0, rescued: 0 };
  /** A run that would exit `run` on its own. */
  const outcomeOf = (run: number) => ({
    recap: { h1: { ...tally, failed: run === 2 ? 1 : 0, unreachable: run === 3 ? 1 : 0 } },
    interrupted: run === 130,
  });
  test.each([
    [0, 0, 0],
    [0, 3, 5],
    [2, 3, 2],
    [3, 1, 3],
    [130, 1, 130],
  ])('run exit %i with %i drifted → %i', (run, drift, want) => {
    expect(exitCodeOf({ ...outcomeOf(run), drift })).toBe(want);
  });
});
