// A loop applied as one transaction: the same per-item results as item by item, and a failing item still named.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskResultEvent } from '../../../src/executor/events.js';
import { runTask, type TaskEnv } from '../../../src/executor/task.js';
import { route } from '../../../src/modules/net/route.js';
import { bareTask } from '../../../src/playbook/task.js';
import type { Connection } from '../../../src/remote/connection.js';

// A stand-in `ip` on the controller: an empty routing table, a log of what ran, and one gateway it refuses.
const IP = `#!/bin/sh
echo "ip $*" >> "$LOG"
refuse() { case "$1" in *" via $FAIL"*) echo "Error: Nexthop has invalid gateway." >&2; return 1;; esac; }
case "$*" in
  "-j route show") echo '[]' ;;
  "-batch -") n=0; while IFS= read -r l; do n=$((n+1)); echo "  $l" >> "$LOG"; refuse " $l" || { echo "Command failed -:$n" >&2; exit 1; }; done ;;
  *) refuse " $*" || exit 2 ;;
esac
`;

function hostWith(fail: string): { conn: Connection; log: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rb-merge-'));
  writeFileSync(join(dir, 'ip'), IP);
  chmodSync(join(dir, 'ip'), 0o755);
  const logFile = join(dir, 'log');
  writeFileSync(logFile, '');
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, LOG: logFile, FAIL: fail };
  const conn: Connection = {
    host: 'h1',
    async exec(cmd, opts) {
      const r = spawnSync('sh', ['-c', cmd], { env, input: opts?.stdin ?? '', encoding: 'utf8' });
      return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
    put: async () => undefined,
    readFile: async () => null,
    close: async () => undefined,
  };
  return { conn, log: () => readFileSync(logFile, 'utf8').trim().split('\n') };
}

const peers = [
  { to: '192.168.2.0/24', via: '10.0.0.2' },
  { to: '192.168.3.0/24', via: '10.0.0.3' },
  { to: '192.168.4.0/24', via: '10.0.0.4' },
];

async function run(conn: Connection) {
  const t = bareTask('route', { to: '{{ item.to }}', via: '{{ item.via }}' }, { file: 'site.yml', line: 3 }, 'routes');
  t.loop = peers;
  const events: TaskResultEvent[] = [];
  const env: TaskEnv = {
    play: 'p',
    baseDir: '/tmp',
    check: false,
    diff: true,
    become: false,
    connect: async () => conn,
    emit: (e) => events.push(e),
  };
  const out = await runTask(t, 'h1', { inventory_hostname: 'h1' }, env);
  // What a user sees and what `register` keeps; how long each item took is not part of it.
  const shown = events.map(({ durationMs: _d, startedAt: _s, ...e }) => e);
  return { out, shown };
}

const merge = route.merge;
afterEach(() => {
  route.merge = merge;
});

describe('a route loop applied as one ip -batch', () => {
  it('one ip -batch for every route; per-item results, diffs and register .results as item by item', async () => {
    const merged = hostWith('none');
    const together = await run(merged.conn);
    expect(merged.log()).toEqual([
      'ip -j route show',
      'ip -batch -',
      '  route replace 192.168.2.0/24 via 10.0.0.2',
      '  route replace 192.168.3.0/24 via 10.0.0.3',
      '  route replace 192.168.4.0/24 via 10.0.0.4',
    ]);
    route.merge = undefined;
    const single = hostWith('none');
    const alone = await run(single.conn);
    expect(single.log().filter((l) => l.startsWith('ip route replace'))).toHaveLength(3);
    expect(together.shown).toEqual(alone.shown);
    expect(together.out).toEqual(alone.out);
    expect(together.shown.map((e) => [e.item, e.status, e.diff])).toEqual(
      peers.map((p) => [JSON.stringify(p), 'changed', [{ before: `(no route to ${p.to})\n`, after: `${p.to} via ${p.via}\n` }]]),
    );
    expect(together.out.status).toBe('changed');
  });

  it('a failing merged apply is retried item by item: the failing item is named, the others still change', async () => {
    const host = hostWith('10.0.0.3');
    const { out, shown } = await run(host.conn);
    expect(host.log().filter((l) => l.startsWith('ip '))).toEqual([
      'ip -j route show',
      'ip -batch -',
      'ip route replace 192.168.2.0/24 via 10.0.0.2',
      'ip route replace 192.168.3.0/24 via 10.0.0.3',
      'ip route replace 192.168.4.0/24 via 10.0.0.4',
    ]);
    expect(shown.map((e) => [e.item, e.status])).toEqual([
      [JSON.stringify(peers[0]), 'changed'],
      [JSON.stringify(peers[1]), 'failed'],
      [JSON.stringify(peers[2]), 'changed'],
    ]);
    expect(shown[1].msg).toMatch(/ip route replace 192\.168\.3\.0\/24 via 10\.0\.0\.3[\s\S]*Nexthop has invalid gateway/);
    expect(out.status).toBe('failed');
    expect((out.result.results as { failed: boolean }[]).map((r) => r.failed)).toEqual([false, true, false]);
  });
});
