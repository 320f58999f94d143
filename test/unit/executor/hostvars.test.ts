// hostvars[peer] is built once per host and kept until that host's vars change: a later task must still see
// what an earlier one set (set_fact, register, include_vars, clear_facts, a new play's vars).
import { describe, expect, it } from 'vitest';
import { runYaml } from '../../support/run-playbook.js';

const play = (tasks: string, head = '') => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;
const onH1 = `      when: inventory_hostname == 'h1'\n`;
const onH2 = `      when: inventory_hostname == 'h2'\n`;
/** h1 echoes what it reads of h2's vars (read before and after each change, so a stale copy would show). */
const peek = (expr: string) => `    - command: "peek {{ hostvars['h2'].${expr} }}"\n${onH1}`;

describe('hostvars of another host', () => {
  it('sees set_fact values as they change, and their absence after clear_facts', async () => {
    const pb = play(
      peek("x | default('none')") +
        `    - set_fact: {x: one}\n${onH2}` +
        peek("x | default('none')") +
        `    - set_fact: {x: two}\n${onH2}` +
        peek("x | default('none')") +
        `    - meta: clear_facts\n${onH2}` +
        peek("x | default('none')"),
    );
    const r = await runYaml(pb, { inventory: ['h1', 'h2'] });
    expect(r.lab.host('h1').sent('peek')).toEqual(['peek none', 'peek one', 'peek two', 'peek none']);
  });

  it('sees a result registered after it was first read, and a skipped task registering over it', async () => {
    const pb = play(
      peek("out.stdout | default('none')") +
        `    - command: hello\n      register: out\n${onH2}` +
        peek("out.stdout | default('none')") +
        `    - command: again\n      register: out\n      when: false\n` +
        peek("out.skipped | default('no')"),
    );
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], script: (lab) => lab.host('h2').on('hello', { stdout: 'hi\n' }) });
    expect(r.lab.host('h1').sent('peek')).toEqual(['peek none', 'peek hi', 'peek True']);
  });

  it('sees include_vars loaded after it was first read', async () => {
    const pb = play(peek("y | default('none')") + `    - include_vars: more.yml\n${onH2}` + peek("y | default('none')"));
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], files: { 'more.yml': 'y: loaded\n' } });
    expect(r.lab.host('h1').sent('peek')).toEqual(['peek none', 'peek loaded']);
  });

  it("sees each play's own vars and vars_files", async () => {
    const pb = play(peek('z'), '  vars: {z: first}\n') + play(peek('z') + peek('w'), '  vars: {z: second}\n  vars_files: [w.yml]\n');
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], files: { 'w.yml': 'w: from-file\n' } });
    expect(r.lab.host('h1').sent('peek')).toEqual(['peek first', 'peek second', 'peek from-file']);
  });

  it('sees what run_once registered for every host', async () => {
    const pb = play(
      peek("once.stdout | default('none')") + `    - command: once\n      register: once\n      run_once: true\n` + peek('once.stdout'),
    );
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], script: (lab) => lab.host('h1').on('once', { stdout: 'from h1\n' }) });
    expect(r.lab.host('h1').sent('peek')).toEqual(['peek none', 'peek from h1']);
  });
});

describe("a host's own vars, shared by tasks that add none", () => {
  it('a later task sees what earlier ones set, registered, loaded or cleared', async () => {
    const pb = play(
      `    - command: "own {{ x | default('none') }}"\n` +
        `    - set_fact: {x: one}\n` +
        `    - command: "own {{ x }}"\n` +
        `    - command: hello\n      register: out\n` +
        `    - command: "own {{ out.stdout }}"\n` +
        `    - include_vars: more.yml\n` +
        `    - command: "own {{ y }}"\n` +
        `    - meta: clear_facts\n` +
        `    - command: "own {{ x | default('cleared') }}"\n`,
    );
    const r = await runYaml(pb, {
      inventory: ['h1'],
      files: { 'more.yml': 'y: loaded\n' },
      script: (lab) => lab.host('h1').on('hello', { stdout: 'hi\n' }),
    });
    expect(r.lab.host('h1').sent('own')).toEqual(['own none', 'own one', 'own hi', 'own loaded', 'own cleared']);
  });
});
