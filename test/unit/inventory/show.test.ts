import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { describeInventory } from '../../../src/inventory/show.js';
import { FIX, inventoryError } from './helpers.js';

describe('describeInventory', () => {
  const inv = loadInventory([`${FIX}/ini/hosts.ini`]);

  test('graph, like ansible-inventory --graph', () => {
    expect(describeInventory(inv, 'graph')).toBe(
      [
        '@all:',
        '  |--@prod:',
        '  |  |--@db:',
        '  |  |  |--10.0.0.1',
        '  |  |  |--10.0.0.2',
        '  |  |  |--db-a',
        '  |  |  |--db-b',
        '  |  |--@web:',
        '  |  |  |--node01',
        '  |  |  |--node02',
        '  |  |  |--node03',
        '  |  |  |--web1',
        '  |  |  |--web2',
        '  |--@ungrouped:',
        '  |  |--jump.example.com',
      ].join('\n'),
    );
  });

  test('list, like ansible-inventory --list', () => {
    const out = JSON.parse(describeInventory(inv, 'list'));
    expect(Object.keys(out)).toEqual(['_meta', 'all', 'db', 'prod', 'ungrouped', 'web']);
    expect(out.all).toEqual({ children: ['ungrouped', 'prod'] });
    expect(out.prod).toEqual({ children: ['web', 'db'] });
    expect(out.web).toEqual({ hosts: ['web1', 'web2', 'node01', 'node02', 'node03'] });
    expect(out.ungrouped).toEqual({ hosts: ['jump.example.com'] });
    expect(out._meta.hostvars['jump.example.com']).toEqual({ ansible_user: 'admin' });
    expect(out._meta.hostvars['10.0.0.1']).toEqual({ env: 'prod' });
    expect(out._meta.hostvars.web1).toEqual({
      ansible_host: '10.0.1.1',
      env: 'prod',
      flag: 'true',
      http_port: 8080,
      list: [1, 2, 'three'],
      motd: 'hello world',
      plain: 'just text',
    });
  });

  test('list leaves out empty groups but keeps them among all.children, as Ansible does', () => {
    const out = JSON.parse(describeInventory(loadInventory([`${FIX}/precedence.yaml`]), 'list'));
    expect(out.ungrouped).toBeUndefined();
    expect(out.all.children).toContain('ungrouped');
  });

  test('one host: resolved vars with magic vars, keys sorted', () => {
    const text = describeInventory(inv, 'list', 'db-a');
    expect(JSON.parse(text)).toEqual({
      ansible_become: true,
      env: 'prod',
      group_names: ['db', 'prod'],
      inventory_hostname: 'db-a',
      inventory_hostname_short: 'db-a',
      max_conn: 100,
      pass: 'ab',
      ports: [80, 443],
      ratio: 0.5,
    });
    expect(Object.keys(JSON.parse(text))[0]).toBe('ansible_become');
  });

  test('an unknown host is an error with a suggestion', () => {
    const e = inventoryError(() => describeInventory(inv, 'list', 'db-c'));
    expect(e.message).toBe('unknown host "db-c"');
    expect(e.hint).toMatch(/did you mean "db-[ab]"\?/);
  });
});

describe('masked secrets in --list / --host', () => {
  test('a secret number is printed as a quoted mask, so the JSON stays valid', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { addSecret } = await import('../../../src/vault/secrets.js');
    const dir = mkdtempSync(join(tmpdir(), 'rb-show-'));
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  hosts: {h1: {mongo_admin_pass: 27182818, port: 271828180, note: "pw 27182818"}}\n');
    addSecret(27182818);
    const inv = loadInventory([join(dir, 'inv.yaml')]);
    const list = JSON.parse(describeInventory(inv, 'list'));
    expect(list._meta.hostvars.h1).toEqual({ mongo_admin_pass: '********', port: 271828180, note: 'pw ********' });
    expect(JSON.parse(describeInventory(inv, 'list', 'h1'))).toMatchObject({ mongo_admin_pass: '********' });
  });
});
