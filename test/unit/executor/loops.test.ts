// with_* lookups, loop_control variables, host order and the remote_user rule.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { loopItems } from '../../../src/executor/item.js';
import { expandLookup, loopInfo, sequence } from '../../../src/executor/loops.js';
import { orderHosts, withRemoteUser } from '../../../src/executor/remote-user.js';
import { loopVarsOf } from '../../../src/executor/task.js';
import { bareTask } from '../../../src/playbook/task.js';
import { writeTree } from '../playbook/helpers.js';

const at = { file: 'site.yml', line: 3, col: 7 };
const ctx = { at, baseDir: '/nonexistent' };

describe('with_* lookups', () => {
  it.each<[string, unknown, unknown[]]>([
    ['items', [['a', 'b'], 'c', [['d']]], ['a', 'b', 'c', ['d']]],
    ['items', 'one', ['one']],
    ['list', [['a', 'b'], 'c'], [['a', 'b'], 'c']],
    [
      'indexed_items',
      ['a', ['b', 'c']],
      [
        [0, 'a'],
        [1, 'b'],
        [2, 'c'],
      ],
    ],
    [
      'dict',
      { a: 1, b: { x: 2 } },
      [
        { key: 'a', value: 1 },
        { key: 'b', value: { x: 2 } },
      ],
    ],
    [
      'together',
      [
        ['a', 'b', 'c'],
        [1, 2],
      ],
      [
        ['a', 1],
        ['b', 2],
        ['c', null],
      ],
    ],
    [
      'nested',
      [
        ['a', 'b'],
        [1, 2],
      ],
      [
        ['a', 1],
        ['a', 2],
        ['b', 1],
        ['b', 2],
      ],
    ],
    [
      'cartesian',
      [['a'], [1, 2], ['x']],
      [
        ['a', 1, 'x'],
        ['a', 2, 'x'],
      ],
    ],
    [
      'nested',
      [[['a', 'b'], 'c'], [1]],
      [
        ['a', 'b', 1],
        ['c', 1],
      ],
    ],
  ])('with_%s %j', (lookup, terms, want) => {
    expect(expandLookup(lookup as never, terms, ctx)).toEqual(want);
  });

  const users = [
    { name: 'alice', keys: ['k1', 'k2'], mysql: { privs: ['a'] } },
    { name: 'bob', keys: ['k3'] },
  ];
  it('with_subelements pairs each element with each of its subitems', () => {
    expect(expandLookup('subelements', [users, 'keys'], ctx)).toEqual([
      [users[0], 'k1'],
      [users[0], 'k2'],
      [users[1], 'k3'],
    ]);
  });
  it('with_subelements: a dotted key, skip_missing, and a dict of elements', () => {
    expect(expandLookup('subelements', [users, 'mysql.privs', { skip_missing: true }], ctx)).toEqual([[users[0], 'a']]);
    expect(expandLookup('subelements', [{ a: users[1] }, 'keys'], ctx)).toEqual([[users[1], 'k3']]);
  });
  it('with_subelements: a missing key fails without skip_missing', () => {
    expect(() => expandLookup('subelements', [users, 'mysql.privs'], ctx)).toThrow(/could not find "mysql"/);
  });

  it.each<[string, string[]]>([
    ['start=1 end=5', ['1', '2', '3', '4', '5']],
    ['start=0 end=32 format=testuser%02x stride=8', ['testuser00', 'testuser08', 'testuser10', 'testuser18', 'testuser20']],
    ['start=4 end=16 stride=4', ['4', '8', '12', '16']],
    ['count=4', ['1', '2', '3', '4']],
    ['start=10 end=0 stride=-5', ['10', '5', '0']],
    ['start=1 count=3 stride=2', ['1', '3', '5']],
    ['count=0', []],
    ['4', ['1', '2', '3', '4']],
    ['2-10/2', ['2', '4', '6', '8', '10']],
    ['5-7:host%02d', ['host05', 'host06', 'host07']],
    ['start=0x0a end=0x0c', ['10', '11', '12']],
  ])('with_sequence %s', (term, want) => expect(sequence(term, ctx)).toEqual(want));
  it.each([
    ['start=5 end=1', /to count backwards make stride negative/],
    ['start=1 end=5 count=2', /can't specify both count and end/],
    ['start=1', /must specify count or end/],
    ['end=3 format=%d%d', /bad formatting string/],
    ['end=x', /can't parse end=x as integer/],
  ])('with_sequence %s is refused', (term, msg) => {
    expect(() => sequence(term, ctx)).toThrow(msg);
    expect(() => sequence(term, ctx)).toThrow(RunbookError);
  });

  const dir = writeTree({
    'files/a.conf': 'a',
    'files/b.conf': 'b',
    'files/c.txt': 'c',
    'files/conf.d/x.conf': 'x',
    'roles/web/files/own.conf': 'o',
    'files/default.yml': 'd',
  });
  mkdirSync(join(dir, 'files', 'dir.conf'));
  writeFileSync(join(dir, 'other.conf'), 'o');
  const fctx = { at, baseDir: dir };

  it("with_fileglob: files (not folders) matching in the playbook's files/, sorted, absolute", () => {
    expect(expandLookup('fileglob', '*.conf', fctx)).toEqual([join(dir, 'files/a.conf'), join(dir, 'files/b.conf')]);
    expect(expandLookup('fileglob', ['conf.d/*.conf', 'nothing/*'], fctx)).toEqual([join(dir, 'files/conf.d/x.conf')]);
    expect(expandLookup('fileglob', `${dir}/*.conf`, fctx)).toEqual([join(dir, 'other.conf')]);
    expect(expandLookup('fileglob', '*.conf', { ...fctx, roleDir: join(dir, 'roles/web') })).toEqual([
      join(dir, 'roles/web/files/own.conf'),
    ]);
  });

  it('with_first_found: the first existing candidate; files/paths; skip', () => {
    expect(expandLookup('first_found', ['missing.yml', 'default.yml'], fctx)).toEqual([join(dir, 'files/default.yml')]);
    expect(expandLookup('first_found', [{ files: 'x.conf,y.conf', paths: ['nope', 'conf.d'] }], fctx)).toEqual([
      join(dir, 'files/conf.d/x.conf'),
    ]);
    expect(expandLookup('first_found', [{ files: ['missing'], skip: true }], fctx)).toEqual([]);
    expect(() => expandLookup('first_found', ['missing.yml'], fctx)).toThrow(/with_first_found: no file was found among missing.yml/);
  });

  it("with_file: each file's content, trailing whitespace stripped; a missing one is an error naming it", () => {
    expect(expandLookup('file', ['a.conf', 'conf.d/x.conf'], fctx)).toEqual(['a', 'x']);
    expect(() => expandLookup('file', 'nope.pub', fctx)).toThrow(/with_file: could not find "nope.pub"/);
  });

  it("with_inventory_hostnames and lookup('inventory_hostnames'): host patterns over `groups`, as ansible-playbook answers", () => {
    // the answers ansible-playbook 2.14 gave for this inventory ([web] w1 w2, [db] d1, [app:children] web)
    const groups = { all: ['w1', 'w2', 'd1'], ungrouped: [], web: ['w1', 'w2'], db: ['d1'], app: ['w1', 'w2'] };
    const ctx = { ...fctx, groups };
    expect(expandLookup('inventory_hostnames', 'all:!db', ctx)).toEqual(['w1', 'w2']);
    expect(expandLookup('inventory_hostnames', ['app', 'db'], ctx)).toEqual(['w1', 'w2', 'd1']);
    expect(expandLookup('inventory_hostnames', 'web[0]', ctx)).toEqual(['w1']);
    expect(expandLookup('inventory_hostnames', 'nosuch', ctx)).toEqual([]);
    // a term that names nothing picks nothing, the rest still counts (the ansible-oracle's "all:!nosuch")
    expect(expandLookup('inventory_hostnames', 'all:!nosuch', ctx)).toEqual(['w1', 'w2', 'd1']);
    const t = { ...bareTask('debug', { msg: 'x' }, at), loop: "{{ query('inventory_hostnames', 'web:&app') }}" };
    expect(loopItems(t, { groups })).toEqual(['w1', 'w2']);
  });

  it('loopItems renders the terms, then expands them; a bare string is a literal term', () => {
    const t = { ...bareTask('debug', { msg: 'x' }, at), loop: ['{{ a }}', 'c'], loopLookup: 'items' as const };
    expect(loopItems(t, { a: ['x', 'y'] })).toEqual(['x', 'y', 'c']);
    expect(loopItems({ ...t, loop: 'packages' }, { packages: [1] })).toEqual(['packages']);
    expect(loopItems({ ...t, loop: '{{ d }}', loopLookup: 'dict' }, { d: { k: 'v' } })).toEqual([{ key: 'k', value: 'v' }]);
  });
});

describe('loop_control', () => {
  const items = ['a', 'b', 'c'];
  it('extended: ansible_loop as in Ansible', () => {
    expect(loopInfo(items, 0, true)).toEqual({
      index: 1,
      index0: 0,
      first: true,
      last: false,
      length: 3,
      revindex: 3,
      revindex0: 2,
      allitems: items,
      nextitem: 'b',
    });
    expect(loopInfo(items, 2, false)).toEqual({
      index: 3,
      index0: 2,
      first: false,
      last: true,
      length: 3,
      revindex: 1,
      revindex0: 0,
      previtem: 'b',
    });
  });
  it('loop_var, index_var and ansible_loop per item', () => {
    const t = { ...bareTask('debug', {}, at), loopVar: 'pkg', loopControl: { indexVar: 'i', extended: true } };
    const v = loopVarsOf(t, items, 1);
    expect(v).toMatchObject({ pkg: 'b', ansible_loop_var: 'pkg', i: 1, ansible_index_var: 'i' });
    expect((v.ansible_loop as Record<string, unknown>).index).toBe(2);
    expect(loopVarsOf(bareTask('debug', {}, at), items, 0)).toEqual({ item: 'a', ansible_loop_var: 'item' });
  });
});

describe('host order and the SSH user', () => {
  const hosts = ['web2', 'db1', 'web10'];
  it.each([
    [undefined, hosts],
    ['inventory', hosts],
    ['reverse_inventory', ['web10', 'db1', 'web2']],
    ['sorted', ['db1', 'web10', 'web2']],
    ['reverse_sorted', ['web2', 'web10', 'db1']],
  ] as const)('order: %s', (order, want) => expect(orderHosts(hosts, order)).toEqual(want));
  it('order: shuffle keeps every host', () => expect(orderHosts(hosts, 'shuffle', () => 0.5).sort()).toEqual([...hosts].sort()));

  it('a variable (ansible_user, ansible_ssh_user) beats the remote_user keyword; the keyword applies otherwise', () => {
    expect(withRemoteUser({ ansible_user: 'inv' }, 'kw')).toEqual({ ansible_user: 'inv' });
    expect(withRemoteUser({ ansible_ssh_user: 'old' }, 'kw')).toEqual({ ansible_ssh_user: 'old', ansible_user: 'old' });
    expect(withRemoteUser({}, 'kw')).toEqual({ ansible_user: 'kw' });
    expect(withRemoteUser({}, undefined)).toEqual({});
  });
});
