import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { selectHosts } from '../../../src/inventory/select.js';
import { FIX, inventoryError } from './helpers.js';

describe('selectHosts', () => {
  const inv = loadInventory([`${FIX}/patterns/hosts.ini`]);
  // Ansible's order (checked with `ansible <pattern> --list-hosts`): a group's own hosts, then its children's.
  const ALL = ['h1', 'h3', 'h4', 'h5', 'edge.example.com', 'gw.example.com', 'h2'];

  test.each([
    ['all', ALL],
    ['*', ALL],
    ['web', ['h1', 'h2', 'h3']],
    ['prod', ['h1', 'h2', 'h3', 'h4', 'h5']],
    ['h2', ['h2']],
    ['web:db', ['h1', 'h2', 'h3', 'h4', 'h5']],
    ['db,web', ['h4', 'h5', 'h1', 'h2', 'h3']],
    ['edge:h2', ['edge.example.com', 'gw.example.com', 'h2']],
    ['web:web:h1', ['h1', 'h2', 'h3']],
    ['web:!h2', ['h1', 'h3']],
    ['mesh:&web', ['h1', 'h3']],
    ['mesh:&web:!h3', ['h1']],
    ['!h3:mesh:&web', ['h1']],
    ['!web', ['h4', 'h5', 'edge.example.com', 'gw.example.com']],
    ['&db', ['h4', 'h5']],
    ['web:&db', []],
    ['h*', ['h1', 'h2', 'h3', 'h4', 'h5']],
    ['*.example.com', ['edge.example.com', 'gw.example.com']],
    ['h[!12]', ['h3', 'h4', 'h5']],
    ['~h[12]$', ['h1', 'h2']],
    ['m*:!h?', []],
    ['web[0]', ['h1']],
    ['web[-1]', ['h3']],
    ['web[0:1]', ['h1', 'h2']],
    ['web[1:]', ['h2', 'h3']],
    [' web , db ', ['h1', 'h2', 'h3', 'h4', 'h5']],
  ])('%s', (pattern, hosts) => {
    expect(selectHosts(inv, pattern)).toEqual(hosts);
  });

  test.each([
    ['webb', 'webb', 'did you mean "web"?'],
    ['db:!nosuch', 'nosuch', 'groups are: all, ungrouped, web, db, mesh, edge, prod'],
    ['zz*', 'zz*', 'groups are:'],
    ['mesh:&h9', 'h9', 'did you mean "h1"?'],
    ['localhots', 'localhots', 'groups are:'],
  ])('%s → unknown host or group', (pattern, term, hint) => {
    const e = inventoryError(() => selectHosts(inv, pattern));
    expect(e.message).toBe(`unknown host or group "${term}"`);
    expect(e.hint).toContain(hint);
  });

  test('an empty pattern is refused rather than read as "all"', () => {
    expect(inventoryError(() => selectHosts(inv, '  ')).hint).toContain('use "all"');
  });
});

// Expected lists are what `ansible -i <file> '<pattern>' --list-hosts` prints (ansible-core 2.14): a group's own hosts
// come before its children's, level by level, and a union keeps the order of its terms.
describe.each([
  [
    'children.ini',
    [
      ['web', ['w1', 'w2', 'a1', 'a2', 'd1', 'd2']],
      ['web[0]', ['w1']],
      ['web[2]', ['a1']],
      ['web[1:3]', ['w2', 'a1', 'a2']],
      ['web[-1]', ['d2']],
      ['all', ['w1', 'w2', 'l1', 'a1', 'a2', 'd1', 'd2']],
      ['all[0:2]', ['w1', 'w2', 'l1']],
      ['lb:web', ['l1', 'w1', 'w2', 'a1', 'a2', 'd1', 'd2']],
      ['db:web[0]', ['d1', 'd2', 'w1']],
    ],
  ],
  [
    'children.yml',
    [
      ['web', ['w1', 'w2', 'd1', 'd2', 'a1', 'a2']],
      ['web[2]', ['d1']],
      ['web[-1]', ['a2']],
      ['all[0:2]', ['top1', 'w1', 'w2']],
      ['all', ['top1', 'w1', 'w2', 'd1', 'd2', 'a1', 'a2']],
    ],
  ],
] as const)('subscripts on a group with children, in Ansible’s order (%s)', (file, cases) => {
  const inv = loadInventory([`${FIX}/patterns/${file}`]);
  test.each(cases)('%s', (pattern, hosts) => {
    expect(selectHosts(inv, pattern)).toEqual(hosts);
  });
});

describe('implicit localhost', () => {
  test('hosts: localhost runs on the controller when the inventory does not list it, and stays out of all', async () => {
    const { loadInventory } = await import('../../../src/inventory/load.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'rb-lh-'));
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  hosts: {h1: {}}\n');
    const inv = loadInventory([join(dir, 'inv.yaml')]);
    expect(selectHosts(inv, 'localhost')).toEqual(['localhost']);
    expect(inv.hosts.get('localhost')?.vars).toEqual({ ansible_connection: 'local' });
    expect(selectHosts(inv, 'all')).toEqual(['h1']);
    expect(selectHosts(inv, '*')).toEqual(['h1']);
    expect(() => selectHosts(inv, 'localhots')).toThrow(/unknown host or group/);
  });
});
