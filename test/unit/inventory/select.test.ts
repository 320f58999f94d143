import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { selectHosts } from '../../../src/inventory/select.js';
import { FIX, inventoryError } from './helpers.js';

describe('selectHosts', () => {
  const inv = loadInventory([`${FIX}/patterns/hosts.ini`]);
  const ALL = ['h1', 'h2', 'h3', 'h4', 'h5', 'edge.example.com', 'gw.example.com'];

  test.each([
    ['all', ALL],
    ['*', ALL],
    ['web', ['h1', 'h2', 'h3']],
    ['prod', ['h1', 'h2', 'h3', 'h4', 'h5']],
    ['h2', ['h2']],
    ['web:db', ['h1', 'h2', 'h3', 'h4', 'h5']],
    ['db,web', ['h1', 'h2', 'h3', 'h4', 'h5']],
    ['edge:h2', ['h2', 'edge.example.com', 'gw.example.com']],
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
