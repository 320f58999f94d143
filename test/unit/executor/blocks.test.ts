// block / rescue / always on one host, as a table: which tasks fail in, which tasks run and how the host ends.
import { describe, expect, it } from 'vitest';
import { blockAllows, blockFailure, newBlockState, rescuable } from '../../../src/executor/blocks.js';
import { bareTask } from '../../../src/playbook/task.js';
import type { BlockRef, Task } from '../../../src/playbook/types.js';

const at = { file: 'site.yml', line: 1 };
const task = (name: string, ...blocks: BlockRef[]): Task => ({ ...bareTask('shell', { _raw: 'true' }, at, name), ...(blocks.length ? { blocks } : {}) });
const ref = (id: number, section: BlockRef['section'], hasRescue: boolean, hasAlways: boolean): BlockRef => ({ id, section, hasRescue, hasAlways });

/** Runs the tasks in order on one host; `fails` names the tasks that fail. */
function walk(tasks: Task[], fails: string[]): { ran: string[]; failed: boolean; rescued: number } {
  const s = newBlockState();
  let failed = false;
  let rescued = 0;
  const ran: string[] = [];
  for (const t of tasks) {
    if (!blockAllows(t, s, failed)) continue;
    ran.push(t.name as string);
    if (!fails.includes(t.name as string)) continue;
    if (blockFailure(t, s)) rescued++;
    else failed = true;
  }
  return { ran, failed, rescued };
}

// B1: block [a, b] rescue [r1, r2] always [z]; then "after"
const b1 = (s: BlockRef['section']) => ref(1, s, true, true);
const SIMPLE = [task('a', b1('block')), task('b', b1('block')), task('r1', b1('rescue')), task('r2', b1('rescue')), task('z', b1('always')), task('after')];
// B2 (always only) inside B3 (rescue only): B3 block [B2 block [x] always [y], w] rescue [q]; then "after"
const b2 = (s: BlockRef['section']) => ref(2, s, false, true);
const b3 = (s: BlockRef['section']) => ref(3, s, true, false);
const NESTED = [task('x', b3('block'), b2('block')), task('y', b3('block'), b2('always')), task('w', b3('block')), task('q', b3('rescue')), task('after')];
// B4: block [m] always [n, o] with no rescue
const b4 = (s: BlockRef['section']) => ref(4, s, false, true);
const NO_RESCUE = [task('m', b4('block')), task('n', b4('always')), task('o', b4('always')), task('after')];

describe('block / rescue / always on one host', () => {
  it.each([
    ['nothing fails: block and always run, rescue does not', SIMPLE, [], ['a', 'b', 'z', 'after'], false, 0],
    ['first task fails: rest of block skipped, rescue and always run, host healthy', SIMPLE, ['a'], ['a', 'r1', 'r2', 'z', 'after'], false, 1],
    ['rescue fails too: rest of rescue skipped, always still runs, then the host stops', SIMPLE, ['b', 'r1'], ['a', 'b', 'r1', 'z'], true, 1],
    ['always fails: the host stops', SIMPLE, ['z'], ['a', 'b', 'z'], true, 0],
    ['inner failure: inner always runs, outer rescue catches it', NESTED, ['x'], ['x', 'y', 'q', 'after'], false, 1],
    ['inner always fails: outer rescue catches it', NESTED, ['y'], ['x', 'y', 'q', 'after'], false, 1],
    ['no rescue: the failed host runs every always task, then stops', NO_RESCUE, ['m'], ['m', 'n', 'o'], true, 0],
    ['no rescue, an always task fails: the rest of always is skipped', NO_RESCUE, ['m', 'n'], ['m', 'n'], true, 0],
    ['outside any block a failure stops the host', [task('a'), task('b')], ['a'], ['a'], true, 0],
  ])('%s', (_, tasks, fails, ran, failed, rescued) => {
    expect(walk(tasks, fails)).toEqual({ ran, failed, rescued });
  });

  it('rescuable: only inside the block: part of a block that has a rescue: part', () => {
    expect(SIMPLE.map(rescuable)).toEqual([true, true, false, false, false, false]);
    expect(NESTED.map(rescuable)).toEqual([true, true, true, false, false]);
    expect(NO_RESCUE.map(rescuable)).toEqual([false, false, false, false]);
  });
});
