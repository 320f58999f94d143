import { describe, expect, it } from 'vitest';
import { sysctl, withLine } from '../../../../src/modules/net/sysctl.js';
import { at, ctx, fakeProbe, type Reply, sectioned, statDir, statFile, stepsOf } from './fake-probe.js';

const FILE = '/etc/sysctl.d/99-runbook.conf';
const plan = async (args: object, reply: Reply, stat?: string) => {
  const probe = fakeProbe([
    [/^echo @@value; sysctl -n /, reply],
    ...(stat ? [[/^if \[ -e /, `${stat}\n${statDir}\n`] as [RegExp, Reply]] : []),
  ]);
  const p = await sysctl.plan(sysctl.parse(args, at), probe, ctx());
  return { p, probe };
};
const fwd = { name: 'net.ipv4.ip_forward', value: 1 };

describe('sysctl', () => {
  it('runtime and file match → changed:false; the file stat goes out with the value probe, before its answer', async () => {
    const { p, probe } = await plan(fwd, sectioned({ value: '1', file: '# keep\nnet.ipv4.ip_forward = 1\n' }), statFile());
    expect(p).toEqual({ changed: false, note: 'net.ipv4.ip_forward = 1' });
    expect(probe.ran).toHaveLength(2);
    expect(probe.ran[0]).toMatch(/^if \[ -e \/etc\/sysctl\.d\/99-runbook\.conf \] \|\| \[ -e \/etc\/sysctl\.d \]/);
    expect(probe.ran.slice(1)).toEqual([
      `echo @@value; sysctl -n net.ipv4.ip_forward; if [ -f ${FILE} ]; then echo @@file; while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done < ${FILE}; fi`,
    ]);
  });

  it('multi-value keys compare by words (sysctl prints tabs)', async () => {
    const args = { name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' };
    const { p } = await plan(args, sectioned({ value: '4096\t87380\t6291456', file: 'net.ipv4.tcp_rmem = 4096 87380 6291456\n' }));
    expect(p.changed).toBe(false);
  });

  it('neither set → sysctl -w and the file created', async () => {
    const { p } = await plan(fwd, sectioned({ value: '0' }), 'absent');
    expect(stepsOf(p)).toEqual(['sysctl -w net.ipv4.ip_forward=1', `upload ${FILE}`]);
    const up = p.steps?.[1];
    expect(up?.kind === 'upload' && up.content.toString()).toBe('net.ipv4.ip_forward = 1\n');
    expect(p.diff?.[0]).toEqual({ before: 'net.ipv4.ip_forward = 0\n', after: 'net.ipv4.ip_forward = 1\n' });
  });

  it('runtime drift only → only sysctl -w', async () => {
    const { p } = await plan(fwd, sectioned({ value: '0', file: 'net.ipv4.ip_forward=1\n' }));
    expect(stepsOf(p)).toEqual(['sysctl -w net.ipv4.ip_forward=1']);
  });

  it('reload: false → file only', async () => {
    const { p } = await plan({ ...fwd, reload: false }, sectioned({ value: '0', file: 'vm.swappiness = 10\n' }), statFile('644'));
    expect(stepsOf(p)).toEqual([`upload ${FILE}`]);
    const up = p.steps?.[0];
    expect(up?.kind === 'upload' && up.content.toString()).toBe('vm.swappiness = 10\nnet.ipv4.ip_forward = 1\n');
    expect(up).toMatchObject({ mode: '0644' });
    expect(up).not.toHaveProperty('owner');
  });

  it('absent → line removed, runtime untouched', async () => {
    const { p } = await plan(
      { name: 'net.ipv4.ip_forward', state: 'absent' },
      sectioned({ value: '1', file: 'a = 1\nnet.ipv4.ip_forward = 1\n' }),
      statFile(),
    );
    const up = p.steps?.[0];
    expect(stepsOf(p)).toEqual([`upload ${FILE}`]);
    expect(up?.kind === 'upload' && up.content.toString()).toBe('a = 1\n');
  });

  it('unknown key → failed with sysctl message', async () => {
    const { p } = await plan(
      { name: 'net.nope', value: 1 },
      { stdout: sectioned({ value: '' }), stderr: 'sysctl: cannot stat /proc/sys/net/nope: No such file or directory\n', code: 255 },
    );
    expect(p.failed).toBe('unknown kernel parameter net.nope: sysctl: cannot stat /proc/sys/net/nope: No such file or directory');
  });

  it("Ansible's sysctl_set: the running value is checked and set even with reload: false", async () => {
    const { p } = await plan({ ...fwd, reload: false, sysctl_set: true }, sectioned({ value: '0', file: 'net.ipv4.ip_forward = 1\n' }));
    expect(stepsOf(p)).toEqual(['sysctl -w net.ipv4.ip_forward=1']);
  });

  it("Ansible's ignoreerrors: a key this kernel lacks goes to the file only, and the task does not fail", async () => {
    const { p } = await plan(
      { name: 'net.nope', value: 1, ignoreerrors: true, sysctl_set: true },
      { stdout: sectioned({ value: '' }), stderr: 'sysctl: cannot stat /proc/sys/net/nope: No such file or directory\n', code: 255 },
      'absent',
    );
    expect(p.failed).toBeUndefined();
    expect(stepsOf(p)).toEqual([`upload ${FILE}`]);
    const up = p.steps?.[0];
    expect(up?.kind === 'upload' && up.content.toString()).toBe('net.nope = 1\n');
  });

  it('withLine rewrites the first matching line, drops duplicates, keeps comments', () => {
    expect(withLine('# x\nnet/ipv4/ip_forward=0\nfoo = 1\nnet.ipv4.ip_forward = 0\n', 'net.ipv4.ip_forward', '1')).toBe(
      '# x\nnet.ipv4.ip_forward = 1\nfoo = 1\n',
    );
  });

  it('withLine keeps a matching line in its own format', () => {
    expect(withLine('net.ipv4.ip_forward=1\n', 'net.ipv4.ip_forward', '1')).toBe('net.ipv4.ip_forward=1\n');
    expect(withLine('a = 1\nnet.ipv4.ip_forward = 1\n', 'net.ipv4.ip_forward', undefined)).toBe('a = 1\n');
  });

  it('parse', () => {
    expect(sysctl.parse({ name: 'net.ipv4.ip_forward', value: true }, at).value).toBe('1');
    expect(() => sysctl.parse({ name: 'x' }, at)).toThrow(/missing required argument "value"/);
    expect(() => sysctl.parse({ name: 'x', value: 1, sysctl_fil: 'y' }, at)).toThrow(/unknown argument "sysctl_fil"/);
  });
});
