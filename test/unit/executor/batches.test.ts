import { describe, expect, it } from 'vitest';
import { batches } from '../../../src/executor/batches.js';
import { parseFacts } from '../../../src/executor/facts.js';
import { selectedByTags } from '../../../src/executor/tags.js';
import type { Task } from '../../../src/playbook/types.js';

const hosts = ['a', 'b', 'c', 'd', 'e'];

describe('serial batches', () => {
  it.each([
    [[], [['a', 'b', 'c', 'd', 'e']]],
    [[2], [['a', 'b'], ['c', 'd'], ['e']]],
    [[1, 2], [['a'], ['b', 'c'], ['d', 'e']]],
    [['40%'], [['a', 'b'], ['c', 'd'], ['e']]],
    [['10%'], [['a'], ['b'], ['c'], ['d'], ['e']]],
    [[1, '100%'], [['a'], ['b', 'c', 'd', 'e']]],
  ] as [(number | string)[], string[][]][])('serial %j', (serial, want) => {
    expect(batches(hosts, serial)).toEqual(want);
  });
});

const task = (tags: string[]): Task => ({ module: 'ping', args: {}, at: { file: 'x' }, when: [], loopVar: 'item', notify: [], tags, ignoreErrors: false, changedWhen: [], failedWhen: [], noLog: false, until: [], runOnce: false, vars: {}, listen: [] });

describe('tag selection', () => {
  it.each([
    [[], [], [], true],
    [['peers'], ['peers'], [], true],
    [['peers'], ['base'], [], false],
    [[], ['peers'], [], false],
    [['always'], ['peers'], [], true],
    [['always'], [], ['always'], false],
    [['never', 'debug'], [], [], false],
    [['never', 'debug'], ['debug'], [], true],
    [['peers'], [], ['peers'], false],
    [[], ['untagged'], [], true],
    [['x'], ['tagged'], [], true],
  ] as [string[], string[], string[], boolean][])('task %j with --tags %j --skip-tags %j → %s', (mine, tags, skip, want) => {
    expect(selectedByTags(task(mine), tags, skip)).toBe(want);
  });
});

describe('facts', () => {
  it('reads a Debian host in one script output', () => {
    const stdout = [
      '@@uname',
      'Linux h1 6.1.0 x86_64',
      '@@os',
      'NAME="Debian GNU/Linux"',
      'ID=debian',
      'VERSION_ID="12"',
      '@@bins',
      'apt-get',
      'ovs-vsctl',
      '@@systemd',
      '@@addr',
      '1: lo    inet 127.0.0.1/8 scope host lo',
      '2: eth0    inet 10.0.0.11/24 brd 10.0.0.255 scope global eth0',
      '@@user',
      'root',
    ].join('\n');
    const f = parseFacts({ code: 0, stdout, stderr: '' });
    expect(f).toMatchObject({
      ansible_hostname: 'h1',
      ansible_os_family: 'Debian',
      ansible_distribution: 'Debian',
      ansible_distribution_version: '12',
      ansible_pkg_mgr: 'apt',
      ansible_service_mgr: 'unknown',
      ansible_ipv4_addresses: ['10.0.0.11'],
      ansible_user_id: 'root',
    });
  });
  it('reads a Rocky host as RedHat with dnf', () => {
    const f = parseFacts({ code: 0, stdout: '@@uname\nLinux r1 5.14 x86_64\n@@os\nID="rocky"\nID_LIKE="rhel centos fedora"\nNAME="Rocky Linux"\n@@bins\ndnf\nyum\nsystemctl\n@@systemd\nyes\n', stderr: '' });
    expect(f).toMatchObject({ ansible_os_family: 'RedHat', ansible_pkg_mgr: 'dnf', ansible_service_mgr: 'systemd' });
  });
});
