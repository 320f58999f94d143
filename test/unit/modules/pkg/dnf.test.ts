// dnf/yum: table tests only — there is no dnf or yum on this Debian machine, so no end-to-end test.
import { describe, expect, test } from 'vitest';
import { dnf, yum } from '../../../../src/modules/pkg/dnf.js';
import { rpmQueryScript } from '../../../../src/modules/pkg/rpm-core.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from '../net/fake-probe.js';

const plan = async (mod: typeof dnf, args: object, reply: Record<string, string>) => {
  const probe = fakeProbe([[/./, sectioned(reply)]]);
  const p = await mod.plan(mod.parse(args, at), probe, ctx());
  expect(probe.ran).toHaveLength(1);
  return { p, probe };
};

describe('dnf and yum', () => {
  test.each([
    ['all installed', dnf, { name: ['openvswitch', 'bridge-utils'] }, { mgr: 'dnf', installed: 'openvswitch yes\nbridge-utils yes\n' }, []],
    [
      'missing ones, one call, repo flags',
      dnf,
      { name: ['openvswitch', 'bridge-utils'], enablerepo: 'epel', disablerepo: '*', disable_gpg_check: true },
      { mgr: 'dnf', installed: 'openvswitch no\nbridge-utils yes\n' },
      ["dnf install -y '--disablerepo=*' --enablerepo=epel --nogpgcheck openvswitch"],
    ],
    [
      'installed = present, removed = absent',
      yum,
      { name: 'httpd', state: 'removed' },
      { mgr: 'yum', installed: 'httpd yes\n' },
      ['yum remove -y httpd'],
    ],
    [
      'latest: install the missing, upgrade the outdated',
      dnf,
      { name: ['a', 'b', 'c'], state: 'latest' },
      { mgr: 'dnf', installed: 'a no\nb yes\nc yes\n', upgradable: 'b\n' },
      ['dnf install -y a', 'dnf upgrade -y b'],
    ],
    [
      'latest, update_only: no install',
      dnf,
      { name: ['a', 'b'], state: 'latest', update_only: true },
      { mgr: 'dnf', installed: 'a no\nb yes\n', upgradable: 'b\n' },
      ['dnf upgrade -y b'],
    ],
    [
      'update_cache with work: makecache first',
      yum,
      { name: 'x', update_cache: true },
      { mgr: 'yum', installed: 'x no\n' },
      ['yum -q makecache', 'yum install -y x'],
    ],
    ['update_cache, nothing to do: untouched', yum, { name: 'x', update_cache: true }, { mgr: 'yum', installed: 'x yes\n' }, []],
    ['autoremove alone', dnf, { autoremove: true }, { mgr: 'dnf', unneeded: 'libfoo-0:1.0-1.x86_64\n' }, ['dnf autoremove -y']],
    [
      'name "*" latest: one upgrade of everything',
      dnf,
      { name: '*', state: 'latest' },
      { mgr: 'dnf', upgradable: 'bash\nkernel\n' },
      ['dnf upgrade -y'],
    ],
    ['yum use_backend=dnf runs dnf', yum, { name: 'x', use_backend: 'dnf' }, { mgr: 'dnf', installed: 'x no\n' }, ['dnf install -y x']],
    [
      'weak deps off, exclude',
      dnf,
      { name: 'x', install_weak_deps: false, exclude: 'kernel*' },
      { mgr: 'dnf', installed: 'x no\n' },
      ["dnf install -y '--exclude=kernel*' --setopt=install_weak_deps=False x"],
    ],
  ] as const)('%s', async (_, mod, args, reply, steps) => {
    const { p } = await plan(mod as typeof dnf, args, reply);
    expect(p.failed).toBeUndefined();
    expect(stepsOf(p)).toEqual(steps);
    expect(p.changed).toBe(steps.length > 0);
  });

  test('the probe: rpm -q per name (rpm takes name, name-version, name.arch), a local .rpm by what it holds', async () => {
    const { probe } = await plan(
      dnf,
      { name: ['nginx', 'foo-1.2', '/tmp/x-1.0-1.noarch.rpm'], state: 'latest' },
      { mgr: 'dnf', installed: '' },
    );
    expect(probe.ran[0]).toContain(rpmQueryScript(['nginx', 'foo-1.2', '/tmp/x-1.0-1.noarch.rpm']));
    expect(probe.ran[0]).toContain(`for p in nginx foo-1.2; do rpm -q --quiet "$p"`);
    expect(probe.ran[0]).toContain('rpm -qp --qf \'%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\' "$f"');
    expect(probe.ran[0]).toContain("echo @@upgradable; dnf -q check-update nginx foo-1.2 /tmp/x-1.0-1.noarch.rpm 2>/dev/null | awk 'NF==3");
  });

  test('no dnf on the host: a clear failure', async () => {
    const { p } = await plan(dnf, { name: 'x' }, { mgr: 'missing' });
    expect(p.failed).toBe('dnf not found on the host');
  });

  test.each([
    [{ name: 'https://x/y.rpm' }, /is a URL/],
    [{ name: '@Development Tools' }, /groups/],
    [{ name: 'foo >= 1' }, /version comparisons/],
    [{ name: 'x.rpm' }, /path on the host/],
    [{ name: 'x', autoremove: true }, /autoremove with names needs state=absent/],
    [{ state: 'present' }, /give name/],
  ])('refused: %j', (args, msg) => {
    expect(() => dnf.parse(args, at)).toThrow(msg);
  });
});
