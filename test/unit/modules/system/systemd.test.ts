import { describe, expect, it } from 'vitest';
import { service } from '../../../../src/modules/system/service.js';
import { systemd } from '../../../../src/modules/system/systemd.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from '../net/fake-probe.js';

const sd = (active: string, enabled: string, show = 'LoadState=loaded\nActiveState=' + active) =>
  sectioned({ systemctl: 'yes', booted: 'yes', show, enabled });
const planSd = async (a: object, reply: string) => {
  const probe = fakeProbe([[/^echo @@systemctl/, reply]]);
  return systemd.plan(systemd.parse(a, at), probe, ctx());
};

describe('systemd', () => {
  it.each([
    [{ name: 'docker', masked: true }, sd('inactive', 'disabled'), ['systemctl mask docker']],
    [
      { name: 'docker', masked: false, state: 'started' },
      sd('inactive', 'masked', 'LoadState=masked'),
      ['systemctl unmask docker', 'systemctl start docker'],
    ],
    [{ name: 'docker', state: 'started', no_block: true }, sd('inactive', 'enabled'), ['systemctl --no-block start docker']],
    [{ name: 'docker', enabled: true, force: true }, sd('inactive', 'disabled'), ['systemctl enable --force docker']],
    [{ name: 'docker', enabled: true, scope: 'user' }, sd('inactive', 'disabled'), ['systemctl --user enable docker']],
    [
      { name: 'docker', state: 'restarted', daemon_reload: true },
      sd('active', 'enabled'),
      ['systemctl daemon-reload', 'systemctl restart docker'],
    ],
  ])('%j → %j', async (a, reply, cmds) => {
    const p = await planSd(a, reply);
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(cmds);
  });

  it('reads the unit with one systemctl show, and asks is-enabled only when the task sets enabled', async () => {
    const ran = async (a: object) => {
      const probe = fakeProbe([[/^echo @@systemctl/, sd('active', 'enabled')]]);
      await systemd.plan(systemd.parse(a, at), probe, ctx());
      return probe.ran.join('\n');
    };
    const restart = await ran({ name: 'docker', state: 'restarted' });
    expect(restart).toContain('systemctl show docker');
    expect(restart).not.toMatch(/is-active|is-enabled/);
    expect(await ran({ name: 'docker', enabled: true })).toContain('systemctl is-enabled docker');
  });

  it('a unit already running is left alone: ActiveState from show', async () => {
    expect((await planSd({ name: 'docker', state: 'started' }, sd('active', 'enabled'))).changed).toBe(false);
    expect(stepsOf(await planSd({ name: 'docker', state: 'started' }, sd('inactive', 'enabled')))).toEqual(['systemctl start docker']);
  });

  it('daemon_reload alone runs but leaves the task ok', async () => {
    const p = await planSd({ daemon_reload: true }, sectioned({ systemctl: 'yes', booted: 'yes' }));
    expect(p.changed).toBe(false);
    expect(p.always?.map((s) => (s.kind === 'exec' ? s.cmd : ''))).toEqual(['systemctl daemon-reload']);
    const q = await planSd({ name: 'docker', state: 'started', daemon_reload: true }, sd('active', 'enabled'));
    expect(q.changed).toBe(false);
    expect(q.always).toHaveLength(1);
  });

  it('result carries name, state, enabled and the show properties as status', async () => {
    const p = await planSd({ name: 'docker', state: 'started', enabled: true }, sd('active', 'enabled'));
    expect(p.result).toEqual({ name: 'docker', state: 'started', enabled: true, status: { LoadState: 'loaded', ActiveState: 'active' } });
  });

  it('a missing unit, a masked unit asked to start, and bad arguments', async () => {
    expect((await planSd({ name: 'nope', state: 'started' }, sd('inactive', '', 'LoadState=not-found'))).failed).toBe(
      'Could not find the requested service nope: host',
    );
    expect((await planSd({ name: 'docker', state: 'started' }, sd('inactive', 'masked'))).failed).toMatch(/is masked/);
    expect(() => systemd.parse({ state: 'started' }, at)).toThrow(/required by 'state': name/);
    expect(() => systemd.parse({ name: 'x', state: 'started', scope: 'global' }, at)).toThrow(/scope: global/);
    expect(() => systemd.parse({ name: 'x' }, at)).toThrow(/give one of state, enabled, masked/);
  });
});

describe('service on SysV and OpenRC hosts', () => {
  const sysv = (status: string, slinks = '', klinks = '', tool = 'update-rc.d') =>
    sectioned({ init: 'sysvinit', script: 'yes', status, tool, slinks, klinks, chkconfig: '' });
  const plan = async (a: object, reply: string) => {
    const probe = fakeProbe([[/^echo @@init/, reply]]);
    const p = await service.plan(service.parse({ name: 'msysd', ...a }, at), probe, ctx());
    expect(probe.ran).toHaveLength(1);
    return p;
  };
  it.each([
    [{ state: 'started', enabled: true }, sysv('3'), ['/etc/init.d/msysd start', 'update-rc.d msysd defaults', 'update-rc.d msysd enable']],
    [{ enabled: true }, sysv('0', '', '/etc/rc0.d/K01msysd'), ['update-rc.d msysd enable']],
    [{ state: 'stopped', enabled: false }, sysv('0', '/etc/rc2.d/S01msysd'), ['/etc/init.d/msysd stop', 'update-rc.d msysd disable']],
    [{ state: 'restarted', sleep: 2 }, sysv('0'), ['/etc/init.d/msysd stop', 'sleep 2', '/etc/init.d/msysd start']],
    [{ state: 'restarted', arguments: '--fast "a b"' }, sysv('0'), ["/etc/init.d/msysd restart --fast 'a b'"]],
    [
      { enabled: true },
      sectioned({
        init: 'sysvinit',
        script: 'yes',
        status: '0',
        tool: 'chkconfig',
        slinks: '',
        klinks: '',
        chkconfig: 'msysd 0:off 1:off 2:off',
      }),
      ['chkconfig msysd on'],
    ],
    [
      { state: 'started', enabled: true },
      sectioned({ init: 'openrc', script: 'yes', status: '3', runlevel: '' }),
      ['rc-service msysd start', 'rc-update add msysd default'],
    ],
  ])('%j → %j', async (a, reply, cmds) => {
    const p = await plan(a, reply);
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(cmds);
  });
  it.each([
    [{ state: 'started', enabled: true }, sysv('0', '/etc/rc2.d/S01msysd')],
    [{ state: 'stopped', enabled: false }, sysv('3', '', '/etc/rc0.d/K01msysd')],
    [{ state: 'started', enabled: true }, sectioned({ init: 'openrc', script: 'yes', status: '0', runlevel: 'yes' })],
  ])('already %j → unchanged', async (a, reply) => {
    expect((await plan(a, reply)).changed).toBe(false);
  });
  it('a missing init script fails; use: sysvinit skips detection', async () => {
    expect(
      (await plan({ state: 'started' }, sectioned({ init: 'sysvinit', script: '', status: '4', tool: 'update-rc.d' }))).failed,
    ).toMatch(/no \/etc\/init.d\/msysd/);
    const probe = fakeProbe([[/^echo @@init; echo sysvinit/, sysv('0')]]);
    await service.plan(service.parse({ name: 'msysd', state: 'started', use: 'sysvinit' }, at), probe, ctx());
    expect(probe.ran[0]).not.toContain('/run/systemd/system');
  });
});
