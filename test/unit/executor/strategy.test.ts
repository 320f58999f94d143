// The order hosts go through tasks: linear and free strategies, serial batches, forks and throttle, and when a
// play stops early (any_errors_fatal, max_fail_percentage, a whole batch failed).
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/executor/events.js';
import { recapLine, runYaml } from '../../support/run-playbook.js';

const steps = (names: string[]) => names.map((n) => `    - name: ${n}\n      command: step ${n}\n`).join('');
const play = (head: string, body: string) => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${body}`;
/** A command reply that takes 5 ms, and the most hosts that were inside it at once. */
function concurrency(): { slow: () => Promise<object>; most: () => number } {
  let inFlight = 0;
  let most = 0;
  const slow = async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return {};
  };
  return { slow, most: () => most };
}
const playEnd = (r: { events: RunEvent[] }) =>
  r.events.filter((e) => e.type === 'play:end').map((e) => (e as { stoppedReason?: string }).stoppedReason);

describe('linear strategy', () => {
  it('every host finishes a task before any host starts the next', async () => {
    const r = await runYaml(play('', steps(['1', '2'])), { inventory: ['h1', 'h2', 'h3'], forks: 1 });
    expect(r.lab.log).toEqual(['h1: step 1', 'h2: step 1', 'h3: step 1', 'h1: step 2', 'h2: step 2', 'h3: step 2']);
    expect(r.exitCode).toBe(0);
    expect(recapLine(r, 'h2')).toBe('ok=2 changed=2');
  });

  it('forks: at most that many hosts in a task at once', async () => {
    const { slow, most } = concurrency();
    const r = await runYaml(play('', steps(['1'])), {
      inventory: ['h1', 'h2', 'h3', 'h4', 'h5'],
      forks: 2,
      script: (lab) => {
        for (const h of lab.hosts.values()) h.on('step', slow);
      },
    });
    expect(r.results).toHaveLength(5);
    expect(most()).toBe(2);
  });

  it('a failed host runs no later task; the others go on; exit 2', async () => {
    const r = await runYaml(play('', steps(['1', '2'])), {
      inventory: ['h1', 'h2'],
      script: (lab) => lab.host('h1').on('step 1', { code: 1, stderr: 'no' }),
    });
    expect(r.lab.host('h1').sent('step')).toEqual(['step 1']);
    expect(r.lab.host('h2').sent('step')).toEqual(['step 1', 'step 2']);
    expect(recapLine(r, 'h1')).toBe('failed=1');
    expect(r.recap.h1!.firstError).toMatch(/rc=1|non-zero|no/);
    expect(r.exitCode).toBe(2);
  });

  it('any_errors_fatal: one host failing stops the play for every host', async () => {
    const r = await runYaml(play('  any_errors_fatal: true\n', steps(['1', '2'])) + play('', steps(['next'])), {
      inventory: ['h1', 'h2'],
      script: (lab) => lab.host('h1').on('step 1', { code: 1 }),
    });
    expect(r.lab.host('h2').sent('step')).toEqual(['step 1']);
    expect(playEnd(r)).toEqual(['any_errors_fatal: a host failed, the play stops for every host']);
    // the healthy host's recap line says why it stopped
    expect(r.recap.h2!.firstError).toBe('any_errors_fatal: a host failed, the play stops for every host');
    expect(r.exitCode).toBe(2);
  });
});

describe('any_errors_fatal written as a template', () => {
  it('is rendered when the play starts, with its vars and -e (kubespray\'s "{{ any_errors_fatal | default(true) }}")', async () => {
    const aef = '  any_errors_fatal: "{{ stop_all | default(true) }}"\n';
    const on = await runYaml(play(aef, steps(['1', '2'])), {
      inventory: ['h1', 'h2'],
      script: (lab) => lab.host('h1').on('step 1', { code: 1 }),
    });
    expect(on.lab.host('h2').sent('step')).toEqual(['step 1']);
    const off = await runYaml(play(`${aef}  vars: {stop_all: "no"}\n`, steps(['1', '2'])), {
      inventory: ['h1', 'h2'],
      script: (lab) => lab.host('h1').on('step 1', { code: 1 }),
    });
    expect(off.lab.host('h2').sent('step')).toEqual(['step 1', 'step 2']);
  });
});

describe('free strategy', () => {
  it('a host goes on without waiting for the others', async () => {
    let h1Done!: () => void;
    const h1Finished = new Promise<void>((r) => (h1Done = r));
    const r = await runYaml(play('  strategy: free\n', steps(['1', '2', '3'])), {
      inventory: ['h1', 'h2'],
      script: (lab) => {
        // h2's first task waits until h1 has run its last: under linear this would never finish
        lab.host('h2').on('step 1', async () => {
          await h1Finished;
          return {};
        });
        lab.host('h1').on('step 3', () => {
          h1Done();
          return {};
        });
      },
    });
    expect(r.lab.log.indexOf('h1: step 3')).toBeLessThan(r.lab.log.indexOf('h2: step 2'));
    expect(r.lab.host('h2').sent('step')).toEqual(['step 1', 'step 2', 'step 3']);
    expect(r.exitCode).toBe(0);
  });

  it('throttle: at most that many hosts in the task at once', async () => {
    const { slow, most } = concurrency();
    const r = await runYaml(play('  strategy: free\n', `    - name: one at a time\n      command: step 1\n      throttle: 1\n`), {
      inventory: ['h1', 'h2', 'h3'],
      script: (lab) => {
        for (const h of lab.hosts.values()) h.on('step', slow);
      },
    });
    expect(r.results).toHaveLength(3);
    expect(most()).toBe(1);
  });

  it.each(['linear', 'free'])("throttle as a template (kubespray's \"{{ groups['etcd'] | length // 2 }}\"), %s", async (strategy) => {
    const { slow, most } = concurrency();
    const task = `    - command: step 1\n      throttle: "{{ groups['all'] | length // 2 }}"\n`;
    const r = await runYaml(play(`  strategy: ${strategy}\n`, task), {
      inventory: ['h1', 'h2', 'h3', 'h4'],
      script: (lab) => {
        for (const h of lab.hosts.values()) h.on('step', slow);
      },
    });
    expect(r.results).toHaveLength(4);
    expect(most()).toBe(2);
  });

  it('add_host runs once for all hosts', async () => {
    const pb =
      play('  strategy: free\n', `    - add_host: {name: new1, groups: extra}\n`) +
      `- hosts: extra\n  gather_facts: false\n  tasks:\n${steps(['x'])}`;
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], lab: undefined, script: () => undefined });
    expect(r.results.filter((l) => l.includes('add_host'))).toHaveLength(1);
    expect(r.results).toContain('new1 x unreachable');
  });
});

describe('serial batches', () => {
  it('the play runs batch after batch, each to its end (handlers too) before the next starts', async () => {
    const pb =
      play('  serial: 2\n', `    - name: s\n      command: step s\n      notify: h\n`) +
      `  handlers:\n    - name: h\n      command: handler\n`;
    const r = await runYaml(pb, { inventory: ['h1', 'h2', 'h3'], forks: 1 });
    expect(r.lab.log).toEqual(['h1: step s', 'h2: step s', 'h1: handler', 'h2: handler', 'h3: step s', 'h3: handler']);
  });

  it('max_fail_percentage: a batch over it stops later batches', async () => {
    const pb = play('  serial: 2\n  max_fail_percentage: 49\n', steps(['1']));
    const r = await runYaml(pb, { inventory: ['h1', 'h2', 'h3', 'h4'], script: (lab) => lab.host('h1').on('step', { code: 1 }) });
    expect(r.lab.host('h3').commands).toEqual([]);
    expect(playEnd(r)[0]).toBe('max_fail_percentage 49% exceeded in batch 1 (1/2 hosts failed): later batches not started');
    expect(recapLine(r, 'h3')).toBe('');
    expect(r.exitCode).toBe(2);
  });

  it('max_fail_percentage not exceeded: every batch runs', async () => {
    const pb = play('  serial: 2\n  max_fail_percentage: 50\n', steps(['1']));
    const r = await runYaml(pb, { inventory: ['h1', 'h2', 'h3', 'h4'], script: (lab) => lab.host('h1').on('step', { code: 1 }) });
    expect(r.lab.host('h4').sent('step')).toEqual(['step 1']);
    expect(playEnd(r)).toEqual([undefined]);
  });

  it('every host of a batch failed: later batches do not start, later plays neither', async () => {
    const pb = play('  serial: [1, 2]\n', steps(['1'])) + play('', steps(['2']));
    const r = await runYaml(pb, { inventory: ['h1', 'h2', 'h3'], script: (lab) => lab.host('h1').on('step', { code: 1 }) });
    expect(playEnd(r)).toEqual(['every host of batch 1 failed: later batches not started']);
    expect(r.lab.host('h2').commands).toEqual([]);
  });

  it('serial as a percentage', async () => {
    const r = await runYaml(play('  serial: "50%"\n', steps(['1'])), { inventory: ['h1', 'h2', 'h3', 'h4'], forks: 1 });
    expect(r.events.filter((e) => e.type === 'host:tally').length).toBe(4);
    expect(r.lab.log).toEqual(['h1: step 1', 'h2: step 1', 'h3: step 1', 'h4: step 1']);
  });
});

describe('run_once, --start-at-task, tags', () => {
  it('run_once: the first host runs it, every host gets the registered result', async () => {
    const pb = play('', `    - command: step once\n      run_once: true\n      register: o\n    - command: "echo {{ o.stdout }}"\n`);
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], script: (lab) => lab.host('h1').on('step once', { stdout: 'from-h1' }) });
    expect(r.lab.host('h2').sent('step')).toEqual([]);
    expect(r.lab.host('h2').sent('echo')).toEqual(['echo from-h1']);
  });

  it('run_once as a template (kubespray\'s "{{ download_run_once }}"): rendered with the first host\'s vars', async () => {
    const pb = (v: string) =>
      `- hosts: all\n  gather_facts: false\n  vars: {once: ${v}}\n  tasks:\n    - command: step\n      run_once: "{{ once }}"\n`;
    const on = await runYaml(pb('true'), { inventory: ['h1', 'h2'] });
    expect([on.lab.host('h1').sent('step'), on.lab.host('h2').sent('step')]).toEqual([['step'], []]);
    const off = await runYaml(pb('false'), { inventory: ['h1', 'h2'] });
    expect([off.lab.host('h1').sent('step'), off.lab.host('h2').sent('step')]).toEqual([['step'], ['step']]);
  });

  it('--start-at-task skips the tasks before the named one, in this play and no later', async () => {
    const r = await runYaml(play('', steps(['1', '2', '3'])) + play('', steps(['4'])), { inventory: ['h1'], startAtTask: '2' });
    expect(r.lab.host('h1').sent('step')).toEqual(['step 2', 'step 3', 'step 4']);
  });

  it('--tags and --skip-tags choose the tasks', async () => {
    const pb = play(
      '',
      `    - command: step a\n      tags: [web]\n    - command: step b\n      tags: [db]\n    - command: step c\n      tags: [web, slow]\n`,
    );
    const r = await runYaml(pb, { inventory: ['h1'], tags: ['web'], skipTags: ['slow'] });
    expect(r.lab.host('h1').sent('step')).toEqual(['step a']);
  });
});
