import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../../src/errors.js';
import { route } from '../../../../src/modules/net/route.js';
import { ROUTE_2, ROUTE_2_TWO, ROUTE_DEFAULT, ROUTE_HOST } from './captured.js';
import { at, ctx, fakeProbe, type Reply, sectioned, statDir, statFile, stepsOf } from './fake-probe.js';

const plan = async (args: object, reply: Reply, extra: Parameters<typeof fakeProbe>[0] = []) => {
  const probe = fakeProbe([[/^echo @@routes; ip -j route show/, reply], ...extra]);
  const p = await route.plan(route.parse(args, at), probe, ctx());
  return { p, probe };
};
const peer = { to: '192.168.2.0/24', via: '10.0.0.2', dev: 'v1' };

describe('route', () => {
  it.each([
    ['via + dev + metric', { ...peer, metric: 50 }, ROUTE_2],
    ['via only', { to: '192.168.2.0/24', via: '10.0.0.2' }, ROUTE_2],
    ['one of two metrics', { to: '192.168.2.0/24', via: '10.0.0.3', metric: 100 }, ROUTE_2_TWO],
    ['default', { to: 'default', via: '10.0.0.254' }, ROUTE_DEFAULT],
    ['host route by bare address', { to: '10.0.0.77', dev: 'v1' }, ROUTE_HOST],
    ['host route as /32', { to: '10.0.0.77/32', dev: 'v1' }, ROUTE_HOST],
  ])('already there (%s) → changed:false, one probe', async (_, args, json) => {
    const { p, probe } = await plan(args, sectioned({ routes: json }));
    expect(p.changed).toBe(false);
    expect(p.steps).toBeUndefined();
    expect(probe.ran).toHaveLength(1);
  });

  it('the whole table is read; other destinations are ignored', async () => {
    const table = JSON.stringify([...JSON.parse(ROUTE_DEFAULT), ...JSON.parse(ROUTE_2), ...JSON.parse(ROUTE_HOST)]);
    expect((await plan({ to: '192.168.2.0/24', via: '10.0.0.2' }, sectioned({ routes: table }))).p.changed).toBe(false);
    const other = await plan({ to: '192.168.3.0/24', via: '10.0.0.3' }, sectioned({ routes: table }));
    expect(stepsOf(other.p)).toEqual(['ip route replace 192.168.3.0/24 via 10.0.0.3']);
  });

  it('probe command', async () => {
    const { probe } = await plan(peer, sectioned({ routes: ROUTE_2 }));
    expect(probe.ran).toEqual(['echo @@routes; ip -j route show']);
  });

  it.each([
    ['missing', peer, '[]', ['ip route replace 192.168.2.0/24 via 10.0.0.2 dev v1']],
    [
      'wrong gateway keeps the metric (replaced in place)',
      { ...peer, via: '10.0.0.9' },
      ROUTE_2,
      ['ip route replace 192.168.2.0/24 via 10.0.0.9 dev v1 metric 50'],
    ],
    [
      'metric change → old one deleted',
      { ...peer, metric: 70 },
      ROUTE_2,
      ['ip route del 192.168.2.0/24 metric 50', 'ip route replace 192.168.2.0/24 via 10.0.0.2 dev v1 metric 70'],
    ],
    ['wrong dev', { ...peer, dev: 'ens33' }, ROUTE_2, ['ip route replace 192.168.2.0/24 via 10.0.0.2 dev ens33 metric 50']],
    [
      'absent',
      { to: '192.168.2.0/24', state: 'absent' },
      ROUTE_2_TWO,
      ['ip route del 192.168.2.0/24 metric 50', 'ip route del 192.168.2.0/24 metric 100'],
    ],
    ['absent, one metric', { to: '192.168.2.0/24', state: 'absent', metric: 100 }, ROUTE_2_TWO, ['ip route del 192.168.2.0/24 metric 100']],
  ])('%s', async (_, args, json, cmds) => {
    const { p } = await plan(args, sectioned({ routes: json }));
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(cmds);
  });

  it('diff', async () => {
    const { p } = await plan({ ...peer, via: '10.0.0.9' }, sectioned({ routes: ROUTE_2 }));
    expect(p.diff).toEqual([
      { before: '192.168.2.0/24 via 10.0.0.2 dev v1 metric 50\n', after: '192.168.2.0/24 via 10.0.0.9 dev v1 metric 50\n' },
    ]);
  });

  it('absent and gone → no change', async () => {
    expect((await plan({ to: '192.168.2.0/24', state: 'absent' }, sectioned({ routes: '[]' }))).p.changed).toBe(false);
  });

  it('ip failing → failed with its message', async () => {
    const { p } = await plan(peer, {
      stdout: sectioned({ routes: '' }),
      stderr: 'Error: any valid prefix is expected rather than "x".\n',
      code: 1,
    });
    expect(p.failed).toBe('Error: any valid prefix is expected rather than "x".');
  });

  describe('persist', () => {
    const RHEL = '/etc/sysconfig/network-scripts/route-v1';
    const stat = (first: string) => [/^if \[ -e /, `${first}\n${statDir}\n`] as [RegExp, Reply];

    it('rhel: route present and file has the line → no change, one round trip', async () => {
      const { p, probe } = await plan(
        { ...peer, persist: 'rhel' },
        sectioned({ routes: ROUTE_2.replace(',"metric":50', ''), file: '192.168.2.0/24 via 10.0.0.2 dev v1\n' }),
      );
      expect(p).toMatchObject({ changed: false });
      expect(probe.ran).toEqual([
        `echo @@routes; ip -j route show; if [ -f ${RHEL} ]; then echo @@file; while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done < ${RHEL}; fi`,
      ]);
    });

    it('rhel: stale line for the same destination is rewritten, others kept', async () => {
      const old = '10.9.0.0/16 via 10.0.0.1 dev v1\n192.168.2.0/24 via 10.0.0.7 dev v1\n';
      const { p } = await plan({ ...peer, persist: 'rhel' }, sectioned({ routes: '[]', file: old }), [stat(statFile())]);
      const up = p.steps?.[1];
      expect(stepsOf(p)).toEqual(['ip route replace 192.168.2.0/24 via 10.0.0.2 dev v1', `upload ${RHEL}`]);
      expect(up?.kind === 'upload' && up.content.toString()).toBe('10.9.0.0/16 via 10.0.0.1 dev v1\n192.168.2.0/24 via 10.0.0.2 dev v1\n');
      expect(p.diff?.[1]).toMatchObject({ path: RHEL, before: old });
    });

    const HOOK = '/etc/network/if-up.d/runbook-routes';
    const HEADER =
      '#!/bin/sh\n# Managed by runbook (route persist: debian): ifupdown runs this each time an interface comes up.\n' +
      '# A route whose gateway is not reachable yet fails quietly here and is added at a later interface.\n';

    it('debian: missing file → an executable ifupdown hook with the route', async () => {
      const { p } = await plan({ ...peer, persist: 'debian', metric: 50 }, sectioned({ routes: ROUTE_2 }), [stat('absent')]);
      const up = p.steps?.[0];
      expect(p.note).toMatch(/persisted/);
      expect(up).toMatchObject({ kind: 'upload', dest: HOOK, mode: '0755' });
      expect(up?.kind === 'upload' && up.content.toString()).toBe(
        `${HEADER}ip route replace 192.168.2.0/24 via 10.0.0.2 dev v1 metric 50 2>/dev/null || true\n`,
      );
    });

    it('debian: the route already persisted → no change', async () => {
      const file = `${HEADER}ip route replace 192.168.2.0/24 via 10.0.0.2 dev v1 metric 50 2>/dev/null || true\n`;
      const { p } = await plan({ ...peer, persist: 'debian', metric: 50 }, sectioned({ routes: ROUTE_2, file }));
      expect(p).toMatchObject({ changed: false });
    });

    it('absent removes the line, keeps the others and the header', async () => {
      const { p } = await plan(
        { to: '192.168.2.0/24', state: 'absent', persist: 'debian' },
        sectioned({
          routes: '[]',
          file: `${HEADER}ip route replace 192.168.2.0/24 via 10.0.0.2 2>/dev/null || true\nip route replace 192.168.3.0/24 via 10.0.0.3 2>/dev/null || true\n`,
        }),
        [stat(statFile())],
      );
      const up = p.steps?.[0];
      expect(up?.kind === 'upload' && up.content.toString()).toBe(
        `${HEADER}ip route replace 192.168.3.0/24 via 10.0.0.3 2>/dev/null || true\n`,
      );
    });
  });

  it.each([
    [{ to: '192.168.2.0/33', via: '10.0.0.2' }, /argument "to": "192.168.2.0\/33" is not a network/],
    [{ to: '192.168.2.1/24', via: '10.0.0.2' }, /has host bits set/],
    [{ to: '192.168.2.0/24', via: '10.0.0.256' }, /argument "via": "10.0.0.256" is not an IPv4 address/],
    [{ to: '192.168.2.0/24' }, /state=present needs via or dev/],
    [{ to: '192.168.2.0/24', via: '10.0.0.2', persist: 'rhel' }, /missing required argument "dev" \(persist=rhel\)/],
    [{ to: '192.168.2.0/24', via: '10.0.0.2', persist: 'suse' }, /"persist" must be one of none, rhel, debian/],
    [{ to: '192.168.2.0/24', gw: '10.0.0.2' }, /unknown argument "gw"/],
  ])('parse rejects %j', (args, msg) => {
    expect(() => route.parse(args, at)).toThrow(PlaybookError);
    expect(() => route.parse(args, at)).toThrow(msg);
  });

  it('host-bits error suggests the network', () => {
    expect.assertions(1);
    try {
      route.parse({ to: '192.168.2.1/24', via: '10.0.0.2' }, at);
    } catch (e) {
      expect((e as PlaybookError).hint).toBe('use 192.168.2.0/24');
    }
  });

  it('templated values pass load-time parse', () => {
    expect(route.parse({ to: '{{ peer_subnet }}', via: '{{ peer_ip }}' }, at)).toMatchObject({ to: '{{ peer_subnet }}' });
  });
});
