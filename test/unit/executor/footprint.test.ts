// What each module's plan reads and writes, and when a write stales a plan made ahead.
import { describe, expect, it } from 'vitest';
import { footprintOf, stale } from '../../../src/executor/footprint.js';

describe('footprints', () => {
  it.each([
    ['copy', { dest: '/etc/app.conf' }, ['file:/etc/app.conf'], ['file:/etc/app.conf']],
    ['ansible.builtin.template', { dest: '/etc/x/' }, ['file:/etc/x'], ['file:/etc/x']],
    ['copy', { dest: '/etc/b', src: '/etc/a', remote_src: true }, ['file:/etc/b', 'file:/etc/a'], ['file:/etc/b']],
    ['file', { path: 'relative/path' }, ['*'], ['*']],
    [
      'sysctl',
      { name: 'net.ipv4.ip_forward', file: '/etc/sysctl.d/99-runbook.conf' },
      ['file:/proc/sys/net/ipv4/ip_forward', 'file:/etc/sysctl.d/99-runbook.conf'],
      null,
    ],
    [
      'sysctl',
      { name: 'net.ipv6.conf.all.disable_ipv6', file: '/etc/sysctl.conf' },
      ['file:/proc/sys/net/ipv6/conf/all/disable_ipv6', 'file:/etc/sysctl.conf', 'net'],
      null,
    ],
    ['sysctl', { name: 'vm.swappiness', file: '/etc/sysctl.conf' }, ['file:/proc/sys/vm/swappiness', 'file:/etc/sysctl.conf'], null],
    ['route', {}, ['net'], ['net']],
    ['ovs_port', {}, ['ovs'], ['ovs', 'net']],
    ['ovs_bridge', {}, ['ovs'], ['ovs', 'net']],
    [
      'ovs_service',
      { db: '/etc/openvswitch/conf.db', rundir: '/run/openvswitch', logdir: '/var/log/openvswitch' },
      ['ovs', 'file:/etc/openvswitch/conf.db', 'file:/run/openvswitch', 'file:/var/log/openvswitch'],
      ['*'],
    ],
    ['apt', { name: ['x'] }, ['pkg'], ['*']],
    ['shell', { cmd: 'x' }, ['*'], ['*']],
    ['service', { name: 'docker' }, ['*'], ['*']],
  ])('%s %j reads %j', (module, args, reads, writes) => {
    const f = footprintOf(module, args);
    expect(f.reads).toEqual(reads);
    expect(f.writes).toEqual(writes ?? reads);
  });

  it.each([
    [['file:/etc/a'], ['file:/etc/b'], false],
    [['file:/etc/a'], ['file:/etc/a'], true],
    [['file:/etc/app/x.conf'], ['file:/etc/app'], true],
    [['file:/etc/app'], ['file:/etc/app/x.conf'], true],
    [['file:/etc/app2'], ['file:/etc/app'], false],
    [['file:/x'], ['file:/'], true],
    [['net'], ['ovs'], false],
    [['net'], ['ovs', 'net'], true],
    [['pkg'], ['*'], true],
    [['*'], ['file:/tmp/z'], true],
  ])('a plan reading %j after writes of %j is stale: %s', (reads, writes, want) => {
    expect(stale(reads, new Set(writes))).toBe(want);
  });
});
