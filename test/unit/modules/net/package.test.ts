import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dpkgInstalled, dpkgInstalledScript, packageProbe, pkg, queryScript } from '../../../../src/modules/net/package.js';
import { at, ctx, fakeProbe, packageAptReply, sectioned, stepsOf } from './fake-probe.js';

const OVS = { apt: ['openvswitch-switch', 'bridge-utils'], dnf: ['openvswitch'], yum: ['openvswitch', 'bridge-utils'] };
const plan = async (args: object, reply: string, vars: Record<string, unknown> = { ansible_pkg_mgr: 'apt' }) => {
  const probe = fakeProbe([[/./, reply]]);
  const p = await pkg.plan(pkg.parse(args, at), probe, ctx(vars));
  expect(probe.ran).toHaveLength(1);
  return { p, probe };
};

describe('package', () => {
  it('all installed → changed:false', async () => {
    const { p, probe } = await plan({ name: OVS }, packageAptReply('openvswitch-switch yes\nbridge-utils yes\n'));
    expect(p).toEqual({ changed: false, note: 'openvswitch-switch bridge-utils present (apt)' });
    expect(probe.ran[0]).toMatch(
      /^echo @@mgr; echo apt; echo @@installed; d=\$\{DPKG_ADMINDIR:-\/var\/lib\/dpkg\}; .* grep -x -F -A3 -e 'Package: openvswitch-switch' -e 'Package: bridge-utils' -- "\$d\/status"; fi; :$/,
    );
  });

  it('installs only the missing ones', async () => {
    const { p } = await plan({ name: OVS }, packageAptReply('openvswitch-switch no\nbridge-utils yes\n'));
    expect(stepsOf(p)).toEqual(['env DEBIAN_FRONTEND=noninteractive apt-get install -y -q openvswitch-switch']);
    expect(p.diff).toEqual([{ before: 'openvswitch-switch absent\n', after: 'openvswitch-switch installed\n' }]);
  });

  it('enablerepo/disablerepo go to dnf/yum (free-form too); an apt host fails the task as apt in Ansible would', async () => {
    const { p } = await plan({ name: 'git', enablerepo: 'epel,powertools' }, sectioned({ mgr: 'dnf', installed: 'git no\n' }), {
      ansible_pkg_mgr: 'dnf',
    });
    expect(stepsOf(p)).toEqual(['dnf install -y --enablerepo=epel --enablerepo=powertools git']);
    const onApt = await plan({ name: 'git', disablerepo: ['x'] }, packageAptReply('git no\n'));
    expect(onApt.p.failed).toMatch(/enablerepo\/disablerepo are dnf\/yum arguments/);
  });

  it('allow_downgrade is passed on to the manager, as Ansible passes it to apt or dnf', async () => {
    const { p } = await plan({ name: 'docker-ce', allow_downgrade: true }, packageAptReply('docker-ce no\n'));
    expect(stepsOf(p)).toEqual(['env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades docker-ce']);
    const dnf = await plan({ name: 'docker-ce', allow_downgrade: 'yes' }, sectioned({ mgr: 'dnf', installed: 'docker-ce no\n' }), {
      ansible_pkg_mgr: 'dnf',
    });
    expect(stepsOf(dnf.p)).toEqual(['dnf install -y --allowdowngrade docker-ce']);
  });

  it('the map form picks the names for the host manager (dnf)', async () => {
    const { p, probe } = await plan({ name: OVS }, sectioned({ mgr: 'dnf', installed: 'openvswitch no\n' }), { ansible_pkg_mgr: 'dnf' });
    expect(probe.ran[0]).toContain('for p in openvswitch; do rpm -q --quiet "$p"');
    expect(stepsOf(p)).toEqual(['dnf install -y openvswitch']);
  });

  it('without the fact, the one probe branches on the manager found', async () => {
    const { p, probe } = await plan(
      { name: OVS, update_cache: true },
      sectioned({ mgr: 'yum', installed: 'openvswitch yes\nbridge-utils no\n' }),
      {},
    );
    expect(probe.ran[0]).toMatch(
      /^if command -v apt-get >\/dev\/null 2>&1; then .*; elif command -v dnf .*; elif command -v yum .*; else echo @@mgr; echo unknown; fi$/,
    );
    expect(stepsOf(p)).toEqual(['yum -q makecache', 'yum install -y bridge-utils']);
  });

  it('update_cache with no name refreshes the lists only, as Ansible hands it to apt (or dnf); no name otherwise is refused', async () => {
    // the apt module's own probe: now, and the lists' age (10 s old)
    const probe = fakeProbe([[/^echo @@now/, sectioned({ now: '1000', stamp: '990' })]]);
    const p = await pkg.plan(pkg.parse({ update_cache: true }, at), probe, ctx({ ansible_pkg_mgr: 'apt' }));
    expect(p.failed).toBeUndefined();
    expect(stepsOf(p).join('\n')).toMatch(/apt-get .*update/);
    expect(() => pkg.parse({ state: 'present' }, at)).toThrow('missing required argument "name"');
  });

  it('a manager with no names (update_cache alone, or a map naming none for it) asks dpkg nothing: no grep without a pattern', () => {
    const probe = packageProbe(pkg.parse({ name: { dnf: ['openvswitch'] } }, at), undefined);
    const aptBranch = probe.slice(0, probe.indexOf('elif'));
    expect(aptBranch).not.toContain('grep');
    expect(aptBranch).toContain('echo @@mgr; echo apt');
  });

  it('absent removes only installed ones', async () => {
    const { p } = await plan({ name: ['docker.io', 'runc'], state: 'absent' }, packageAptReply('docker.io yes\nrunc no\n'));
    expect(stepsOf(p)).toEqual(['env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q docker.io']);
  });

  it('latest upgrades what apt would upgrade', async () => {
    const reply = sectioned({
      mgr: 'apt',
      installed: 'Package: bash\nEssential: yes\nStatus: install ok installed\n--\nPackage: curl\nStatus: install ok installed\n',
      upgradable: 'curl\n',
    });
    const { p, probe } = await plan({ name: ['bash', 'curl'], state: 'latest' }, reply);
    expect(probe.ran[0]).toContain(
      "echo @@upgradable; apt-get -s -q install bash curl 2>/dev/null | sed -n 's/^Inst \\([^ ]*\\) \\[.*/\\1/p'",
    );
    expect(stepsOf(p)).toEqual(['env DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl']);
  });

  it('no manager → failed', async () => {
    const { p } = await plan({ name: 'x' }, sectioned({ mgr: 'unknown' }), { ansible_pkg_mgr: 'unknown' });
    expect(p.failed).toMatch(/no supported package manager/);
  });

  it('version pins are queried by bare name', () => {
    const script = packageProbe(pkg.parse({ name: ['curl=7.88.1-10', 'libc6:amd64'] }, at), 'apt');
    expect(script).toContain('-- curl libc6 2>/dev/null;');
    expect(script).toContain("-e 'Package: curl' -e 'Package: libc6' --");
  });

  it('parse', () => {
    expect(() => pkg.parse({ name: { apk: ['x'] } }, at)).toThrow(/got key "apk"/);
    expect(() => pkg.parse({ name: 'x', use: 'pacman' }, at)).toThrow(/"use" must be one of auto, apt, dnf, yum/);
    expect(() => pkg.parse({ nam: 'x' }, at)).toThrow(/unknown argument "nam"/);
    expect(pkg.parse({ names_by_manager: { apt: 'a' } }, at).names).toEqual({ apt: ['a'], dnf: [], yum: [] });
  });

  // Skipped only on a machine without dpkg (not Debian): the query's shell text is checked above either way.
  it.skipIf(spawnSync('sh', ['-c', 'command -v dpkg-query']).status !== 0)(
    "the apt query, run by a real shell: dpkg's lines for the names it has, read as installed or not",
    () => {
      const out = execFileSync('sh', ['-c', queryScript('apt', ['no-such-package-xyz', 'dpkg', 'dpkg:amd64=1.0'], false)], {
        encoding: 'utf8',
      });
      expect(out).toMatch(/^@@mgr\napt\n@@installed\nPackage: dpkg\n(Essential: yes\n)?Status: install ok installed\n/);
      expect([...dpkgInstalled(out)]).toEqual(['dpkg']);
    },
  );

  // The status file read by awk says what dpkg-query says; with updates pending, dpkg-query (which applies them) answers.
  it.skipIf(spawnSync('sh', ['-c', 'command -v dpkg-query']).status !== 0)(
    'the status file and dpkg-query agree: installed, held, config-files, multi-arch, unknown; pending updates',
    () => {
      const admin = mkdtempSync(join(tmpdir(), 'rb-dpkg-'));
      mkdirSync(join(admin, 'updates'));
      const stanza = (name: string, status: string, extra = '') =>
        `Package: ${name}\nStatus: ${status}\n${extra}Maintainer: m\nVersion: 1\nArchitecture: amd64\nDescription: d\n Status: install ok installed\n`;
      writeFileSync(
        join(admin, 'status'),
        [
          stanza('aaa', 'install ok installed'),
          stanza('bbb', 'deinstall ok config-files'),
          stanza('libx', 'install ok installed', 'Multi-Arch: same\n'),
          stanza('held', 'hold ok installed'),
          stanza('half', 'install reinstreq half-installed'),
        ].join('\n'),
      );
      const names = ['aaa', 'bbb', 'libx', 'held', 'half', 'ccc', 'nope'];
      const run = (script: string) =>
        execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, DPKG_ADMINDIR: admin } });
      const oracle = () =>
        run(
          `dpkg-query -W -f='\${binary:Package} \${Status}\\n' -- ${names.join(' ')} 2>/dev/null | awk '/ installed$/ { sub(/:.*/, "", $1); print $1 }'`,
        );
      const yes = (out: string) => [...dpkgInstalled(out)];
      expect(yes(run(dpkgInstalledScript(names)))).toEqual(['aaa', 'libx', 'held']);
      expect(yes(run(dpkgInstalledScript(names))).sort()).toEqual(oracle().trim().split('\n').sort());
      writeFileSync(join(admin, 'updates', '0001'), stanza('ccc', 'install ok installed'));
      expect(yes(run(dpkgInstalledScript(names))).sort()).toEqual(['aaa', 'ccc', 'held', 'libx']);
      rmSync(admin, { recursive: true, force: true });
    },
  );
});

