// One task on a host as the play runs it: loops, retries, when, register, ignore_errors, failed_when, no_log,
// delegate_to, connection: local and facts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withRunContext } from '../../../src/vault/context.js';
import { redact } from '../../../src/vault/secrets.js';
import { MemoryLab } from '../../support/memory-host.js';
import { recapLine, runYaml } from '../../support/run-playbook.js';

const play = (tasks: string, head = '') => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;

describe('loops', () => {
  it('a loop runs once per item; when: is per item; register holds every item', async () => {
    const pb = play(
      `    - command: "step {{ item }}"\n      loop: [1, 2, 3]\n      when: item != 2\n      register: out\n    - command: "echo {{ out.results | map(attribute='item') | join(',') }}"\n`,
    );
    const r = await runYaml(pb, { inventory: ['h1'] });
    expect(r.lab.host('h1').commands).toEqual(['step 1', 'step 3', 'echo 1,2,3']);
    // a looped task counts once in the recap
    expect(recapLine(r, 'h1')).toBe('ok=2 changed=2');
  });

  it('one item failing fails the task, after every item ran', async () => {
    const r = await runYaml(play(`    - command: "step {{ item }}"\n      loop: [a, b, c]\n    - command: after\n`), {
      inventory: ['h1'],
      script: (lab) => lab.host('h1').on('step b', { code: 1 }),
    });
    expect(r.lab.host('h1').commands).toEqual(['step a', 'step b', 'step c']);
    expect(recapLine(r, 'h1')).toBe('failed=1');
  });
});

describe('retries', () => {
  it('until: retried until the condition holds', async () => {
    const r = await runYaml(play(`    - command: poll\n      register: p\n      until: p.rc == 0\n      retries: 5\n      delay: 0\n`), {
      inventory: ['h1'],
      script: (lab) => lab.host('h1').on('poll', { code: 1 }, 2),
    });
    expect(r.lab.host('h1').commands).toEqual(['poll', 'poll', 'poll']);
    expect(recapLine(r, 'h1')).toBe('ok=1 changed=1');
  });

  it('retries run out: the task fails', async () => {
    const r = await runYaml(play(`    - command: poll\n      register: p\n      until: p.rc == 0\n      retries: 2\n      delay: 0\n`), {
      inventory: ['h1'],
      script: (lab) => lab.host('h1').on('poll', { code: 1 }),
    });
    expect(r.lab.host('h1').commands).toEqual(['poll', 'poll', 'poll']);
    expect(r.exitCode).toBe(2);
  });

  it('retries and delay may be templates, rendered per host (as kubespray writes them)', async () => {
    const pb = play(
      `    - command: poll\n      register: p\n      until: p.rc == 0\n      retries: "{{ tries | int + 1 }}"\n      delay: "{{ 0 }}"\n`,
    );
    const r = await runYaml(pb, {
      inventory: 'h1 tries=0\nh2 tries=3',
      script: (lab) => {
        lab.host('h1').on('poll', { code: 1 });
        lab.host('h2').on('poll', { code: 1 });
      },
    });
    expect(r.lab.host('h1').commands).toEqual(['poll', 'poll']);
    expect(r.lab.host('h2').commands).toEqual(['poll', 'poll', 'poll', 'poll', 'poll']);
  });

  it('a retries template that renders no whole number fails that host, naming the keyword', async () => {
    const pb = play(`    - command: poll\n      register: p\n      until: p.rc == 0\n      retries: "{{ tries }}"\n      delay: 0\n`);
    const r = await runYaml(pb, { inventory: 'h1 tries=2\nh2 tries=many' });
    expect(recapLine(r, 'h1')).toBe('ok=1 changed=1');
    expect(recapLine(r, 'h2')).toBe('failed=1');
    expect(r.lab.host('h2').commands).toEqual([]);
    expect(JSON.stringify(r.of('h2'))).toContain('retries must be a whole number, at least 0: got');
  });

  it('a templated timeout is rendered per host: a bad one fails that host before anything runs there', async () => {
    const pb = play(`    - command: work\n      timeout: "{{ limit }}"\n`);
    const r = await runYaml(pb, { inventory: 'h1 limit=30\nh2 limit=0' });
    expect(r.lab.host('h1').commands).toEqual(['work']);
    expect(r.lab.host('h2').commands).toEqual([]);
    expect(JSON.stringify(r.of('h2'))).toContain('timeout must be a whole number of seconds, at least 1: got');
  });
});

