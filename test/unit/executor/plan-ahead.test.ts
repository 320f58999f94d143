// Plans made ahead: right after facts every speculable task is planned at once (probes in one round trip), and a
// plan is used only while nothing has been applied on the host; check mode applies nothing at all.
import { describe, expect, it } from 'vitest';
import type { MemoryLab } from '../../support/memory-host.js';
import { recapLine, runYaml } from '../../support/run-playbook.js';

const play = (tasks: string, head = '') => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;
const make = (n: string) => `    - name: make ${n}\n      shell: make ${n}\n      args: {creates: /${n}}\n`;
/** The host has the files named: `test -e` of them succeeds. */
const has =
  (...files: string[]) =>
  (lab: MemoryLab) =>
    lab.host('h1').on(/test -e '?\/(\w+)'?; echo "creates=\$\?"/, (cmd) => {
      const f = cmd.match(/test -e '?\/(\w+)/)![1]!;
      return { stdout: `creates=${files.includes(f) ? 0 : 1}\n` };
    });

describe('plans made ahead', () => {
  it('a rerun with nothing to do costs one round trip for every task’s probe', async () => {
    const r = await runYaml(play(make('a') + make('b') + make('c')), { inventory: ['h1'], script: has('a', 'b', 'c') });
    const h = r.lab.host('h1');
    expect(h.execs).toBe(1);
    expect(h.commands.every((c) => c.startsWith('probe: '))).toBe(true);
    expect(h.commands).toHaveLength(3);
    expect(recapLine(r, 'h1')).toBe('skipped=3');
  });

  it('after a task applies something, later tasks are probed again at their turn', async () => {
    const r = await runYaml(play(make('a') + make('b') + make('c')), { inventory: ['h1'], script: has('b') });
    const cmds = r.lab.host('h1').commands.map((c) => c.replace(/test -e '?\/(\w)'?; echo "creates=\$\?"/, 'probe $1'));
    expect(cmds).toEqual([
      'probe: probe a',
      'probe: probe b',
      'probe: probe c',
      "/bin/sh -c 'make a'",
      'probe b',
      'probe c',
      "/bin/sh -c 'make c'",
    ]);
    expect(recapLine(r, 'h1')).toBe('ok=2 changed=2 skipped=1');
  });

  it('a task that reads what an earlier one registers is planned at its turn, not ahead', async () => {
    const pb = play(
      `    - command: step 1\n      register: one\n` + `    - shell: "make {{ one.stdout }}"\n      args: {creates: /x}\n` + make('b'),
    );
    const r = await runYaml(pb, {
      inventory: ['h1'],
      script: (lab) => {
        has('x', 'b')(lab);
        lab.host('h1').on('step 1', { stdout: 'q' });
      },
    });
    // only make b's probe went ahead; the templated one was probed after step 1, and b's again at its turn
    // (step 1 applied something, so plans made ahead are stale)
    const cmds = r.lab.host('h1').commands.map((c) => c.replace(/test -e '?\/(\w)'?; echo "creates=\$\?"/, 'probe $1'));
    expect(cmds).toEqual(['step 1', 'probe b', 'probe x', 'probe b']);
  });
});

describe('check mode', () => {
  it('probes run, nothing is applied, and the recap says what would change', async () => {
    const pb = play(make('a') + make('b') + `    - command: step 1\n`);
    const r = await runYaml(pb, { inventory: ['h1'], check: true, script: has('b') });
    const h = r.lab.host('h1');
    expect(h.commands.filter((c) => !c.includes('test -e'))).toEqual([]);
    expect(r.results).toEqual(['h1 make a skipped', 'h1 make b skipped', 'h1 command skipped']);
    expect(r.exitCode).toBe(0);
  });

  it('check_mode: false on a task runs it even in check mode; ansible_check_mode tells templates', async () => {
    const pb = play(`    - command: "step {{ ansible_check_mode }}"\n      check_mode: false\n`);
    const r = await runYaml(pb, { inventory: ['h1'], check: true });
    expect(r.lab.host('h1').commands).toEqual(['step True']);
  });
});
