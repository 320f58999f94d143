import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { groupNames, groupsMap, hostVars } from '../../../src/inventory/vars.js';
import { FIX } from './helpers.js';

describe('YAML inventory', () => {
  const inv = loadInventory([`${FIX}/yaml/hosts.yaml`]);

  test('hosts in definition order, ranges expanded, a host under several groups kept once', () => {
    expect([...inv.hosts.keys()]).toEqual(['bastion.example.com', 'web1', 'web2', 'web03', 'web04', 'db1']);
  });

  test('groups, children and the implicit all/ungrouped', () => {
    expect(groupsMap(inv)).toEqual({
      all: ['bastion.example.com', 'web1', 'web2', 'web03', 'web04', 'db1'],
      ungrouped: ['bastion.example.com'],
      web: ['web1', 'web2', 'web03', 'web04'],
      db: ['db1', 'web1'],
      prod: ['web1', 'web2', 'web03', 'web04', 'db1'],
    });
    expect([...(inv.groups.get('prod')?.children ?? [])]).toEqual(['web', 'db']);
    expect(groupNames(inv, 'web1')).toEqual(['db', 'prod', 'web']);
  });

  test('records where each group and host was first written', () => {
    expect(inv.groups.get('web')?.at).toEqual({ file: `${FIX}/yaml/hosts.yaml`, line: 8, col: 5 });
    expect(inv.hosts.get('web1')?.at).toEqual({ file: `${FIX}/yaml/hosts.yaml`, line: 10, col: 9 });
  });

  test('connection vars are kept as ordinary vars, with YAML types', () => {
    expect(hostVars(inv, 'db1')).toMatchObject({
      ansible_user: 'postgres',
      ansible_become: true,
      ansible_connection: 'ssh',
      ansible_password: 's3cret',
      env: 'prod',
      ntp: '10.0.0.1',
    });
    expect(hostVars(inv, 'web1')).toMatchObject({
      ansible_host: '10.0.1.1',
      ansible_port: 2222,
      ansible_ssh_private_key_file: '~/.ssh/web',
      http_port: 80,
    });
  });

  test('a host key with a null value is a host without vars', () => {
    expect(inv.hosts.get('web2')?.vars).toEqual({});
    expect(inv.hosts.get('web03')?.vars).toEqual({});
  });
});