describe('failures a task takes care of', () => {
  it('ignore_errors: counted ok and ignored, the host goes on, exit 0', async () => {
    const r = await runYaml(play(`    - command: step 1\n      ignore_errors: true\n    - command: step 2\n`), {
      inventory: ['h1'],
      script: (lab) => lab.host('h1').on('step 1', { code: 1 }),
    });
    expect(r.lab.host('h1').commands).toEqual(['step 1', 'step 2']);
    expect(recapLine(r, 'h1')).toBe('ok=2 changed=1 ignored=1');
    expect(r.results).toEqual(['h1 command failed ignored', 'h1 command changed']);
    expect(r.exitCode).toBe(0);
  });

  it('failed_when and changed_when judge the result', async () => {
    const pb = play(`    - command: check\n      register: c\n      failed_when: "'bad' in c.stdout"\n      changed_when: false\n`);
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], script: (lab) => lab.host('h2').on('check', { stdout: 'bad thing' }) });
    expect(recapLine(r, 'h1')).toBe('ok=1');
    expect(recapLine(r, 'h2')).toBe('failed=1');
  });

  it('an error the task cannot even start (a bad template at run time) fails that host with the message', async () => {
    const r = await runYaml(play(`    - set_fact: {n: 1}\n    - command: "step {{ n.nope.deeper }}"\n`), { inventory: ['h1'] });
    expect(r.recap.h1!.failed).toBe(1);
    expect(r.recap.h1!.firstError).toMatch(/nope|undefined/);
  });

  it('no_log: the failure message is hidden, and what the task printed never shows later', async () => {
    const pb = play(
      `    - command: secret\n      no_log: true\n      register: s\n    - debug: {msg: "{{ s.stdout }}"}\n    - command: boom\n      no_log: true\n`,
    );
    const r = await runYaml(pb, {
      inventory: ['h1'],
      script: (lab) => lab.host('h1').on('secret', { stdout: 'hunter2-xyz' }).on('boom', { code: 1, stderr: 'hunter2-xyz leaked' }),
    });
    // the event stream carries it; every output masks the run's secrets (src/vault/secrets.ts redact) before printing
    const shown = withRunContext(r.context, () => redact(JSON.stringify(r.events)));
    expect(JSON.stringify(r.events)).toContain('hunter2-xyz');
    expect(shown).not.toContain('hunter2-xyz');
    expect(r.of('h1')[2]!.msg).toMatch(/no_log: true/);
  });
});

describe('where a task runs', () => {
  it('delegate_to: the task runs on the other host with the first host’s variables', async () => {
    const pb = play(`    - command: "step for {{ inventory_hostname }}"\n      delegate_to: h2\n`, '');
    const r = await runYaml(pb.replace('hosts: all', 'hosts: h1'), { inventory: ['h1', 'h2'] });
    expect(r.lab.host('h2').commands).toEqual(['step for h1']);
    expect(r.lab.host('h1').commands).toEqual([]);
  });

  it('connection: local runs on the controller connection, and gathers no facts over SSH', async () => {
    const r = await runYaml(`- hosts: all\n  connection: local\n  tasks:\n    - command: step local\n`, { inventory: ['h1'] });
    expect(r.lab.host('localhost').commands).toEqual(['step local']);
    expect(r.lab.host('h1').connects).toBe(0);
  });

  it('facts are gathered once per host in one round trip, and templates see them', async () => {
    const lab = new MemoryLab(['h1', 'localhost']);
    lab.host('h1').on('@@', () => ({ stdout: '' }));
    const pb = `- hosts: all\n  tasks:\n    - command: "step {{ ansible_facts is defined }}"\n- hosts: all\n  tasks:\n    - command: again\n`;
    const r = await runYaml(pb, { inventory: ['h1'], lab });
    const h = r.lab.host('h1');
    expect(h.commands.filter((c) => c.includes('@@'))).toHaveLength(1);
    expect(r.results[0]).toBe('h1 Gathering Facts ok');
    expect(h.commands.slice(1)).toEqual(['step True', 'again']);
  });
});

describe('ignore_unreachable', () => {
  it('the lost connection is counted ignored; the next task reconnects', async () => {
    const pb = play(`    - command: step 1\n      ignore_unreachable: true\n    - command: step 2\n`);
    const r = await runYaml(pb, { inventory: ['h1'], script: (lab) => lab.host('h1').dropOn('step 1', false) });
    const h = r.lab.host('h1');
    expect(h.commands).toEqual(['step 1', 'step 2']);
    expect(h.connects).toBe(2);
    expect(r.results).toEqual(['h1 command unreachable ignored', 'h1 command changed']);
    expect(recapLine(r, 'h1')).toBe('ok=2 changed=1 ignored=1');
    expect(r.exitCode).toBe(0);
  });
});

describe('a run’s context', () => {
  it('secrets one run met are not known to the next run, nor outside it', async () => {
    const pb = play(`    - command: secret\n      no_log: true\n      register: s\n`);
    const first = await runYaml(pb, { inventory: ['h1'], script: (lab) => lab.host('h1').on('secret', { stdout: 'only-in-run-1' }) });
    const second = await runYaml(pb, { inventory: ['h1'] });
    expect(withRunContext(first.context, () => redact('x only-in-run-1'))).toBe('x ********');
    expect(withRunContext(second.context, () => redact('x only-in-run-1'))).toBe('x only-in-run-1');
    expect(redact('x only-in-run-1')).toBe('x only-in-run-1');
  });

  it('a vars file is read again by the next run (the cache is the run’s)', async () => {
    // one path for both runs: a cache that outlived the first run would give the second "red"
    const file = join(mkdtempSync(join(tmpdir(), 'rb-vf-')), 'v.yml');
    const pb = `- hosts: all\n  gather_facts: false\n  vars_files: [${file}]\n  tasks:\n    - command: "step {{ colour }}"\n`;
    writeFileSync(file, 'colour: red\n');
    const a = await runYaml(pb, { inventory: ['h1'] });
    writeFileSync(file, 'colour: blue\n');
    const b = await runYaml(pb, { inventory: ['h1'] });
    expect([...a.lab.host('h1').commands, ...b.lab.host('h1').commands]).toEqual(['step red', 'step blue']);
  });
});
