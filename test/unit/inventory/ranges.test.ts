import { describe, expect, test } from 'vitest';
import { parseHostPattern } from '../../../src/inventory/hostpattern.js';
import { parseIniValue } from '../../../src/inventory/ini-value.js';
import { inventoryError } from './helpers.js';

describe('host patterns', () => {
  test.each([
    ['web1', ['web1'], undefined],
    ['node[01:03]', ['node01', 'node02', 'node03'], undefined],
    ['node[1:3]', ['node1', 'node2', 'node3'], undefined],
    ['node[8:11]', ['node8', 'node9', 'node10', 'node11'], undefined],
    ['10.0.0.[1:3]', ['10.0.0.1', '10.0.0.2', '10.0.0.3'], undefined],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c'], undefined],
    ['n[0:6:3]', ['n0', 'n3', 'n6'], undefined],
    ['n[:2]', ['n0', 'n1', 'n2'], undefined],
    ['r[1:2]-[a:b]', ['r1-a', 'r1-b', 'r2-a', 'r2-b'], undefined],
    ['web1:2222', ['web1'], 2222],
    ['node[1:2]:22', ['node1', 'node2'], 22],
    ['[2001:db8::1]:22', ['2001:db8::1'], 22],
    ['2001:db8::1', ['2001:db8::1'], undefined],
  ])('%s', (text, names, port) => {
    expect(parseHostPattern(text)).toEqual({ names, port });
  });

  test.each([
    ['node[01:2]', '"01" and "2" have different widths'],
    ['node[5:1]', '5 is greater than 1'],
    ['node[1:]', 'the range has no end'],
    ['node[1-3]', 'expected start:end or start:end:step'],
    ['node[1:3', 'unmatched "["'],
    ['node]', 'unmatched "]"'],
    ['node[a:3]', '"a:3" is neither a number range nor a single-letter range'],
    ['node[c:a]', '"c" comes after "a"'],
    ['node[1:3:0]', 'step "0" is not a positive integer'],
  ])('%s is rejected: %s', (text, why) => {
    const e = inventoryError(() => parseHostPattern(text, { file: 'inv.ini', line: 7, col: 1 }));
    expect(e.message).toBe(`invalid host range in "${text}": ${why}`);
    expect(e.at).toEqual({ file: 'inv.ini', line: 7, col: 1 });
    expect(e.hint).toContain('[start:end]');
  });
});

describe('INI values (Python literals, as Ansible reads them)', () => {
  test.each([
    ['5', 5],
    ['-3', -3],
    ['1.5', 1.5],
    ['1e3', 1000],
    ['0x1F', 31],
    ['1_000', 1000],
    ['010', '010'],
    ['10.0.0.1', '10.0.0.1'],
    ['"quoted v"', 'quoted v'],
    ["'it\\'s'", "it's"],
    ['"5"', '5'],
    ['True', true],
    ['true', 'true'], // not a Python literal: stays text, as in ansible-inventory
    ['False', false],
    ['None', null],
    ['[1, "a", True]', [1, 'a', true]],
    ['(1, 2)', [1, 2]],
    ['{"a": 1, \'b\': [2]}', { a: 1, b: [2] }],
    ['hello world', 'hello world'],
    ['[1,', '[1,'],
    ['yes', 'yes'],
    ['', ''],
  ])('%s → %j', (raw, value) => {
    expect(parseIniValue(raw)).toEqual(value);
  });
});
