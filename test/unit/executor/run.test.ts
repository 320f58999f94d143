// The whole run: hosts lost before or during a play, Ctrl-C, the exit code, and what is checked before connecting.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/executor/events.js';
import type { MemoryLab } from '../../support/memory-host.js';
import { recapLine, runYaml } from '../../support/run-playbook.js';

const play = (tasks: string, head = '') => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;
const steps = (names: string[]) => names.map((n) => `    - name: ${n}\n      command: step ${n}\n`).join('');
/** The error a run stops with, asserting no host was connected to first. */
async function refusedBeforeConnecting(pb: string, inventory: string[], files?: Record<string, string>): Promise<string> {
  const connected: string[] = [];
  const err = await runYaml(pb, {
    inventory,
    files,
    script: (lab) => {
      const connect = lab.connector;
      lab.connector = (h, v) => {
        connected.push(h);
        return connect(h, v);
      };
    },
  }).then(
    () => 'no error',
    (e: unknown) => (e as Error).message,
  );
  expect(connected).toEqual([]);
  return err;
}
const runEnd = (r: { events: RunEvent[] }) => r.events.find((e) => e.type === 'run:end') as Extract<RunEvent, { type: 'run:end' }>;

describe('unreachable hosts', () => {
  it('a host that refuses the connection is unreachable at facts; the others finish; exit 3', async () => {
    const r = await runYaml(`- hosts: all\n  tasks:\n${steps(['1'])}`, {
      inventory: ['h1', 'h2'],
      script: (lab) => lab.host('h1').refuseConnect(),
    });
    expect(r.results).toEqual(['h1 Gathering Facts unreachable', 'h2 Gathering Facts ok', 'h2 1 changed']);
    expect(recapLine(r, 'h1')).toBe('unreachable=1');
    expect(r.recap.h1!.firstError).toBe('h1: connect ECONNREFUSED');
    expect(r.events.filter((e) => e.type === 'host:unreachable')).toHaveLength(1);
    expect(r.exitCode).toBe(3);
  });

  it('a connection lost mid-play: that task is unreachable, the host runs nothing more in this or later plays', async () => {
    const r = await runYaml(play(steps(['1', '2', '3'])) + play(steps(['4'])), {
      inventory: ['h1', 'h2'],
      script: (lab) => lab.host('h1').dropOn('step 2'),
    });
    expect(r.lab.host('h1').commands).toEqual(['step 1', 'step 2']);
    expect(r.lab.host('h2').sent('step')).toEqual(['step 1', 'step 2', 'step 3', 'step 4']);
    expect(recapLine(r, 'h1')).toBe('ok=1 changed=1 unreachable=1');
    expect(r.exitCode).toBe(3);
  });

  it('a failure and an unreachable host in one run: exit 2', async () => {
    const r = await runYaml(play(steps(['1'])), {
      inventory: ['h1', 'h2'],
      script: (lab) => {
        lab.host('h1').refuseConnect();
        lab.host('h2').on('step', { code: 1 });
      },
    });
    expect(r.exitCode).toBe(2);
    expect(runEnd(r).exitCode).toBe(2);
  });

  it('checkTargets sees every SSH target before any host is touched, not the local ones', async () => {
    let seen: string[] = [];
    const inventory = `h1\nh2\nh3 ansible_connection=local`;
    const r = await runYaml(play(steps(['1'])), {
      inventory,
      checkTargets: async (ts) => {
        seen = ts.map((t) => t.host);
        throw new Error('stop here');
      },
    }).catch((e: Error) => e);
    expect((r as Error).message).toBe('stop here');
    expect(seen).toEqual(['h1', 'h2']);
  });
});

describe('interrupts', () => {
  it('Ctrl-C: the running command finishes, no new task starts, no handlers; exit 130', async () => {
    const ac = new AbortController();
    const pb =
      play(`    - command: step 1\n      notify: h\n` + steps(['2']), '') +
      `  handlers:\n    - name: h\n      command: handler\n` +
      play(steps(['3']));
    const r = await runYaml(pb, {
      inventory: ['h1', 'h2'],
      forks: 1,
      signal: ac.signal,
      script: (lab) =>
        lab.host('h1').on('step 1', () => {
          ac.abort();
          return {};
        }),
    });
    // Ctrl-C came during h1's command: the task already started finishes on the batch's hosts (as today: the
    // check is between tasks), step 2, the handler and the next play do not start
    expect(r.lab.log).toEqual(['h1: step 1', 'h2: step 1']);
    expect(r.exitCode).toBe(130);
    expect(runEnd(r)).toMatchObject({ exitCode: 130, interrupted: true });
  });

  it('Ctrl-C while a command hangs: the run waits for it, then ends with 130', async () => {
    const ac = new AbortController();
    let release!: () => void;
    const running = runYaml(play(steps(['1', '2'])), {
      inventory: ['h1'],
      signal: ac.signal,
      script: (lab) => {
        lab.host('h1').hang('step 1');
        release = () => lab.releaseAll();
      },
    });
    await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    release();
    const r = await running;
    expect(r.lab.host('h1').commands).toEqual(['step 1']);
    expect(r.exitCode).toBe(130);
  });
});

