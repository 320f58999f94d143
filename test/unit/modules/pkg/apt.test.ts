import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { apt } from '../../../../src/modules/pkg/apt.js';
import { badName, dpkgQuery, parseDpkgStatus, parseSimulation, satisfied } from '../../../../src/modules/pkg/apt-core.js';
import { at, ctx, fakeProbe, type Reply, sectioned, stepsOf } from '../net/fake-probe.js';

const DPKG = '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=60';
const ENV = 'env DEBIAN_FRONTEND=noninteractive apt-get';
const NOW = 1_800_000_000;

async function plan(args: object, first: Record<string, string>, more: Array<[RegExp, Reply]> = [], check = false) {
  const probe = fakeProbe([[/^echo @@now/, sectioned({ now: String(NOW), ...first })], ...more]);
  const c = { ...ctx(), check };
  const p = await apt.plan(apt.parse(args, at), probe, c);
  return { p, probe };
}
const sim = (...lines: string[]) => `${lines.join('\n')}\nrc=0\n`;

describe('apt', () => {
  test.each([
    [
      'all installed: nothing to do, one round trip',
      { name: ['curl', 'git'] },
      { stamp: String(NOW - 10), status: 'curl amd64 7.88 ii \ngit amd64 2.39 ii \n' },
      [],
      false,
      [],
    ],
    ['a pinned version already installed', { name: 'curl=7.88*' }, { stamp: '', status: 'curl amd64 7.88.1-10 ii \n' }, [], false, []],
    ['absent, and not installed', { name: 'nginx', state: 'absent' }, { stamp: '', status: '' }, [], false, []],
    [
      'absent removes what is installed, all in one call',
      { name: ['nginx', 'curl', 'vim'], state: 'absent' },
      { stamp: '', status: 'nginx amd64 1.22 ii \ncurl amd64 7.88 ii \n' },
      [],
      true,
      [`${ENV} remove -y -q ${DPKG} nginx curl`],
    ],
    [
      'purge also takes packages left with config files',
      { name: ['nginx'], state: 'absent', purge: true },
      { stamp: '', status: 'nginx amd64 1.22 rc \n' },
      [],
      true,
      [`${ENV} remove -y -q ${DPKG} --purge nginx`],
    ],
    [
      'present installs the missing ones, verified by a simulation first',
      { name: ['curl', 'git', 'jq=1.6-2.1'], install_recommends: false },
      { stamp: '', status: 'curl amd64 7.88 ii \n' },
      [
        [
          /apt-get install -s/,
          sim('Inst libjq1 (1.6-2.1 Debian:12/stable [amd64])', 'Inst git (1:2.39 Debian [amd64])', 'Inst jq (1.6-2.1 Debian [amd64])'),
        ],
      ],
      true,
      [`${ENV} install -y -q ${DPKG} -o APT::Install-Recommends=no git jq=1.6-2.1`],
    ],
    [
      'latest: the simulation of all names decides',
      { name: ['curl', 'git'], state: 'latest', default_release: 'bookworm-backports' },
      { stamp: '', status: 'curl amd64 7.88 ii \ngit amd64 2.39 ii \n', sim: sim('Inst curl [7.88] (7.88.2 Debian [amd64])') },
      [],
      true,
      [`${ENV} install -y -q ${DPKG} -t bookworm-backports curl git`],
    ],
    [
      'latest with nothing newer',
      { name: ['curl'], state: 'latest' },
      { stamp: '', status: 'curl amd64 7.88 ii \n', sim: sim('0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.') },
      [],
      false,
      [],
    ],
    [
      'upgrade=dist from the simulation',
      { upgrade: 'dist' },
      {
        stamp: '',
        sim: sim('Inst libc6 [2.36-9] (2.36-9+deb12u4 Debian [amd64])', '1 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.'),
      },
      [],
      true,
      [`${ENV} dist-upgrade -y -q ${DPKG}`],
    ],
    [
      'upgrade=yes with nothing to upgrade',
      { upgrade: 'yes' },
      { stamp: '', sim: sim('0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.') },
      [],
      false,
      [],
    ],
    [
      'update_cache alone: refreshed, changed as in Ansible',
      { update_cache: true },
      { stamp: String(NOW - 10) },
      [],
      true,
      [`n=0; until ${ENV} update -q; do n=$((n+1)); [ "$n" -gt 5 ] && exit 1; sleep "$n"; done`],
    ],
    [
      'cache_valid_time: a fresh cache is left alone',
      { update_cache: true, cache_valid_time: 3600 },
      { stamp: String(NOW - 100) },
      [],
      false,
      [],
    ],
    [
      'cache_valid_time implies update_cache; an old cache is refreshed',
      { cache_valid_time: 3600, update_cache_retries: 0 },
      { stamp: String(NOW - 7200) },
      [],
      true,
      [`${ENV} update -q`],
    ],
    [
      'a refresh due, packages missing: refresh then install (no stale simulation)',
      { name: 'nginx', update_cache: true, update_cache_retries: 0 },
      { stamp: '', status: '' },
      [],
      true,
      [`${ENV} update -q`, `${ENV} install -y -q ${DPKG} nginx`],
    ],
    [
      'a refresh due but nothing to install: nothing done',
      { name: 'curl', update_cache: true },
      { stamp: '', status: 'curl amd64 7.88 ii \n' },
      [],
      false,
      [],
    ],
    [
      'autoremove alone, from the simulation',
      { autoremove: true },
      { stamp: '', sim: sim('Remv libold1 [1.0]') },
      [],
      true,
      [`${ENV} autoremove -y -q ${DPKG}`],
    ],
    ['autoclean with nothing to delete', { autoclean: true }, { stamp: '', autoclean: '0' }, [], false, []],
    [
      'deb: same version installed',
      { deb: '/tmp/hello_1.0_all.deb' },
      { stamp: '', deb: 'Package: hello\nVersion: 1.0\nArchitecture: all\n', status: 'hello all 1.0 ii \n' },
      [],
      false,
      [],
    ],
    [
      'deb: installed through apt-get so its dependencies come too',
      { deb: '/tmp/hello_1.0_all.deb' },
      { stamp: '', deb: 'Package: hello\nVersion: 1.0\nArchitecture: all\n', status: 'hello all 0.9 ii \n' },
      [],
      true,
      [`${ENV} install -y -q ${DPKG} /tmp/hello_1.0_all.deb`],
    ],
    [
      'build-dep',
      { name: 'hello', state: 'build-dep' },
      { stamp: '', status: '', sim: sim('Inst debhelper (13 Debian [all])') },
      [],
      true,
      [`${ENV} build-dep -y -q ${DPKG} hello`],
    ],
  ] as const)('%s', async (_, args, first, more, changed, steps) => {
    const { p, probe } = await plan(args, first, more as Array<[RegExp, Reply]>);
    expect(p.failed).toBeUndefined();
    expect(p.changed).toBe(changed);
    expect(stepsOf(p)).toEqual(steps);
    if (!more.length) expect(probe.ran).toHaveLength(1);
  });

  test('the first probe: dpkg-query for all names at once, cache stamp, no simulation for present', async () => {
    const { probe } = await plan(
      { name: ['curl', 'jq=1.6', 'libc6:amd64'] },
      { stamp: '', status: 'curl amd64 1 ii \njq amd64 1.6 ii \nlibc6 amd64 2.36 ii \n' },
    );
    expect(probe.ran[0]).toBe(
      'echo @@now; date +%s; echo @@stamp; stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || stat -c %Y /var/lib/apt/lists 2>/dev/null; ' +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
        "echo @@status; dpkg-query -W -f='${Package} ${Architecture} ${Version} ${db:Status-Abbrev}\\n' -- curl jq libc6:amd64 2>/dev/null",
    );
  });

  test("an unknown package fails at plan time with apt-get's words", async () => {
    const { p } = await plan({ name: 'no-such-pkg' }, { stamp: '', status: '' }, [
      [/apt-get install -s/, 'Reading package lists...\nE: Unable to locate package no-such-pkg\nrc=100\n'],
    ]);
    expect(p.failed).toBe('cannot install no-such-pkg: Unable to locate package no-such-pkg');
  });

  test('under --check a package not in the lists yet (its repository is added by an earlier task) is predicted, not failed', async () => {
    const miss: Array<[RegExp, Reply]> = [[/apt-get install -s/, 'E: Unable to locate package mpkg-hello\nrc=100\n']];
    const { p } = await plan({ name: 'mpkg-hello' }, { stamp: '', status: '' }, miss, true);
    expect(p.failed).toBeUndefined();
    expect(p.changed).toBe(true);
    const latest = await plan(
      { name: 'mpkg-hello', state: 'latest' },
      { stamp: '', status: '', sim: 'E: Unable to locate package mpkg-hello\nrc=100\n' },
      [],
      true,
    );
    expect(latest.p.changed).toBe(true);
    const real = await plan(
      { name: 'mpkg-hello', state: 'latest' },
      { stamp: '', status: '', sim: 'E: Unable to locate package mpkg-hello\nrc=100\n' },
    );
    expect(real.p.failed).toBe('latest: Unable to locate package mpkg-hello');
  });

  test('result keys; the last step is captured for stdout/stderr, not in check mode', async () => {
    const { p } = await plan({ name: 'git' }, { stamp: String(NOW - 5), status: '' }, [
      [/apt-get install -s/, sim('Inst git (2.39 Debian [amd64])')],
    ]);
    expect(p.result).toEqual({ cache_updated: false, cache_update_time: NOW - 5 });
    expect(p.steps?.[0]).toMatchObject({ capture: true });
    expect(p.diff).toEqual([{ before: 'git absent\n', after: 'install git\n' }]);
    const checked = await plan(
      { name: 'git' },
      { stamp: '', status: '' },
      [[/apt-get install -s/, sim('Inst git (2.39 Debian [amd64])')]],
      true,
    );
    expect(checked.p.steps?.[0]).not.toHaveProperty('capture');
    const up = await plan({ update_cache: true }, { stamp: '5' });
    expect(up.p.result).toEqual({ cache_updated: true, cache_update_time: NOW });
  });

  test('policy_rc_d: apt runs with a policy-rc.d answering that code, and the old file (or none) comes back', async () => {
    const { p } = await plan({ name: 'nginx', policy_rc_d: 101 }, { stamp: '5', status: '' }, [
      [/apt-get install -s/, sim('Inst nginx (1.22 Debian [amd64])')],
    ]);
    const step = p.steps?.[p.steps.length - 1];
    expect(step?.kind).toBe('exec');
    const c = (step as { cmd: string }).cmd;
    expect(c).toMatch(
      /^rb_saved=''; if \[ -e \/usr\/sbin\/policy-rc\.d \]; then rb_saved=\$\(mktemp\) && cp -p \/usr\/sbin\/policy-rc\.d "\$rb_saved"; fi; /,
    );
    expect(c).toContain("printf '%b' '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d; ");
    expect(c).toMatch(
      /apt-get .*install.* nginx; rb_rc=\$\?; if \[ -n "\$rb_saved" \]; then mv -f "\$rb_saved" \/usr\/sbin\/policy-rc\.d; else rm -f \/usr\/sbin\/policy-rc\.d; fi; exit \$rb_rc$/,
    );
  });

  test('deb file missing on the host', async () => {
    const { p } = await plan({ deb: '/tmp/x.deb' }, { stamp: '' });
    expect(p.failed).toBe('deb file not found on the host: /tmp/x.deb');
  });

  test.each([
    [{ name: 'nginx*' }, /wildcards \("nginx\*"\) are not supported/],
    [{ name: 'foo>=1.2' }, /version comparisons/],
    [{ name: 'foo=1.2', state: 'latest' }, /inconsistent with state=latest/],
    [{ name: ['*', 'x'], state: 'latest' }, /only allowed alone with state=latest/],
    [{ deb: 'https://example.com/x.deb' }, /is a URL: downloading is not supported/],
    [{ name: 'x', deb: '/tmp/x.deb' }, /give only one of/],
    [{ name: '-oFoo=1' }, /looks like an option/],
    [{ state: 'present' }, /give one of name, deb, upgrade/],
    [{ name: 'x', dpkg_options: 'force-confold;rm -rf /' }, /not a plain dpkg option/],
  ])('refused: %j', (args, msg) => {
    expect(() => apt.parse(args, at)).toThrow(msg);
  });

  test('name "*" with latest upgrades everything', async () => {
    const { p } = await plan({ name: '*', state: 'latest' }, { stamp: '', sim: sim('Inst a [1] (2 x [all])') });
    expect(stepsOf(p)).toEqual([`${ENV} upgrade -y -q --with-new-pkgs ${DPKG}`]);
  });

  test('aliases and the dashed spellings', () => {
    const a = apt.parse(
      { pkg: 'x', 'update-cache': 'yes', 'install-recommends': 'no', 'default-release': 'r', allow_downgrades: true },
      at,
    );
    expect(a.flags).toMatchObject({ installRecommends: false, defaultRelease: 'r', allowDowngrade: true });
    expect(a.updateCache).toBe(true);
  });
});

