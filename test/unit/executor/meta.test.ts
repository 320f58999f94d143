// meta: tasks and the run-control modules, which change the play or the inventory rather than a host.
import { describe, expect, it } from 'vitest';
import { recapLine, runYaml } from '../../support/run-playbook.js';

const play = (tasks: string, head = '', hosts = 'all') => `- hosts: ${hosts}\n  gather_facts: false\n${head}  tasks:\n${tasks}`;
const step = (n: string, extra = '') => `    - name: ${n}\n      command: step ${n}\n${extra}`;
const onH1 = `      when: inventory_hostname == 'h1'\n`;

describe('meta', () => {
  it('end_host takes only that host out of the rest of the play', async () => {
    const r = await runYaml(play(step('1') + `    - meta: end_host\n${onH1}` + step('2')), { inventory: ['h1', 'h2'] });
    expect(r.lab.host('h1').sent('step')).toEqual(['step 1']);
    expect(r.lab.host('h2').sent('step')).toEqual(['step 1', 'step 2']);
    expect(r.exitCode).toBe(0);
  });

  it('end_play stops the play for every host, without handlers; the next play runs', async () => {
    const pb =
      play(step('1', '      notify: h\n') + `    - meta: end_play\n` + step('2'), '') +
      `  handlers:\n    - name: h\n      command: handler\n` +
      play(step('3'));
    const r = await runYaml(pb, { inventory: ['h1', 'h2'] });
    expect(r.lab.host('h2').commands).toEqual(['step 1', 'step 3']);
  });

  it('end_batch ends this batch only; the next batch starts', async () => {
    const r = await runYaml(play(step('1') + `    - meta: end_batch\n` + step('2'), '  serial: 1\n'), { inventory: ['h1', 'h2'] });
    expect(r.lab.log).toEqual(['h1: step 1', 'h2: step 1']);
  });

  it('a meta with a false when does nothing', async () => {
    const r = await runYaml(play(`    - meta: end_play\n      when: false\n` + step('2')), { inventory: ['h1'] });
    expect(r.lab.host('h1').sent('step')).toEqual(['step 2']);
  });

  it('clear_host_errors brings a failed host back into the play', async () => {
    const pb = play(step('1') + `    - meta: clear_host_errors\n` + step('2'));
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], script: (lab) => lab.host('h1').on('step 1', { code: 1 }) });
    // the healthy host reaches the meta, and the failed one is back for the tasks after it
    expect(r.lab.host('h1').sent('step')).toEqual(['step 1', 'step 2']);
    expect(recapLine(r, 'h1')).toBe('ok=1 changed=1 failed=1');
  });

  it('clear_facts forgets set_fact values', async () => {
    const pb = play(`    - set_fact: {x: one}\n    - meta: clear_facts\n    - command: "echo {{ x | default('gone') }}"\n`);
    const r = await runYaml(pb, { inventory: ['h1'] });
    expect(r.lab.host('h1').commands).toEqual(['echo gone']);
  });

  it('reset_connection closes the connection; the next task opens a new one', async () => {
    const r = await runYaml(play(step('1') + `    - meta: reset_connection\n` + step('2')), { inventory: ['h1'] });
    const h = r.lab.host('h1');
    expect(h.sent('step')).toEqual(['step 1', 'step 2']);
    expect(h.connects).toBe(2);
    expect(h.closes).toBe(2);
  });

  it('refresh_inventory reads the inventory again (a later play sees the same hosts)', async () => {
    const r = await runYaml(play(`    - meta: refresh_inventory\n`) + play(step('1')), { inventory: ['h1'] });
    expect(r.lab.host('h1').commands).toEqual(['step 1']);
  });
});

describe('inventory at run time', () => {
  it('group_by makes a group a later play targets, and hostvars/groups see it in the same play', async () => {
    const pb =
      play(
        `    - group_by: {key: "role_{{ inventory_hostname }}"}\n    - command: "echo {{ groups['role_h1'] | default([]) | join(',') }}"\n`,
      ) + play(step('web'), '', 'role_h2');
    const r = await runYaml(pb, { inventory: ['h1', 'h2'] });
    expect(r.lab.host('h1').commands).toEqual(['echo h1']);
    expect(r.lab.host('h2').sent('step')).toEqual(['step web']);
    expect(r.lab.host('h1').sent('step')).toEqual([]);
  });

  it('add_host: a new host with its variables, reachable by a later play', async () => {
    const pb = play(`    - add_host: {name: h9, groups: late, colour: blue}\n`) + play(`    - command: "echo {{ colour }}"\n`, '', 'late');
    const r = await runYaml(pb, { inventory: ['h1', 'h9x'], lab: undefined, script: () => undefined });
    expect(r.results).toContain('h9 command unreachable');
    const lab = new (await import('../../support/memory-host.js')).MemoryLab(['h1', 'h9', 'localhost']);
    const r2 = await runYaml(pb, { inventory: ['h1'], lab });
    expect(r2.lab.host('h9').commands).toEqual(['echo blue']);
    expect(Object.keys(r2.recap).sort()).toEqual(['h1', 'h9']);
  });
});

describe('includes', () => {
  const files = {
    'a.yml': `- command: "step a {{ inventory_hostname }}"\n`,
    'b.yml': `- command: "step b {{ inventory_hostname }}"\n- command: step b2\n`,
  };

  it('hosts that include the same file run it together; different files run group after group', async () => {
    const pb = play(`    - include_tasks: "{{ 'a' if inventory_hostname == 'h2' else 'b' }}.yml"\n` + step('after'));
    const r = await runYaml(pb, { inventory: ['h1', 'h2', 'h3'], files, forks: 1 });
    expect(r.lab.log).toEqual([
      'h1: step b h1',
      'h3: step b h3',
      'h1: step b2',
      'h3: step b2',
      'h2: step a h2',
      'h1: step after',
      'h2: step after',
      'h3: step after',
    ]);
    expect(r.of('h1')[0]!.msg).toMatch(/^included: .*b\.yml$/);
  });

  it('a loop includes once per item; each counts ok in the recap', async () => {
    const pb = play(`    - include_tasks: "{{ item }}.yml"\n      loop: [a, b]\n`);
    const r = await runYaml(pb, { inventory: ['h1'], files });
    expect(r.lab.host('h1').commands).toEqual(['step a h1', 'step b h1', 'step b2']);
    expect(recapLine(r, 'h1')).toBe('ok=5 changed=3');
  });

  it('an include nothing passes is skipped', async () => {
    const r = await runYaml(play(`    - include_tasks: "{{ item }}.yml"\n      loop: [a]\n      when: item == 'z'\n`), {
      inventory: ['h1'],
      files,
    });
    expect(r.results).toEqual(['h1 include_tasks skipped']);
  });

  it('under the free strategy a host runs what it included in place', async () => {
    const pb = play(`    - include_tasks: b.yml\n` + step('after'), '  strategy: free\n');
    const r = await runYaml(pb, { inventory: ['h1'], files });
    expect(r.lab.host('h1').commands).toEqual(['step b h1', 'step b2', 'step after']);
  });

  it('meta under the free strategy acts for that host', async () => {
    const r = await runYaml(play(step('1') + `    - meta: end_host\n${onH1}` + step('2'), '  strategy: free\n'), {
      inventory: ['h1', 'h2'],
    });
    expect(r.lab.host('h1').sent('step')).toEqual(['step 1']);
    expect(r.lab.host('h2').sent('step')).toEqual(['step 1', 'step 2']);
  });
});