// Ansible's package passes every argument but use to the host's manager's module: purge, cache_valid_time, exclude…
describe('package: the backend’s own arguments', () => {
  const NOW = 1_800_000_000;
  const aptReply = sectioned({ now: String(NOW), stamp: '', status: 'nginx amd64 1.22 ii \n' });

  it('with the manager known (ansible_pkg_mgr), the task is apt’s at once: purge removes with --purge', async () => {
    const probe = fakeProbe([[/^echo @@now/, aptReply]]);
    const p = await pkg.plan(pkg.parse({ name: 'nginx', state: 'absent', purge: true }, at), probe, ctx({ ansible_pkg_mgr: 'apt' }));
    expect(probe.ran).toHaveLength(1);
    expect(stepsOf(p)).toEqual([
      'env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=60 --purge nginx',
    ]);
  });

  it('without the fact, package’s probe finds the manager first; the map form still picks its names', async () => {
    const probe = fakeProbe([
      [/^if command -v apt-get/, packageAptReply('nginx yes\n')],
      [/^echo @@now/, aptReply],
    ]);
    const p = await pkg.plan(pkg.parse({ name: { apt: ['nginx'], dnf: ['nginx-core'] }, cache_valid_time: 3600 }, at), probe, ctx({}));
    expect(probe.ran).toHaveLength(2);
    expect(p.changed).toBe(false);
  });

  it('an argument the host’s manager does not take fails the task, naming it (as Ansible’s Unsupported parameters)', async () => {
    const probe = fakeProbe([]);
    const p = await pkg.plan(pkg.parse({ name: 'nginx', purge: true, exclude: 'kernel*' }, at), probe, ctx({ ansible_pkg_mgr: 'apt' }));
    expect(p.failed).toBe('Unsupported parameters for (apt) module: exclude (package passes its arguments to apt on this host)');
    expect(probe.ran).toHaveLength(0);
  });

  it('an argument no manager takes is still refused at load', () => {
    expect(() => pkg.parse({ name: 'nginx', purg: true }, at)).toThrow(/unknown argument "purg"/);
  });
});
