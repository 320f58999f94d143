import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { groupNames, hostVars, inventoryVars } from '../../../src/inventory/vars.js';
import { FIX } from './helpers.js';

describe('variable precedence', () => {
  const inv = loadInventory([`${FIX}/precedence.yaml`]);

  test.each([
    ['only all sets it', 'h1', 'a_only', 'all'],
    ['parent beats all', 'h1', 'p', 'parent'],
    ['child beats parent', 'h1', 'c', 'child'],
    ['host beats child', 'h1', 'h', 'host'],
    ['host beats everything', 'h1', 'level', 'host'],
    ['deeper group beats siblings at depth 1, whatever their names', 'h2', 'level', 'child'],
    ['same depth: alphabetical, later wins (beta over alpha, though alpha is written later)', 'h2', 'sib', 'beta'],
    ['same depth: zeta over alpha and beta', 'h3', 'sib', 'zeta'],
    ['a var only one sibling sets survives', 'h3', 'only_alpha', 1],
    ['depth beats name: aaa (depth 2) over zzz (depth 1)', 'h4', 'sib', 'aaa'],
    ['ansible_group_priority beats name at equal depth', 'h5', 'sib', 'low'],
  ])('%s', (_why, host, key, value) => {
    expect(hostVars(inv, host)[key]).toEqual(value);
  });

  test('top-level keys replace, they are not deep-merged', () => {
    const merged = loadInventory([`${FIX}/yaml/hosts.yaml`]);
    merged.groups.get('all')!.vars.opts = { a: 1, b: 2 };
    merged.groups.get('web')!.vars.opts = { b: 3 };
    expect(hostVars(merged, 'web2').opts).toEqual({ b: 3 });
  });

  test('magic vars', () => {
    const v = hostVars(loadInventory([`${FIX}/yaml/hosts.yaml`]), 'bastion.example.com');
    expect(v.inventory_hostname).toBe('bastion.example.com');
    expect(v.inventory_hostname_short).toBe('bastion');
    expect(v.group_names).toEqual([]);
    expect(groupNames(inv, 'h2')).toEqual(['alpha', 'beta', 'child', 'parent']);
  });

  test('inventoryVars has no magic vars and hides ansible_group_priority', () => {
    expect(inventoryVars(inv, 'h5')).toEqual({ level: 'all', a_only: 'all', p: 'all', c: 'all', h: 'all', sib: 'low' });
  });

  test('the result is a copy: changing it does not change the inventory', () => {
    const v = hostVars(inv, 'h1');
    v.level = 'changed';
    expect(hostVars(inv, 'h1').level).toBe('host');
  });
});
