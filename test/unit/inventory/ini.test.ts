import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { groupsMap, hostVars } from '../../../src/inventory/vars.js';
import { FIX } from './helpers.js';

describe('INI inventory', () => {
  const inv = loadInventory([`${FIX}/ini/hosts.ini`]);

  test('sections, ranges, host:port and hosts before any section', () => {
    expect(groupsMap(inv)).toEqual({
      all: ['jump.example.com', 'web1', 'web2', 'node01', 'node02', 'node03', 'db-a', 'db-b', '10.0.0.1', '10.0.0.2'],
      ungrouped: ['jump.example.com'],
      web: ['web1', 'web2', 'node01', 'node02', 'node03'],
      db: ['db-a', 'db-b', '10.0.0.1', '10.0.0.2'],
      prod: ['web1', 'web2', 'node01', 'node02', 'node03', 'db-a', 'db-b', '10.0.0.1', '10.0.0.2'],
    });
    expect(inv.hosts.get('web2')?.vars).toEqual({ ansible_port: 2222 });
  });

  test.each([
    ['jump.example.com', 'ansible_user', 'admin'],
    ['web1', 'http_port', 8080],
    ['web1', 'ansible_host', '10.0.1.1'],
    ['node02', 'rack', 'r 1'],
    ['node02', 'zero', '007'],
    ['db-a', 'ansible_become', true],
    ['db-b', 'max_conn', 100],
    ['db-b', 'ratio', 0.5],
    ['db-b', 'ports', [80, 443]],
    // as ansible-inventory (shlex): an unquoted # ends the line, also inside a word
    ['db-b', 'pass', 'ab'],
    ['web2', 'http_port', 80],
    ['web2', 'motd', 'hello world'],
    // as ansible-inventory: Python's literal_eval reads True, not true
    ['web2', 'flag', 'true'],
    ['web2', 'list', [1, 2, 'three']],
    ['web2', 'plain', 'just text'],
    ['10.0.0.2', 'env', 'prod'],
  ])('%s: %s = %j', (host, key, value) => {
    expect(hostVars(inv, host)[key]).toEqual(value);
  });

  test('a quoted # is kept, an unquoted one ends the line (as ansible-inventory)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-ini-hash-'));
    writeFileSync(join(dir, 'h.ini'), "h1 pw='ab#c' x=1\nh2 pw=ab#c x=1\n");
    const inv = loadInventory([join(dir, 'h.ini')]);
    expect([inv.hosts.get('h1')?.vars, inv.hosts.get('h2')?.vars]).toEqual([{ pw: 'ab#c', x: 1 }, { pw: 'ab' }]);
  });

  test('an inline comment ends the host line', () => {
    expect(Object.keys(inv.hosts.get('web1')?.vars ?? {})).toEqual(['ansible_host', 'http_port']);
  });

  test('group vars stay on the group, host vars on the host', () => {
    expect(inv.groups.get('web')?.vars).toMatchObject({ http_port: 80, motd: 'hello world' });
    expect(inv.groups.get('prod')?.vars).toEqual({ env: 'prod' });
    expect(inv.hosts.get('web1')?.vars.http_port).toBe(8080);
  });
});