describe('before any host', () => {
  it('vars_files are read per host, templated names included', async () => {
    const pb = `- hosts: all\n  gather_facts: false\n  vars_files: ["{{ inventory_hostname }}.yml"]\n  tasks:\n    - command: "step {{ colour }}"\n`;
    const r = await runYaml(pb, { inventory: ['h1', 'h2'], files: { 'h1.yml': 'colour: red\n', 'h2.yml': 'colour: blue\n' } });
    expect(r.lab.host('h1').commands).toEqual(['step red']);
    expect(r.lab.host('h2').commands).toEqual(['step blue']);
  });

  it('a false assert stops the run before any host, unless the play takes care of its failure (ignore_errors, rescue)', async () => {
    const assertFalse = `    - assert: {that: false}\n`;
    expect(await refusedBeforeConnecting(play(assertFalse), ['h1'])).toMatch(/assert failed before any host was touched/);
    // as ansible-playbook: the assert fails on the host and is ignored (ok=2 ignored=1), the run goes on
    const ignored = await runYaml(play(`${assertFalse}      ignore_errors: true\n    - command: after\n`), { inventory: ['h1'] });
    expect(ignored.lab.host('h1').commands).toEqual(['after']);
    expect(recapLine(ignored, 'h1')).toBe('ok=2 changed=1 ignored=1');
    const block = `    - block:\n        - assert: {that: false}\n      rescue:\n        - command: rescued\n`;
    const rescued = await runYaml(play(block), { inventory: ['h1'] });
    expect(rescued.lab.host('h1').commands).toEqual(['rescued']);
  });

  it('a template is found once but rendered for every host: one that fails on the second host stops the run', async () => {
    const task = (dest: string) => `    - template: {src: x.hbs, dest: ${dest}}\n`;
    const pb = `- hosts: all\n  gather_facts: false\n  vars_files: ["{{ inventory_hostname }}.yml"]\n  tasks:\n${task('/a')}${task('/b')}`;
    const files = { 'templates/x.hbs': 'c={{colour}}\n', 'h1.yml': 'colour: red\n', 'h2.yml': 'other: 1\n' };
    expect(await refusedBeforeConnecting(pb, ['h1', 'h2'], files)).toMatch(
      /templates\/x\.hbs line 1: variable "colour" is undefined for host h2/,
    );
  });

  it('a var that names a registered result (or a fact) is checked when the task runs, not refused before', async () => {
    const pb = [
      '- hosts: all',
      '  gather_facts: false',
      '  vars:',
      '    greeting: "hello {{ out.stdout }}"',
      '    peers: "{{ out.stdout_lines }}"',
      '  tasks:',
      '    - command: whoami',
      '      register: out',
      '    - command: "say {{ greeting }}"',
      '    - command: "peer {{ item }}"',
      '      loop: "{{ peers }}"',
      "    - debug: {msg: \"{{ lookup('template', 'motd.j2') }}\"}",
      '',
    ].join('\n');
    const r = await runYaml(pb, {
      inventory: ['h1'],
      files: { 'templates/motd.j2': '{{ greeting }}\n' },
      script: (lab) => lab.host('h1').on('whoami', { stdout: 'root\n' }),
    });
    expect(r.exitCode).toBe(0);
    expect(r.lab.host('h1').commands.filter((c) => !c.startsWith('probe: '))).toEqual(['whoami', 'say hello root', 'peer root']);
    expect(r.of('h1').at(-1)?.msg).toBe('hello root\n');
  });

  it("lookup('file'/'template') in args and loops finds files/ and templates/ beside the playbook, checked before and run", async () => {
    const pb = [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      "    - command: \"key {{ lookup('file', 'id.pub') }}\"",
      '    - command: "user {{ item }}"',
      "      loop: \"{{ lookup('file', 'users.txt').splitlines() }}\"",
      "    - command: \"motd {{ lookup('template', 'motd.j2') | trim }}\"",
      '',
    ].join('\n');
    const files = {
      'files/id.pub': 'ssh-ed25519 AAAA\n',
      'files/users.txt': 'ann\nbob\n',
      'templates/motd.j2': 'hi {{ inventory_hostname }}\n',
    };
    const r = await runYaml(pb, { inventory: ['h1'], files });
    expect(r.exitCode).toBe(0);
    expect(r.lab.host('h1').commands).toEqual(['key ssh-ed25519 AAAA', 'user ann', 'user bob', 'motd hi h1']);
  });

  describe('vars_files named by facts, and lists of candidates (first found), as in Ansible', () => {
    const FACTS = '@@uname\nLinux h1 6.1 #1 SMP x86_64\n@@osrel\nID=debian\nVERSION_ID=12\n';
    const pb = (entry: string) =>
      `- hosts: all\n  vars_files:\n    - vars/common.yml\n    - ${entry}\n  tasks:\n    - command: "install {{ pkg }} {{ common }}"\n`;
    const files = {
      'vars/common.yml': 'common: c\npkg: none\n',
      'vars/Debian.yml': 'pkg: apt-thing\n',
      'vars/default.yml': 'pkg: default-thing\n',
    };
    const facts = (lab: MemoryLab) => lab.host('h1').on('echo @@uname', { stdout: FACTS });

    it('a fact in the name: read after gathering, in the files order; its vars are not refused before', async () => {
      const r = await runYaml(pb('"vars/{{ ansible_facts.os_family }}.yml"'), { inventory: ['h1'], files, script: facts });
      expect(r.exitCode).toBe(0);
      expect(r.lab.host('h1').commands.filter((c) => c.startsWith('install'))).toEqual(['install apt-thing c']);
    });

    it('a list: the first file found, the fact-named one or the default', async () => {
      const list = '["vars/{{ ansible_distribution }}-{{ ansible_distribution_major_version }}.yml", "vars/default.yml"]';
      const r = await runYaml(pb(list), { inventory: ['h1'], files, script: facts });
      expect(r.lab.host('h1').commands.filter((c) => c.startsWith('install'))).toEqual(['install default-thing c']);
      const r2 = await runYaml(pb('["{{ ansible_os_family }}.yml", default.yml]'), { inventory: ['h1'], files, script: facts });
      expect(r2.lab.host('h1').commands.filter((c) => c.startsWith('install'))).toEqual(['install apt-thing c']);
    });

    it('a list none of whose files exists is refused when the playbook loads, naming them', async () => {
      await expect(runYaml(pb('[vars/a.yml, vars/b.yml]'), { inventory: ['h1'], files })).rejects.toThrow(
        /none of these vars files is found: .*vars\/a\.yml, .*vars\/b\.yml/,
      );
    });

    it('a misspelt name in a vars_files entry is still refused before any host', async () => {
      await expect(runYaml(pb('"vars/{{ os_famly }}.yml"'), { inventory: ['h1'], files, script: facts })).rejects.toThrow(
        /'os_famly' is undefined/,
      );
    });
  });

  it("as Ansible's recap: an include_tasks counts as ok, an include_role does not (only its role's tasks do)", async () => {
    const files = { 't.yml': '- command: from-file\n', 'roles/r/tasks/main.yml': '- command: from-role\n' };
    const pb =
      '- hosts: all\n  gather_facts: false\n  vars: { x: r }\n  tasks:\n    - include_tasks: "{{ \'t\' }}.yml"\n    - include_role: { name: "{{ x }}" }\n';
    const r = await runYaml(pb, { inventory: ['h1'], files });
    expect(r.exitCode).toBe(0);
    expect(r.lab.host('h1').commands).toEqual(['from-file', 'from-role']);
    expect(r.of('h1').map((e) => e.msg?.startsWith('included:') ?? false)).toEqual([true, false, true, false]);
    // ansible-playbook says ok=3 changed=2 here: the include_tasks and the two commands
    expect(r.recap.h1).toMatchObject({ ok: 3, changed: 2 });
  });

  it("the defaults and vars of the play's roles reach all its tasks, a role's own first (what ansible-playbook printed)", async () => {
    const files = {
      'roles/a/defaults/main.yml': 'x: a-default\nonly_a: a\n',
      'roles/a/tasks/main.yml': '- command: "a x={{ x }} y={{ y }} only_b={{ only_b }} bv={{ bv }}"\n',
      'roles/b/defaults/main.yml': 'x: b-default\nonly_b: b\ny: b-y\n',
      'roles/b/vars/main.yml': 'bv: b-var\n',
      'roles/b/tasks/main.yml': '- command: "b x={{ x }} only_a={{ only_a }}"\n',
      'roles/c/defaults/main.yml': 'only_c: c\n',
      'roles/c/tasks/main.yml': '- command: "c {{ only_c }}"\n',
    };
    const pb = `- hosts: all
  gather_facts: false
  pre_tasks:
    - command: "pre x={{ x }} only_a={{ only_a }} only_b={{ only_b }} bv={{ bv }}"
  roles: [a, b]
  tasks:
    - command: "task x={{ x }} bv={{ bv }} c={{ only_c | default('private') }}"
    - include_role: {name: c}
`;
    const r = await runYaml(pb, { inventory: ['h1'], files });
    expect(r.lab.host('h1').commands).toEqual([
      'pre x=b-default only_a=a only_b=b bv=b-var',
      'a x=a-default y=b-y only_b=b bv=b-var',
      'b x=b-default only_a=a',
      // an include_role keeps its defaults to its own tasks (public: false, Ansible's default for it)
      'task x=b-default bv=b-var c=private',
      'c c',
    ]);
  });

  it("an include_tasks of its own file recurses when it runs, as in Ansible (kubespray's retry of a block)", async () => {
    const retry = `- block:
    - set_fact: {tries: "{{ (tries | default(0) | int) + 1 }}"}
    - command: "try {{ tries }}"
  rescue:
    - fail: {msg: gave up}
      when: tries | int >= 5
    - include_tasks: retry.yml
`;
    const r = await runYaml(play('    - include_tasks: retry.yml\n    - command: after\n'), {
      inventory: ['h1'],
      files: { 'retry.yml': retry },
      script: (lab) => {
        lab.host('h1').on('try 1', { code: 1 });
        lab.host('h1').on('try 2', { code: 1 });
      },
    });
    expect(r.lab.host('h1').commands).toEqual(['try 1', 'try 2', 'try 3', 'after']);
    expect(r.exitCode).toBe(0);
  });

  it('a recursion that never stops is cut at 64 levels, naming the file', async () => {
    const r = await runYaml(play('    - include_tasks: again.yml\n'), {
      inventory: ['h1'],
      files: { 'again.yml': '- command: once more\n- include_tasks: again.yml\n' },
    });
    expect(r.exitCode).toBe(2);
    expect(r.lab.host('h1').commands).toHaveLength(64);
    expect(JSON.stringify(r.of('h1'))).toContain('include_tasks nests 64 deep');
  });

  it('delegate_facts: a fact set on one host for every host (set_fact delegated over a loop), as the kubeadm roles do', async () => {
    const pb = `- hosts: all
  gather_facts: false
  tasks:
    - set_fact: {join_cmd: "kubeadm join from {{ inventory_hostname }}"}
      delegate_to: "{{ item }}"
      delegate_facts: true
      loop: "{{ groups['all'] }}"
      when: inventory_hostname == 'h1'
    - command: echo {{ join_cmd }}
    - set_fact: {mine: "{{ inventory_hostname }}"}
      delegate_to: h1
    - command: echo {{ mine }}
`;
    const r = await runYaml(pb, { inventory: ['h1', 'h2', 'h3'] });
    expect(r.exitCode).toBe(0);
    for (const h of ['h1', 'h2', 'h3']) expect(r.lab.host(h).commands.slice(0, 1)).toEqual(['echo kubeadm join from h1']);
    // without delegate_facts the facts stay with the host the task runs for
    for (const h of ['h1', 'h2', 'h3']) expect(r.lab.host(h).commands[1]).toBe(`echo ${h}`);
  });

  describe("a conditional include's file with a module runbook lacks (a role's setup-FreeBSD.yml)", () => {
    const pb = (when: string) =>
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - include_tasks: setup-bsd.yml\n      when: ${when}\n    - command: after\n`;
    const files = { 'setup-bsd.yml': '- pkgng: {name: nginx}\n- community.general.pacman: {name: nginx}\n' };

    it('loads and runs where no host reaches it, as in Ansible', async () => {
      const r = await runYaml(pb('false'), { inventory: ['h1'], files });
      expect(r.exitCode).toBe(0);
      expect(r.lab.host('h1').commands).toEqual(['after']);
    });

    it('fails the host that reaches it, naming the module', async () => {
      const r = await runYaml(pb('true'), { inventory: ['h1'], files });
      expect(r.exitCode).toBe(2);
      expect(r.of('h1').find((e) => e.status === 'failed')?.msg).toMatch(/unknown module "pkgng"/);
      expect(r.lab.host('h1').commands).toEqual([]);
    });

    it("the same behind import_tasks with when:, or a task's own when:: skipped where false, failing where it runs", async () => {
      const pb = (when: string) =>
        `- hosts: all\n  gather_facts: false\n  tasks:\n    - import_tasks: setup-bsd.yml\n      when: ${when}\n    - name: rhel key\n      rpm_key: {key: "https://example.com/k.asc"}\n      when: ${when}\n    - command: after\n`;
      const off = await runYaml(pb('false'), { inventory: ['h1'], files });
      expect(off.exitCode).toBe(0);
      expect(off.lab.host('h1').commands).toEqual(['after']);
      const on = await runYaml(pb('true'), { inventory: ['h1'], files });
      expect(on.of('h1').find((e) => e.status === 'failed')?.msg).toMatch(/^unknown module "pkgng"/);
      expect(on.exitCode).toBe(2);
    });

    it('one letter off a module runbook has is a typo: refused at load even behind a when', async () => {
      const typo = '- hosts: all\n  gather_facts: false\n  tasks:\n    - shel: ls\n      when: false\n';
      await expect(runYaml(typo, { inventory: ['h1'] })).rejects.toThrow(/unknown module "shel"/);
      await expect(runYaml('- hosts: all\n  tasks:\n    - pkgng: {name: x}\n', { inventory: ['h1'] })).rejects.toThrow(
        /unknown module "pkgng"/,
      );
    });

    it('a misspelt keyword in such a file is still refused at load', async () => {
      const typo = { 'setup-bsd.yml': '- command: ls\n  whne: true\n' };
      await expect(runYaml(pb('false'), { inventory: ['h1'], files: typo })).rejects.toThrow(/unknown key "whne" in task/);
    });
  });

  it('ignore_errors may be a template, decided per host when the task fails ("{{ ansible_check_mode }}")', async () => {
    const pb = [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - command: boom',
      '      check_mode: false',
      '      ignore_errors: "{{ ansible_check_mode }}"',
      '    - block:',
      '        - command: "boom {{ inventory_hostname }}"',
      '          check_mode: false',
      '      ignore_errors: "{{ inventory_hostname == \'h1\' }}"',
      '    - command: after',
      '      check_mode: false',
      '',
    ].join('\n');
    const script = (lab: MemoryLab) => {
      for (const h of lab.hosts.values()) h.on(/^boom/, { code: 1, stderr: 'no' });
    };
    const checked = await runYaml(pb, { inventory: ['h1', 'h2'], check: true, script });
    expect(checked.results.filter((l) => l.includes('failed'))).toEqual([
      'h1 command failed ignored',
      'h2 command failed ignored',
      'h1 command failed ignored',
      'h2 command failed',
    ]);
    expect(checked.lab.host('h1').commands).toEqual(['boom', 'boom h1', 'after']);
    const real = await runYaml(pb, { inventory: ['h1'], script });
    expect(real.results).toEqual(['h1 command failed']);
  });

  it('a templated no_log is taken as true: the output stays hidden whatever it would render to', async () => {
    const pb =
      '- hosts: all\n  gather_facts: false\n  vars: {hide: false}\n  tasks:\n    - command: show secret\n      no_log: "{{ hide }}"\n';
    const r = await runYaml(pb, { inventory: ['h1'], script: (lab) => lab.host('h1').on('show', { stdout: 's3cret\n' }) });
    expect(r.exitCode).toBe(0);
    expect(JSON.stringify(r.events)).not.toContain('s3cret');
  });

  it('a misspelt var is still refused before any host is touched', async () => {
    const pb =
      '- hosts: all\n  gather_facts: false\n  vars:\n    greeting: "hello {{ out.stdout }}"\n  tasks:\n    - command: whoami\n      register: out\n    - command: "say {{ greting }}"\n';
    expect(await refusedBeforeConnecting(pb, ['h1'])).toMatch(/'greting' is undefined for host h1/);
  });

  it('a loop whose when names its item still has its loop checked before any host is touched (the when is per item)', async () => {
    const pb =
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: "echo {{ item }}"\n      loop: "{{ peers_misspelt }}"\n      when: item != inventory_hostname\n';
    expect(await refusedBeforeConnecting(pb, ['h1', 'h2'])).toMatch(/'peers_misspelt' is undefined/);
  });

  it('remote_user of the play is the user the connection is opened as', async () => {
    const users: unknown[] = [];
    const r = await runYaml(play(steps(['1']), '  remote_user: "deploy"\n'), { inventory: ['h1'] });
    const lab = r.lab;
    const again = await runYaml(play(steps(['1']), '  remote_user: "deploy"\n'), {
      inventory: ['h1'],
      connector: async (host, vars) => {
        users.push(vars.ansible_user);
        return lab.connector(host, vars);
      },
    });
    expect(users).toEqual(['deploy']);
    expect(again.exitCode).toBe(0);
  });
});
