import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { groupsMap, hostVars } from '../../../src/inventory/vars.js';
import { FIX } from './helpers.js';

describe('inventory directory', () => {
  const inv = loadInventory([`${FIX}/dir`]);

  test('every inventory file in it is read (README.md is not), in name order', () => {
    expect([...inv.hosts.keys()]).toEqual(['cache1', 'web1', 'web2', 'db1']);
    expect(groupsMap(inv).cache).toEqual(['cache1']);
  });

  test.each([
    ['group_vars/all.yml', 'web2', 'ntp', '10.0.0.1'],
    ['group_vars/web.yaml', 'web1', 'http_port', 80],
    ['group_vars/db/ folder', 'db1', 'db_port', 5432],
    ['group_vars/db/ folder, later file wins', 'db1', 'shared', 'from-zz'],
    ['group_vars/cache.json', 'cache1', 'cache_size', 64],
    ['host_vars/web1.yaml beats inline host var', 'web1', 'role', 'from-host-vars'],
    ['host_vars/db1/ folder', 'db1', 'ansible_user', 'pg'],
    ['group var when no host var', 'web2', 'role', 'from-all'],
  ])('%s', (_what, host, key, value) => {
    expect(hostVars(inv, host)[key]).toEqual(value);
  });

  test('var files for unknown groups or hosts are ignored, not turned into entries', () => {
    expect(inv.groups.has('nosuch')).toBe(false);
    expect(inv.hosts.has('ghost')).toBe(false);
    expect(hostVars(inv, 'web1').x).toBeUndefined();
  });

  test('group_vars next to an inventory file apply too', () => {
    const single = loadInventory([`${FIX}/dir/hosts.yaml`]);
    expect(hostVars(single, 'web1')).toMatchObject({ http_port: 80, role: 'from-host-vars' });
    expect(single.hosts.has('cache1')).toBe(false);
  });
});
