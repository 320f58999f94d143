// block / rescue / always, run by the executor on a memory host: which tasks fail in, which tasks run and how
// the host ends (the expected lists are written out by hand, from Ansible's documented behaviour).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rescuable } from '../../../src/executor/blocks.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { recapLine, runYaml } from '../../support/run-playbook.js';

const step = (n: string, indent: string) => `${indent}- name: ${n}\n${indent}  command: step ${n}\n`;
const steps = (names: string[], indent: string) => names.map((n) => step(n, indent)).join('');
const play = (body: string) => `- hosts: all\n  gather_facts: false\n  tasks:\n${body}`;

// B1: block [a, b] rescue [r1, r2] always [z]; then "after"
const SIMPLE = play(
  `    - block:\n${steps(['a', 'b'], '        ')}      rescue:\n${steps(['r1', 'r2'], '        ')}      always:\n${steps(['z'], '        ')}${step('after', '    ')}`,
);
// B2 (always only) inside B3 (rescue only): B3 block [B2 block [x] always [y], w] rescue [q]; then "after"
const NESTED = play(
  `    - block:\n        - block:\n${steps(['x'], '            ')}          always:\n${steps(['y'], '            ')}${steps(['w'], '        ')}      rescue:\n${steps(['q'], '        ')}${step('after', '    ')}`,
);
// B4: block [m] always [n, o] with no rescue
const NO_RESCUE = play(`    - block:\n${steps(['m'], '        ')}      always:\n${steps(['n', 'o'], '        ')}${step('after', '    ')}`);
const FLAT = play(steps(['a', 'b'], '    '));

/** Runs the playbook on one memory host where the named steps fail; what ran, and the recap's failed/rescued. */
async function walk(pb: string, fails: string[]) {
  const r = await runYaml(pb, {
    inventory: ['h1'],
    script: (lab) => {
      for (const f of fails) lab.host('h1').on(new RegExp(`^step ${f}$`), { code: 1, stderr: `${f} broke` });
    },
  });
  const ran = r.lab
    .host('h1')
    .sent(/^step /)
    .map((c) => c.slice(5));
  const t = r.recap.h1!;
  return { ran, failed: t.failed > 0, rescued: t.rescued, exit: r.exitCode, recap: recapLine(r, 'h1') };
}

describe('block / rescue / always on one host', () => {
  it.each([
    ['nothing fails: block and always run, rescue does not', SIMPLE, [], ['a', 'b', 'z', 'after'], false, 0],
    [
      'first task fails: rest of block skipped, rescue and always run, host healthy',
      SIMPLE,
      ['a'],
      ['a', 'r1', 'r2', 'z', 'after'],
      false,
      1,
    ],
    [
      'rescue fails too: rest of rescue skipped, always still runs, then the host stops',
      SIMPLE,
      ['b', 'r1'],
      ['a', 'b', 'r1', 'z'],
      true,
      1,
    ],
    ['always fails: the host stops', SIMPLE, ['z'], ['a', 'b', 'z'], true, 0],
    ['inner failure: inner always runs, outer rescue catches it', NESTED, ['x'], ['x', 'y', 'q', 'after'], false, 1],
    ['inner always fails: outer rescue catches it', NESTED, ['y'], ['x', 'y', 'q', 'after'], false, 1],
    ['no rescue: the failed host runs every always task, then stops', NO_RESCUE, ['m'], ['m', 'n', 'o'], true, 0],
    ['no rescue, an always task fails: the rest of always is skipped', NO_RESCUE, ['m', 'n'], ['m', 'n'], true, 0],
    ['outside any block a failure stops the host', FLAT, ['a'], ['a'], true, 0],
  ])('%s', async (_, pb, fails, ran, failed, rescued) => {
    const w = await walk(pb, fails);
    expect({ ran: w.ran, failed: w.failed, rescued: w.rescued }).toEqual({ ran, failed, rescued });
    // exit 2 exactly when a failure was not rescued
    expect(w.exit).toBe(failed ? 2 : 0);
  });

  it('a rescued failure: the recap counts it rescued, not failed, and the rescue sees ansible_failed_task', async () => {
    const pb = play(
      `    - block:\n${steps(['a'], '        ')}      rescue:\n        - name: show\n          command: "echo {{ ansible_failed_task.name }} {{ ansible_failed_result.rc }}"\n`,
    );
    const r = await runYaml(pb, { inventory: ['h1'], script: (lab) => lab.host('h1').on(/^step a$/, { code: 3 }) });
    expect(r.lab.host('h1').sent(/^echo/)).toEqual(['echo a 3']);
    expect(recapLine(r, 'h1')).toBe('ok=1 changed=1 rescued=1');
    expect(r.results).toEqual(['h1 a failed rescued', 'h1 show changed']);
  });

  it('rescuable: only inside the block: part of a block that has a rescue: part', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-blocks-'));
    const names = (pb: string) => {
      writeFileSync(join(dir, 'site.yml'), pb);
      return loadPlaybook(join(dir, 'site.yml')).plays[0]!.tasks.map(rescuable);
    };
    expect(names(SIMPLE)).toEqual([true, true, false, false, false, false]);
    expect(names(NESTED)).toEqual([true, true, true, false, false]);
    expect(names(NO_RESCUE)).toEqual([false, false, false, false]);
  });
});

describe('notify on a block (Ansible 2.14 accepts it)', () => {
  const pb = (notify: string) =>
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - block:\n        - command: step a\n        - command: step b\n          notify: other\n      notify: ${notify}\n  handlers:\n    - name: restart\n      command: restart\n    - name: other\n      command: other\n`;

  it('each task inside that names no handler notifies the block’s; a task’s own notify wins', async () => {
    const r = await runYaml(pb('restart'), { inventory: ['h1'] });
    expect(r.exitCode).toBe(0);
    expect(r.lab.host('h1').commands).toEqual(['step a', 'step b', 'restart', 'other']);
  });

  it('a handler name no handler has is refused at load, where the block names it', async () => {
    await expect(runYaml(pb('restrat'), { inventory: ['h1'] })).rejects.toThrow(/notify "restrat" matches no handler/);
  });
});
