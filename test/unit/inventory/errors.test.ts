import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { FIX, inventoryError, rendered } from './helpers.js';

const E = `${FIX}/errors`;

describe('inventory errors name file:line:col and say what to do', () => {
  test.each([
    ['broken.yaml', `${E}/broken.yaml:5:5`, 'invalid YAML: Flow sequence in block collection', 'fix the YAML syntax'],
    ['hosts-list.yaml', `${E}/hosts-list.yaml:5:9`, '"hosts" of group "web" must be a map, not a list', 'hosts: { web1: , web2:'],
    ['host-scalar.yaml', `${E}/host-scalar.yaml:3:11`, 'host "web1" must be a map, not a scalar', '"web1: { ansible_host: 10.0.0.5 }"'],
    ['unknown-key.yaml', `${E}/unknown-key.yaml:4:7`, 'unknown key "host" in group "web"', 'did you mean "hosts"?'],
    ['bad-range.ini', `${E}/bad-range.ini:3:1`, 'invalid host range in "node[01:2]"', 'node[01:20]'],
    ['bad-section.ini', `${E}/bad-section.ini:1:1`, 'invalid section header [web servers]', 'no spaces'],
    ['bad-modifier.ini', `${E}/bad-modifier.ini:4:1`, 'unknown section type ":var" in [web:var]', 'did you mean "vars"?'],
    ['undefined-vars.ini', `${E}/undefined-vars.ini:4:1`, '[wbe:vars] is for group "wbe", which is never defined', 'did you mean "web"?'],
    ['undefined-child.ini', `${E}/undefined-child.ini:6:1`, '[prod:children] includes undefined group "dbs"', 'did you mean "db"?'],
    ['bad-hostvar.ini', `${E}/bad-hostvar.ini:2:28`, 'expected key=value after host "web1", got "oops"', 'key=value'],
    ['badvars', `${E}/badvars/group_vars/web.yaml:1:1`, 'group_vars/web.yaml must be a map, not a list', 'ntp_server: 10.0.0.1'],
  ])('%s', (file, where, message, hint) => {
    const e = inventoryError(() => loadInventory([`${E}/${file}`]));
    expect(rendered(e)).toContain(`${where}: `);
    expect(e.message).toContain(message);
    expect(e.hint).toContain(hint);
  });

  test.each([
    ['cycle.yaml', `${E}/cycle.yaml:9:17`, 'a -> b -> c -> a', 'remove "a" from the children of "c"'],
    ['cycle.ini', `${E}/cycle.ini:5:1`, 'a -> b -> a', 'remove "a" from the children of "b"'],
  ])('a cycle in children is named: %s', (file, where, cycle, hint) => {
    const e = inventoryError(() => loadInventory([`${E}/${file}`]));
    expect(rendered(e)).toBe(`${where}: group cycle in children: ${cycle}`);
    expect(e.hint).toBe(`a group cannot contain itself; ${hint}`);
  });

  test.each([
    ['conflict.ini', `${E}/conflict.ini:2:6`, `${E}/conflict.ini:4:6`],
    ['conflict.yaml', `${E}/conflict.yaml:6:11`, `${E}/conflict.yaml:10:11`],
  ])('one host given two values for a var in one file names both places: %s', (file, first, second) => {
    const e = inventoryError(() => loadInventory([`${E}/${file}`]));
    expect(e.message).toBe(`host "web1" sets "x" twice with different values: 1 at ${first} and 2 at ${second}`);
    expect(rendered(e).startsWith(`${second}: `)).toBe(true);
    expect(e.hint).toContain('keep a single definition of "x"');
  });

  test('the same value written twice is not a conflict', () => {
    const inv = loadInventory([`${E}/same-value.ini`]);
    expect(inv.hosts.get('web1')?.vars).toEqual({ x: 1 });
  });
});
