import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wait_for, waitScript } from '../../../../src/modules/web/wait_for.js';
import { at, fakeCtx, fakeProbe, type Reply } from '../fake-probe.js';

async function plan(args: object, reply: Reply, files: Record<string, string> = {}) {
  const probe = fakeProbe([[/^bash -c /, reply]], files);
  const p = await wait_for.plan(wait_for.parse(args, at), probe, fakeCtx());
  return { p, probe };
}

describe('wait_for', () => {
  it('port open in time → ok with elapsed, one command', async () => {
    const { p, probe } = await plan({ host: '10.0.0.1', port: 80 }, 'ok 2500\n');
    expect(p).toMatchObject({ changed: false, result: { elapsed: 2, port: 80, state: 'started' } });
    expect(probe.commands[0]).toContain('/dev/tcp/10.0.0.1/80');
  });

  it.each([
    [{ host: 'db', port: 5432 }, 'Timeout when waiting for db:5432'],
    [{ port: 22, state: 'stopped' }, 'Timeout when waiting for 127.0.0.1:22 to stop.'],
    [{ port: 22, state: 'drained' }, 'Timeout when waiting for 127.0.0.1:22 to drain'],
    [{ path: '/run/app.pid' }, 'Timeout when waiting for file /run/app.pid'],
    [{ path: '/run/lock', state: 'absent' }, 'Timeout when waiting for /run/lock to be absent.'],
    [{ path: '/var/log/app', search_regex: 'ready' }, 'Timeout when waiting for search string ready in /var/log/app'],
    [{ port: 80, msg: 'web never came up' }, 'web never came up'],
  ])('timeout %j → %s', async (args, msg) => {
    const { p } = await plan(args, 'timeout 5000\n');
    expect(p.failed).toBe(msg);
  });

  it('search_regex on a file: match_groups and match_groupdict (Python (?P<name>) syntax)', async () => {
    const { p } = await plan({ path: '/var/log/app', search_regex: 'listening on (?P<port>\\d+) as (\\w+)' }, 'ok 10\n', {
      '/var/log/app': 'boot\nlistening on 8080 as web\n',
    });
    expect(p.result).toMatchObject({ match_groups: ['8080', 'web'], match_groupdict: { port: '8080' } });
  });

  it('neither port nor path: a plain sleep of timeout, not a failure', async () => {
    const { p } = await plan({ timeout: 3 }, 'timeout 3000\n');
    expect(p.failed).toBeUndefined();
  });

  it.each([
    [{ path: '/x', state: 'drained' }, /drained should only be used for checking a port/],
    [{ port: 1, path: '/x' }, /only one of/],
    [{ port: 1, state: 'stopped', search_regex: 'x' }, /search_regex is only used/],
    [{ host: 'a b', port: 1 }, /not an address/],
    [{ path: '/x', search_regex: '(' }, /does not compile/],
  ])('refused at load: %j', (args, msg) => {
    expect(() => wait_for.parse(args, at)).toThrow(msg);
  });

  // The loop for real, in this machine's bash (files only: no traffic).
  it('the loop on a real shell: found, absent, timed out, regex across lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waitfor-'));
    const f = join(dir, 'log');
    writeFileSync(f, 'a\nstatus: ready\n');
    const run = (args: object) => spawnSync('sh', ['-c', waitScript(wait_for.parse(args, at))], { encoding: 'utf8' }).stdout;
    expect(run({ path: f, timeout: 2 })).toMatch(/^ok \d+/);
    expect(run({ path: f, search_regex: '^status: (\\w+)$', timeout: 2 })).toMatch(/^ok /);
    expect(run({ path: f, search_regex: 'missing', timeout: 1 })).toMatch(/^timeout (1\d{3}|2\d{3})/);
    expect(run({ path: join(dir, 'nope'), state: 'absent', timeout: 1 })).toMatch(/^ok /);
    expect(run({ port: 1, host: '127.0.0.1', state: 'stopped', timeout: 2 })).toMatch(/^ok /);
  });
});
