// service_facts: systemd's unit lists and SysV's status list read into ansible_facts.services, as Ansible names them.
import { describe, expect, it } from 'vitest';
import { service_facts, systemdServices, sysvServices } from '../../../../src/modules/system/service_facts.js';
import { at, ctx, fakeProbe, sectioned } from '../net/fake-probe.js';

describe('service_facts', () => {
  it('systemd: state from the unit list, status from the unit files', () => {
    const units =
      'cron.service loaded active running Regular background program processing daemon\nssh.service loaded inactive dead OpenBSD Secure Shell server\n● gone.service not-found inactive dead gone.service\n';
    const files = 'cron.service enabled enabled\nssh.service disabled enabled\nnever.service static -\n';
    expect(systemdServices(units, files)).toEqual({
      'cron.service': { name: 'cron.service', state: 'running', status: 'enabled', source: 'systemd' },
      'ssh.service': { name: 'ssh.service', state: 'stopped', status: 'disabled', source: 'systemd' },
      'gone.service': { name: 'gone.service', state: 'stopped', status: 'not-found', source: 'systemd' },
      'never.service': { name: 'never.service', state: 'stopped', status: 'static', source: 'systemd' },
    });
  });
  it('SysV: [ + ] running, [ - ] stopped, [ ? ] unknown', () => {
    expect(sysvServices(' [ + ]  cron\n [ - ]  ssh\n [ ? ]  hwclock.sh\n')).toEqual({
      cron: { name: 'cron', state: 'running', status: 'unknown', source: 'sysv' },
      ssh: { name: 'ssh', state: 'stopped', status: 'unknown', source: 'sysv' },
      'hwclock.sh': { name: 'hwclock.sh', state: 'unknown', status: 'unknown', source: 'sysv' },
    });
  });
  it('sets ansible_facts.services and services, never changed', async () => {
    const probe = fakeProbe([[/./, sectioned({ sysv: ' [ + ]  cron\n' })]]);
    const p = await service_facts.plan(service_facts.parse({}, at), probe, ctx({ ansible_facts: { os_family: 'Debian' } }));
    expect(p.changed).toBe(false);
    expect(p.facts).toEqual({
      services: { cron: { name: 'cron', state: 'running', status: 'unknown', source: 'sysv' } },
      ansible_facts: { os_family: 'Debian', services: { cron: { name: 'cron', state: 'running', status: 'unknown', source: 'sysv' } } },
    });
  });
});
