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
    // only make b's probe went ahead (before step 1: plans made ahead leave at once); the templated one was probed
    // after step 1, and b's again at its turn (step 1 applied something, so plans made ahead are stale)
    const cmds = r.lab.host('h1').commands.map((c) => c.replace(/test -e '?\/(\w)'?; echo "creates=\$\?"/, 'probe $1'));
    expect(cmds).toEqual(['probe b', 'step 1', 'probe x', 'probe b']);
  });
});

describe('a loop planned ahead', () => {
  it('takes each item’s when from its plan and gives changed_when/failed_when the item’s vars', async () => {
    const loop = `    - name: each\n      shell: "make {{ item }}"\n      args: {creates: "/{{ item }}"}\n      loop: [a, b, c, d]\n      when: item != 'b'\n      changed_when: item != 'c'\n      failed_when: item == 'd'\n`;
    const r = await runYaml(play(make('z') + loop), { inventory: ['h1'], script: has('a', 'z') });
    expect(r.results).toEqual(['h1 make z skipped', 'h1 each skipped', 'h1 each skipped', 'h1 each ok', 'h1 each failed']);
    expect(r.lab.host('h1').commands.filter((c) => c.startsWith('probe: ')).length).toBeGreaterThan(1);
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

describe('plans made ahead, after a change', () => {
  const copy = (dest: string, content: string) => `    - copy: {content: "${content}\\n", dest: ${dest}}\n`;
  const labWith = (dirs: string[]) => (lab: MemoryLab) => lab.host('h1').answerStats(dirs);
  /** The host's stat commands, each shortened to the paths it looks at (the stats planned ahead share one command). */
  const shape = (cmds: string[]) =>
    cmds
      .filter((c) => c.includes('[ -f '))
      .map((c) => [...new Set([...c.matchAll(/\[ -f '?(\/[\w./-]+?)'? \]/g)].map((m) => m[1]))].join(' '));

  it('a write stales only the plans that read what it wrote: other files keep theirs', async () => {
    const pb = play(copy('/etc/a.conf', 'a') + copy('/etc/b.conf', 'b') + copy('/etc/a.conf', 'a2') + copy('/srv/c.conf', 'c'));
    const r = await runYaml(pb, { inventory: ['h1'], script: labWith(['/etc', '/srv']) });
    const h = r.lab.host('h1');
    // planned ahead in one stat (each path once); only the second write of /etc/a.conf looks again (the first one changed it)
    expect(shape(h.commands)).toEqual(['/etc/a.conf /etc /etc/b.conf /srv/c.conf /srv', '/etc/a.conf /etc']);
    expect(h.uploads.map((u) => `${u.dest}=${u.content.trim()}`)).toEqual([
      '/etc/a.conf=a',
      '/etc/b.conf=b',
      '/etc/a.conf=a2',
      '/srv/c.conf=c',
    ]);
    expect(recapLine(r, 'h1')).toBe('ok=4 changed=4');
  });

  it('a directory made by one task stales the plans of the files under it', async () => {
    const pb = play(`    - file: {path: /opt/app, state: directory}\n` + copy('/opt/app/app.conf', 'x') + copy('/etc/other.conf', 'y'));
    const dirs = ['/opt', '/etc'];
    const r = await runYaml(pb, {
      inventory: ['h1'],
      script: (lab) =>
        lab
          .host('h1')
          .answerStats(dirs)
          .on('mkdir -p -- /opt/app', () => (dirs.push('/opt/app'), { stdout: '' })),
    });
    const h = r.lab.host('h1');
    // the file under /opt/app was planned (ahead, with the others) when its directory was missing: again once it exists
    expect(shape(h.commands)).toEqual(['/opt/app /opt /opt/app/app.conf /etc/other.conf /etc', '/opt/app/app.conf /opt/app']);
    expect(h.uploads.map((u) => u.dest)).toEqual(['/opt/app/app.conf', '/etc/other.conf']);
    expect(recapLine(r, 'h1')).toBe('ok=3 changed=3');
  });

  it('a command or shell task that ran stales every plan made ahead', async () => {
    const pb = play(copy('/etc/a.conf', 'a') + `    - command: touch /etc/b.conf\n` + copy('/etc/b.conf', 'b'));
    const r = await runYaml(pb, { inventory: ['h1'], script: labWith(['/etc']) });
    const h = r.lab.host('h1');
    // planned ahead with /etc/a.conf, planned again at its turn
    expect(shape(h.commands)).toEqual(['/etc/a.conf /etc /etc/b.conf', '/etc/b.conf /etc']);
  });
});

describe('plans made ahead leave for the host at once', () => {
  it('the last host to gather facts sends its probes before the other hosts start the first task', async () => {
    // h2's facts come last; the moment they are in, the play's first task starts on h1 (a command it applies). h2's
    // probes, asked for by its plans a few promise steps after its facts, went behind all of that before.
    const pb = `- hosts: all\n  gather_facts: true\n  tasks:\n    - command: step\n${make('a')}${make('b')}`;
    const r = await runYaml(pb, {
      inventory: ['h1', 'h2'],
      script: (lab) => {
        has('a', 'b')(lab);
        lab.host('h2').on('@@osrel', () => new Promise((done) => setTimeout(() => done({ stdout: '' }), 20)));
        lab.host('h2').on(/test -e '?\/(\w+)'?; echo "creates=\$\?"/, (cmd) => ({ stdout: `creates=${/\/[ab]\b/.test(cmd) ? 0 : 1}\n` }));
      },
    });
    const order = r.lab.log.filter((l) => /^h2: probe: .*\/a|^h1: step/.test(l)).map((l) => l.slice(0, 9));
    expect(order).toEqual(['h2: probe', 'h1: step']);
    expect(recapLine(r, 'h2')).toBe('ok=2 changed=1 skipped=2');
  });
});

describe('plans made ahead after an Open vSwitch port', () => {
  // The port is added; the route to a peer was planned ahead from the routing table read with it.
  const mesh = (type: string) =>
    play(`    - ovs_port: {bridge: obr0, port: p1, type: ${type}}\n` + `    - route: {to: 10.9.0.0/24, via: 10.0.0.2}\n`);
  const script = (lab: MemoryLab) =>
    lab
      .host('h1')
      .on(/^ovsdb-client /, { stdout: '[{"rows":[]},{"rows":[]},{"rows":[]}]\n' })
      .on('echo @@routes', { stdout: '@@routes\n[{"dst":"10.9.0.0/24","gateway":"10.0.0.2","dev":"eth0"}]\n' });
  const routeReads = (r: { lab: MemoryLab }) => r.lab.host('h1').commands.filter((c) => c.includes('ip -j route show')).length;

  it('a tunnel port (gre) leaves the route planned ahead good: the routing table is read once', async () => {
    const r = await runYaml(mesh('gre'), { inventory: ['h1'], script });
    expect(recapLine(r, 'h1')).toBe('ok=2 changed=1');
    expect(routeReads(r)).toBe(1);
  });

  it('an internal port makes a kernel link: the route is planned again at its turn', async () => {
    const r = await runYaml(mesh('internal'), { inventory: ['h1'], script });
    expect(recapLine(r, 'h1')).toBe('ok=2 changed=1');
    expect(routeReads(r)).toBe(2);
  });
});
