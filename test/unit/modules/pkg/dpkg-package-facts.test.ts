// dpkg_selections and package_facts: scripted dpkg/rpm/apk replies in, planned commands and facts out.
import { describe, expect, it } from 'vitest';
import { dpkgSelections } from '../../../../src/modules/pkg/dpkg-selections.js';
import { packageFacts, parsePackages } from '../../../../src/modules/pkg/package-facts.js';
import { at, fakeCtx, fakeProbe } from '../fake-probe.js';

describe('dpkg_selections', () => {
  const plan = (args: object, out: string) => {
    const probe = fakeProbe([[/^LC_ALL=C dpkg --get-selections /, out]]);
    return dpkgSelections.plan(dpkgSelections.parse(args, at), probe, fakeCtx());
  };

  it('install → hold: one dpkg --set-selections, the line on stdin', async () => {
    const p = await plan({ name: 'docker-ce', selection: 'hold' }, 'docker-ce\t\t\t\t\tinstall\n');
    expect(p.changed).toBe(true);
    expect(p.steps).toEqual([{ kind: 'exec', cmd: 'dpkg --set-selections', stdin: 'docker-ce hold' }]);
    expect(p.result).toEqual({ before: 'install', after: 'hold' });
    expect(p.diff).toEqual([{ before: 'docker-ce install\n', after: 'docker-ce hold\n' }]);
  });

  it('already so → nothing; an unknown package is "not present", as Ansible says', async () => {
    expect((await plan({ name: 'bash', selection: 'install' }, 'bash\t\t\tinstall\n')).changed).toBe(false);
    const p = await plan({ name: 'nosuch', selection: 'purge' }, '');
    expect(p.result).toEqual({ before: 'not present', after: 'purge' });
    expect(p.changed).toBe(true);
  });

  it('a selection dpkg does not have is refused at load', () => {
    expect(() => dpkgSelections.parse({ name: 'x', selection: 'keep' }, at)).toThrow(/selection/);
  });
});

describe('package_facts', () => {
  it('dpkg-query lines: installed ones only, as python-apt lists them', () => {
    const text =
      'ii \tbash\t5.2.15-2+b8\tamd64\tshells\n' +
      'hi \tdocker-ce\t5:24.0.7-1\tamd64\tadmin\n' +
      'rc \tgone\t1.0\tall\tmisc\n' +
      'un \tnever\t\t\t\n' +
      'ii \tlibc6:i386\t2.36-9\ti386\tlibs\n';
    expect(parsePackages('apt', text)).toEqual({
      bash: [{ name: 'bash', version: '5.2.15-2+b8', arch: 'amd64', category: 'shells', origin: '', source: 'apt' }],
      'docker-ce': [{ name: 'docker-ce', version: '5:24.0.7-1', arch: 'amd64', category: 'admin', origin: '', source: 'apt' }],
      'libc6:i386': [{ name: 'libc6:i386', version: '2.36-9', arch: 'i386', category: 'libs', origin: '', source: 'apt' }],
    });
  });

  it('rpm: a name installed twice is two entries; no epoch is null', () => {
    expect(
      parsePackages('rpm', 'kernel\t5.14.0\t1.el9\t(none)\tx86_64\nkernel\t5.14.0\t2.el9\t(none)\tx86_64\nbind\t9.16\t1\t32\tx86_64\n'),
    ).toEqual({
      kernel: [
        { name: 'kernel', version: '5.14.0', release: '1.el9', epoch: null, arch: 'x86_64', source: 'rpm' },
        { name: 'kernel', version: '5.14.0', release: '2.el9', epoch: null, arch: 'x86_64', source: 'rpm' },
      ],
      bind: [{ name: 'bind', version: '9.16', release: '1', epoch: '32', arch: 'x86_64', source: 'rpm' }],
    });
  });

  it('apk info -v: name-version-rN', () => {
    expect(parsePackages('apk', 'musl-1.2.4-r2\nca-certificates-bundle-20230506-r0\n')).toEqual({
      musl: [{ name: 'musl', version: '1.2.4-r2', source: 'apk' }],
      'ca-certificates-bundle': [{ name: 'ca-certificates-bundle', version: '20230506-r0', source: 'apk' }],
    });
  });

  it('auto: one probe for every manager; the first found answers (strategy first)', async () => {
    const probe = fakeProbe([[/@@apt/, '@@apt\nii \tbash\t5.2\tamd64\tshells\n@@rpm\nbash\t5.1\t1\t(none)\tx86_64\n@@apk\n']]);
    const p = await packageFacts.plan(packageFacts.parse({}, at), probe, fakeCtx());
    expect(probe.commands).toHaveLength(1);
    expect(p.facts?.packages).toEqual({
      bash: [{ name: 'bash', version: '5.2', arch: 'amd64', category: 'shells', origin: '', source: 'apt' }],
    });
    const all = await packageFacts.plan(packageFacts.parse({ strategy: 'all' }, at), probe, fakeCtx());
    expect((all.facts as { packages: Record<string, unknown[]> }).packages.bash).toEqual([
      { name: 'bash', version: '5.1', release: '1', epoch: null, arch: 'x86_64', source: 'rpm' },
    ]);
  });

  it('none found fails; a manager runbook does not read, or an unknown one, is refused at load', async () => {
    const probe = fakeProbe([[/@@apt/, '@@apt\n@@rpm\n@@apk\n']]);
    expect((await packageFacts.plan(packageFacts.parse({}, at), probe, fakeCtx())).failed).toMatch(
      /^Could not detect a supported package manager/,
    );
    expect(() => packageFacts.parse({ manager: 'portage' }, at)).toThrow("runbook does not read portage's packages");
    expect(() => packageFacts.parse({ manager: ['nope'] }, at)).toThrow('unknown package manager "nope"');
  });
});
