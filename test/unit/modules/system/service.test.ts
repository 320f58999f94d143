import { describe, expect, it } from 'vitest';
import { service } from '../../../../src/modules/system/service.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from '../net/fake-probe.js';

// systemctl show's properties; is-enabled's answer only where the task asks about enabled (as the probe does)
const host = (active: string, enabled: string, systemctl = 'yes', booted = 'yes') =>
  sectioned({
    init: 'systemd',
    systemctl,
    booted,
    show: `LoadState=${loadState(enabled)}\nActiveState=${active}\nUnitFileState=${enabled}`,
    enabled,
  });
// what systemctl show says of a unit it has no file for, of a masked one, and of any other
const loadState = (enabled: string) => (enabled === '' ? 'not-found' : enabled.startsWith('masked') ? 'masked' : 'loaded');
const plan = async (args: object, reply: string) => {
  const probe = fakeProbe([[/^echo @@init; i=\$\(if \[ -d \/run\/systemd\/system \]/, reply]]);
  const p = await service.plan(service.parse({ name: 'docker', ...args }, at), probe, ctx());
  expect(probe.ran).toHaveLength(1);
  return p;
};

describe('service', () => {
  it.each([
    [{ state: 'started', enabled: true }, host('active', 'enabled')],
    [{ state: 'stopped', enabled: false }, host('inactive', 'disabled')],
    [{ enabled: true }, host('inactive', 'static')],
  ])('already %j → changed:false', async (args, reply) => {
    const p = await plan(args, reply);
    expect(p.changed).toBe(false);
    expect(p.steps).toBeUndefined();
  });

  it.each([
    [{ state: 'started', enabled: true }, host('inactive', 'disabled'), ['systemctl enable docker', 'systemctl start docker']],
    [{ state: 'stopped' }, host('active', 'enabled'), ['systemctl stop docker']],
    [{ state: 'restarted' }, host('active', 'enabled'), ['systemctl restart docker']],
    [{ state: 'reloaded' }, host('active', 'enabled'), ['systemctl reload docker']],
    [{ enabled: false }, host('active', 'enabled'), ['systemctl disable docker']],
  ])('%j → exact commands', async (args, reply, cmds) => {
    const p = await plan(args, reply);
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(cmds);
  });

  it('no systemctl → failed with a clear message', async () => {
    const p = await plan({ state: 'started' }, host('', '', 'no', 'no'));
    expect(p.failed).toBe('host has no systemd (systemctl not found): manage docker with shell or your init system');
  });

  it('systemctl installed but systemd not PID 1 (containers) → failed', async () => {
    const p = await plan({ state: 'restarted' }, host('', 'enabled', 'yes', 'no'));
    expect(p.failed).toBe('host has no systemd (systemd is not running as PID 1): manage docker with shell or your init system');
  });

  it('unknown unit and masked unit fail', async () => {
    expect((await plan({ state: 'started' }, host('inactive', ''))).failed).toBe('unit docker not found');
    expect((await plan({ state: 'started' }, host('inactive', 'masked'))).failed).toMatch(/masked: unmask it first/);
  });

  it('parse', () => {
    expect(() => service.parse({ name: 'docker' }, at)).toThrow(/give one of state, enabled, masked, daemon_reload, daemon_reexec/);
    expect(() => service.parse({ name: 'docker', state: 'start' }, at)).toThrow(/must be one of started, stopped, restarted, reloaded/);
  });
});

// Ansible's service action runs its systemd module on systemd hosts, with systemd's own arguments among the service's.
describe("service: systemd's own arguments", () => {
  it('daemon_reload with a state: systemctl daemon-reload, then the state', async () => {
    const p = await plan({ state: 'stopped', enabled: false, daemon_reload: true }, host('active', 'enabled'));
    expect(stepsOf(p)).toEqual(['systemctl daemon-reload', 'systemctl disable docker', 'systemctl stop docker']);
  });

  it('masked: stopped, disabled and masked, as the CIS roles write it', async () => {
    const p = await plan({ state: 'stopped', enabled: false, masked: true }, host('active', 'enabled'));
    expect(stepsOf(p)).toContain('systemctl mask docker');
  });

  it('a daemon_reload alone needs no unit (systemd host known from the fact)', async () => {
    const probe = fakeProbe([[/systemctl/, sectioned({ systemctl: 'yes', booted: 'yes' })]]);
    const p = await service.plan(service.parse({ daemon_reload: true }, at), probe, ctx({ ansible_service_mgr: 'systemd' }));
    expect(p).toMatchObject({ changed: false, always: [{ kind: 'exec', cmd: 'systemctl daemon-reload' }] });
  });

  it("on a SysV or OpenRC host they fail the task, naming them, as Ansible's sysvinit module refuses them", async () => {
    const probe = fakeProbe([[/^echo @@init/, sectioned({ init: 'sysvinit', script: 'yes', status: '0' })]]);
    const p = await service.plan(service.parse({ name: 'docker', state: 'started', daemon_reload: true }, at), probe, ctx());
    expect(p.failed).toBe(
      'Unsupported parameters for (sysvinit) module: daemon_reload (service passes them to systemd, and this host runs sysvinit)',
    );
    const bare = fakeProbe([[/^echo @@init/, sectioned({ init: 'openrc' })]]);
    expect((await service.plan(service.parse({ daemon_reload: true }, at), bare, ctx())).failed).toMatch(
      /^Unsupported parameters for \(openrc\) module: daemon_reload/,
    );
  });
});
