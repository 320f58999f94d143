import { describe, expect, it } from 'vitest';
import { batches } from '../../../src/executor/batches.js';
import { selectedByTags } from '../../../src/executor/tags.js';
import type { Task } from '../../../src/playbook/types.js';

const hosts = ['a', 'b', 'c', 'd', 'e'];

describe('serial batches', () => {
  it.each([
    [[], [['a', 'b', 'c', 'd', 'e']]],
    [[2], [['a', 'b'], ['c', 'd'], ['e']]],
    [
      [1, 2],
      [['a'], ['b', 'c'], ['d', 'e']],
    ],
    [['40%'], [['a', 'b'], ['c', 'd'], ['e']]],
    [['10%'], [['a'], ['b'], ['c'], ['d'], ['e']]],
    [
      [1, '100%'],
      [['a'], ['b', 'c', 'd', 'e']],
    ],
  ] as [(number | string)[], string[][]][])('serial %j', (serial, want) => {
    expect(batches(hosts, serial)).toEqual(want);
  });
});

const task = (tags: string[]): Task => ({
  module: 'ping',
  args: {},
  at: { file: 'x' },
  when: [],
  loopVar: 'item',
  notify: [],
  tags,
  ignoreErrors: false,
  changedWhen: [],
  failedWhen: [],
  noLog: false,
  until: [],
  runOnce: false,
  vars: {},
  listen: [],
});

describe('tag selection', () => {
  it.each([
    [[], [], [], true],
    [['peers'], ['peers'], [], true],
    [['peers'], ['base'], [], false],
    [[], ['peers'], [], false],
    [['always'], ['peers'], [], true],
    [['always'], [], ['always'], false],
    [['never', 'debug'], [], [], false],
    [['never', 'debug'], ['debug'], [], true],
    [['peers'], [], ['peers'], false],
    [[], ['untagged'], [], true],
    [['x'], ['tagged'], [], true],
  ] as [string[], string[], string[], boolean][])('task %j with --tags %j --skip-tags %j → %s', (mine, tags, skip, want) => {
    expect(selectedByTags(task(mine), tags, skip)).toBe(want);
  });
});