describe('apt-core', () => {
  test('dpkg status by name asked: architecture, version pins, config files', () => {
    const st = parseDpkgStatus('libc6 amd64 2.36 ii \nlibc6 i386 2.36 rc \nfoo all 1.0 rc \n', ['libc6', 'libc6:i386', 'foo', 'bar=1']);
    expect(st.get('libc6')).toEqual({ installed: true, version: '2.36' });
    expect(st.get('libc6:i386')).toEqual({ installed: false, configFiles: true });
    expect(st.get('foo')).toEqual({ installed: false, configFiles: true });
    expect(satisfied('bar=1', st.get('bar=1'))).toBe(false);
    expect(satisfied('libc6=2.3*', st.get('libc6'))).toBe(true);
    expect(satisfied('libc6=2.35', st.get('libc6'))).toBe(false);
  });

  test('simulation output', () => {
    const s = parseSimulation(
      'Inst a [1] (2 D [all])\nRemv b [3]\nPurg c [1]\n1 upgraded, 0 newly installed, 2 to remove and 5 not upgraded.\nrc=0',
    );
    expect(s).toEqual({ inst: ['a'], remv: ['b', 'c'], errors: [], rc: 0, counts: { upgraded: 1, installed: 0, removed: 2 } });
  });

  test('names', () => {
    expect(badName('foo:amd64=1.0')).toBeUndefined();
    expect(badName('a b')).toMatch(/blanks/);
    expect(badName('foo=')).toMatch(/empty version/);
  });

  // Skipped only on a machine without dpkg (not Debian); CI installs on Debian, where it runs.
  test.skipIf(spawnSync('sh', ['-c', 'command -v dpkg-query']).status !== 0)(
    'the dpkg-query line, run for real: one row per known package',
    () => {
      const out = execFileSync('sh', ['-c', `${dpkgQuery(['dpkg', 'no-such-package-xyz=1'])}; true`], { encoding: 'utf8' });
      const st = parseDpkgStatus(out, ['dpkg', 'no-such-package-xyz=1']);
      expect(st.get('dpkg')?.installed).toBe(true);
      expect(st.get('no-such-package-xyz=1')).toEqual({ installed: false, configFiles: false });
    },
  );
});
