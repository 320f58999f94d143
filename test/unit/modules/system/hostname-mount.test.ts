import { describe, expect, it } from 'vitest';
import { hostname } from '../../../../src/modules/system/hostname.js';
import { mount, nextFstab } from '../../../../src/modules/system/mount.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from '../net/fake-probe.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const STAT = [/stat -L/, 'file 644 root root 0 0 10 0000\ndir 755 root root 0 0 4096\n'] as [RegExp, string];

describe('hostname', () => {
  const plan = async (a: object, parts: Record<string, string>) => {
    const probe = fakeProbe([STAT, [/^echo @@strategy/, sectioned(parts)]]);
    return hostname.plan(hostname.parse(a, at), probe, ctx());
  };
  it('generic: /etc/hostname written and the running name set', async () => {
    const p = await plan({ name: 'web1', use: 'generic' }, { strategy: 'generic', current: 'old', 'file-etc-hostname': b64('old\n') });
    expect(stepsOf(p)).toEqual(['upload /etc/hostname', 'hostname web1']);
    expect(p.facts).toMatchObject({ ansible_hostname: 'web1', ansible_nodename: 'web1' });
  });
  it('systemd: hostnamectl, transient and static', async () => {
    const p = await plan({ name: 'web1.example.com' }, { strategy: 'systemd', current: 'old', static: 'old', pretty: '' });
    expect(stepsOf(p)).toEqual([
      'hostnamectl --transient set-hostname web1.example.com',
      'hostnamectl --pretty --static set-hostname web1.example.com',
    ]);
    expect(p.result).toMatchObject({
      name: 'web1.example.com',
      ansible_facts: { ansible_hostname: 'web1', ansible_domain: 'example.com' },
    });
  });
  it('redhat: the HOSTNAME= line of /etc/sysconfig/network', async () => {
    const p = await plan(
      { name: 'web1', use: 'redhat' },
      { strategy: 'redhat', current: 'web1', 'file-etc-sysconfig-network': b64('NETWORKING=yes\nHOSTNAME=old\n') },
    );
    expect(p.steps?.[0]).toMatchObject({ dest: '/etc/sysconfig/network', content: Buffer.from('NETWORKING=yes\nHOSTNAME=web1\n') });
  });
  it('already set → unchanged', async () => {
    expect(
      (await plan({ name: 'web1', use: 'debian' }, { strategy: 'debian', current: 'web1', 'file-etc-hostname': b64('web1\n') })).changed,
    ).toBe(false);
    expect((await plan({ name: 'web1' }, { strategy: 'systemd', current: 'web1', static: 'web1', pretty: '' })).changed).toBe(false);
  });
});

describe('mount', () => {
  const P = (a: object) => mount.parse({ path: '/mnt/x', src: 'tmpfs', fstype: 'tmpfs', ...a }, at);
  const plan = async (a: object, fstab: string | undefined, mounted: boolean, dir = true) => {
    const parts: Record<string, string> = {};
    if (fstab !== undefined) parts.fstab = b64(fstab);
    parts.mounted = mounted ? 'tmpfs /mnt/x tmpfs rw 0 0' : '';
    parts.dir = dir ? 'yes' : '';
    const probe = fakeProbe([STAT, [/^if \[ -f \/etc\/fstab \]/, sectioned(parts)]]);
    return mount.plan(P(a), probe, ctx());
  };
  it('fstab lines: added, rewritten in place, escaped, removed', () => {
    expect(nextFstab('# c\n', P({ state: 'present', opts: 'size=8m' }), false)).toBe('# c\ntmpfs /mnt/x tmpfs size=8m 0 0\n');
    expect(nextFstab('a /mnt/x ext4 ro 0 0\nb /y ext4 defaults 0 0\n', P({ state: 'present' }), false)).toBe(
      'tmpfs /mnt/x tmpfs defaults 0 0\nb /y ext4 defaults 0 0\n',
    );
    expect(nextFstab('', mount.parse({ path: '/mnt/a b', src: 'tmpfs', fstype: 'tmpfs', state: 'present' }, at), false)).toBe(
      'tmpfs /mnt/a\\040b tmpfs defaults 0 0\n',
    );
    expect(nextFstab('tmpfs /mnt/x tmpfs defaults 0 0\n', P({ state: 'absent' }), true)).toBe('');
    expect(P({ state: 'present', boot: false }).opts).toBe('noauto');
  });
  it.each([
    [{ state: 'mounted' }, '', false, false, ['upload /etc/fstab', 'mkdir -p /mnt/x', 'mount /mnt/x']],
    [
      { state: 'mounted', opts: 'size=1m' },
      'tmpfs /mnt/x tmpfs defaults 0 0\n',
      true,
      true,
      ['upload /etc/fstab', 'mount -o remount /mnt/x || { umount /mnt/x && mount /mnt/x; }'],
    ],
    [{ state: 'mounted', fstab: '/etc/fstab.alt' }, undefined, false, true, []],
    [{ state: 'present' }, '', true, true, ['upload /etc/fstab']],
    [{ state: 'unmounted' }, 'tmpfs /mnt/x tmpfs defaults 0 0\n', true, true, ['umount /mnt/x']],
    [
      { state: 'absent' },
      'tmpfs /mnt/x tmpfs defaults 0 0\n',
      true,
      true,
      ['umount /mnt/x', 'upload /etc/fstab', 'rmdir /mnt/x 2>/dev/null || true'],
    ],
    [{ state: 'remounted' }, '', true, true, ['mount -o remount /mnt/x || { umount /mnt/x && mount /mnt/x; }']],
  ])('%j', async (a, fstab, mounted, dir, cmds) => {
    if ((a as { fstab?: string }).fstab) return; // probe regex is for /etc/fstab; the -T form is covered below
    const p = await plan(a, fstab, mounted, dir);
    expect(stepsOf(p)).toEqual(cmds);
  });
  it('unchanged when fstab and the mount agree; remounted on an unmounted path fails', async () => {
    expect((await plan({ state: 'mounted' }, 'tmpfs /mnt/x tmpfs defaults 0 0\n', true)).changed).toBe(false);
    expect((await plan({ state: 'absent' }, '# nothing\n', false)).changed).toBe(false);
    expect((await plan({ state: 'remounted' }, '', false)).failed).toMatch(/not mounted/);
  });
  it('another fstab is passed to mount with -T', async () => {
    const probe = fakeProbe([STAT, [/^if \[ -f \/etc\/fstab.alt \]/, sectioned({ fstab: b64(''), mounted: '', dir: 'yes' })]]);
    const p = await mount.plan(P({ state: 'mounted', fstab: '/etc/fstab.alt' }), probe, ctx());
    expect(stepsOf(p)).toEqual(['upload /etc/fstab.alt', 'mount -T /etc/fstab.alt /mnt/x']);
  });
  it('needs src and fstype for mounted/present', () => {
    expect(() => mount.parse({ path: '/mnt/x', state: 'mounted' }, at)).toThrow(/src/);
  });
});
