// block / rescue / always on a 3-host lab: a validation that fails on one host rolls that host back and it
// carries on; a failure with no rescue still runs always: and then stops that host only. And import_tasks, roles,
// environment.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'blk';
const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: deploy
      block:
        - name: write new config
          copy: { dest: /root/app.conf, content: "v2\\n" }
        - name: validate
          shell: "test {{ inventory_hostname }} != h2 || { echo 'bad config on h2' >&2; exit 3; }"
          check_mode: false
        - name: after validation
          shell: touch /root/after-validate
      rescue:
        - name: roll back
          copy: { dest: /root/app.conf, content: "v1\\n" }
        - name: note the failure
          shell: "echo '{{ ansible_failed_task.name }}: {{ ansible_failed_result.rc }}' > /root/failed-task"
      always:
        - name: stamp
          shell: touch /root/always
    - name: after the block
      shell: touch /root/after
    - name: no rescue
      block:
        - name: fails on h3
          shell: "test {{ inventory_hostname }} != h3"
      always:
        - name: cleanup
          shell: touch /root/cleanup
    - name: last
      shell: touch /root/end
`;

let lab: LabInfo;
let dir: string;
let out = '';
let code = -1;

/** Writes a file of the test's playbook tree (folders made as needed). */
const put = (rel: string, text: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
};

const files = (h: string) =>
  onHost(
    lab,
    h,
    'cat /root/app.conf; for f in after-validate failed-task always after cleanup end; do [ -e /root/$f ] && echo "$f"; done; cat /root/failed-task 2>/dev/null',
  )
    .stdout.trim()
    .split('\n');

beforeAll(async () => {
  lab = await withLab(LAB, 3);
  dir = mkdtempSync(join(tmpdir(), 'rb-blocks-'));
  writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK);
  const r = await runbook(['run', join(dir, 'pb.yaml'), '-i', lab.inventoryPath]);
  out = r.stdout;
  code = r.code;
});
afterAll(async () => {
  await labDown({ name: LAB });
  rmSync(dir, { recursive: true, force: true });
});

describe('block / rescue / always on the lab', () => {
  it('a host without failures runs block and always parts, never rescue', () => {
    expect(files('h1')).toEqual(['v2', 'after-validate', 'always', 'after', 'cleanup', 'end']);
    expect(recapOf(out).h1).toMatchObject({ failed: 0, rescued: 0 });
  });

  it('the failing host is rolled back by rescue (which sees the failed task and result), runs always, and carries on', () => {
    expect(files('h2')).toEqual(['v1', 'failed-task', 'always', 'after', 'cleanup', 'end', 'validate: 3']);
    expect(recapOf(out).h2).toMatchObject({ failed: 0, rescued: 1 });
    expect(out).toMatch(/^h2\s+failed\s+validate .*\(rescued\)$/m);
    expect(out).toMatch(/^h2\s+changed\s+roll back/m);
    expect(out).not.toMatch(/^h[13]\s+\S+\s+roll back/m);
  });

  it('a failure with no rescue runs always on that host, then stops it; the others go on', () => {
    expect(files('h3')).toEqual(['v2', 'after-validate', 'always', 'after', 'cleanup']);
    expect(recapOf(out).h3).toMatchObject({ failed: 1, rescued: 0 });
    expect(out).toMatch(/^h3\s+changed\s+cleanup/m);
    expect(out).not.toMatch(/^h3\s+\S+\s+last/m);
    expect(code).toBe(2);
  });

  it('--check: a read-only validation (check_mode: false) still fails on h2, rescue is planned, nothing is written', async () => {
    onHost(lab, 'h2', 'rm -f /root/app.conf /root/always');
    const r = await runbook(['run', join(dir, 'pb.yaml'), '-i', lab.inventoryPath, '--check']);
    expect(r.code).toBe(0); // shell tasks do not run under --check, so "fails on h3" does not fail
    expect(recapOf(r.stdout).h2).toMatchObject({ failed: 0, rescued: 1 });
    expect(r.stdout).toMatch(/^h2\s+changed\s+roll back/m);
    expect(onHost(lab, 'h2', 'ls /root/app.conf /root/always 2>&1 || true').stdout).toMatch(/No such file.*\n.*No such file/);
  });

  it('import_tasks runs a task file (and the block in it) where the import’s when: holds; rerun changes nothing', async () => {
    put(
      'tasks/motd.yml',
      '- name: motd\n  copy: { dest: /root/motd, content: "hello {{ inventory_hostname }}\\n" }\n' +
        '- block:\n    - name: marker\n      file: { path: /root/imported, state: touch }\n',
    );
    put(
      'import.yaml',
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - import_tasks: tasks/motd.yml\n      when: inventory_hostname != "h3"\n',
    );
    const r = await runbook(['run', join(dir, 'import.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(onHost(lab, 'h1', 'cat /root/motd').stdout).toBe('hello h1\n');
    expect(onHost(lab, 'h2', 'test -e /root/imported && echo yes').stdout.trim()).toBe('yes');
    expect(onHost(lab, 'h3', 'ls /root/motd /root/imported 2>&1 || true').stdout).toMatch(/No such file.*\n.*No such file/);
    expect(r.stdout).toMatch(/^h3\s+skipped\s+motd/m);
    const again = await runbook(['run', join(dir, 'import.yaml'), '-i', lab.inventoryPath]);
    for (const h of ['h1', 'h2', 'h3']) expect(recapOf(again.stdout)[h].changed, h).toBe(0);
  });

  it('a role: its template from its own templates/, defaults under the inventory, its handler, a dependency; rerun no-op', async () => {
    put('roles/base/tasks/main.yml', '- name: base dir\n  file: { path: /root/svc, state: directory }\n');
    put('roles/svc/meta/main.yml', 'dependencies: [base]\n');
    put('roles/svc/defaults/main.yml', 'greeting: hello\nsvc_port: 80\n');
    put('roles/svc/templates/svc.conf.j2', '{{ greeting }} from {{ inventory_hostname }} on {{ svc_port }}\n');
    put('roles/svc/tasks/main.yml', '- name: config\n  template: src=svc.conf.j2 dest=/root/svc/svc.conf\n  notify: restart svc\n');
    put('roles/svc/handlers/main.yml', '- name: restart svc\n  shell: echo restarted >> /root/svc/restarts\n');
    put('roles.yaml', '- hosts: all\n  gather_facts: false\n  roles:\n    - { role: svc, svc_port: 8080 }\n');
    const inv = parse(readFileSync(lab.inventoryPath, 'utf8'));
    const hosts = inv.all.children?.mesh?.hosts ?? inv.all.hosts;
    hosts.h2.greeting = 'hi from the inventory';
    writeFileSync(join(dir, 'roles-inv.yaml'), stringify(inv));

    const r = await runbook(['run', join(dir, 'roles.yaml'), '-i', join(dir, 'roles-inv.yaml')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^h1\s+changed\s+base : base dir/m);
    expect(r.stdout).toMatch(/^h1\s+changed\s+svc : config/m);
    expect(onHost(lab, 'h1', 'cat /root/svc/svc.conf').stdout).toBe('hello from h1 on 8080\n');
    expect(onHost(lab, 'h2', 'cat /root/svc/svc.conf').stdout).toBe('hi from the inventory from h2 on 8080\n');
    expect(onHost(lab, 'h3', 'cat /root/svc/restarts').stdout).toBe('restarted\n');
    const again = await runbook(['run', join(dir, 'roles.yaml'), '-i', join(dir, 'roles-inv.yaml')]);
    for (const h of ['h1', 'h2', 'h3']) expect(recapOf(again.stdout)[h].changed, h).toBe(0);
    expect(onHost(lab, 'h3', 'cat /root/svc/restarts').stdout).toBe('restarted\n');
  });

  it('environment: play, block and task values merged (the inner wins), templated per host, in probes too', async () => {
    writeFileSync(
      join(dir, 'env.yaml'),
      `- hosts: all
  gather_facts: false
  environment: { GREETING: play, WHO: "{{ inventory_hostname }}" }
  tasks:
    - name: play env
      shell: echo "$GREETING $WHO"
    - block:
        - name: block env
          shell: echo "$GREETING $WHO $EXTRA"
        - name: task env wins
          shell: echo "$GREETING"
          environment: { GREETING: task }
        - name: a probe sees it too
          shell: touch /root/env-probe
          args: { unless: 'test "$EXTRA" = "from block"' }
      environment: { GREETING: block, EXTRA: from block }
`,
    );
    const r = await runbook(['run', join(dir, 'env.yaml'), '-i', lab.inventoryPath, '-o', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = (task: string, host: string) =>
      r.stdout
        .split('\n')
        .filter((l) => l.includes('"type":"task:result"'))
        .map((l) => JSON.parse(l))
        .find((e) => e.task === task && e.host === host);
    expect(out('play env', 'h2').stdout).toBe('play h2');
    expect(out('block env', 'h3').stdout).toBe('block h3 from block');
    expect(out('task env wins', 'h1').stdout).toBe('task');
    // the unless probe ran with EXTRA set (its test succeeded), so the touch was not needed
    expect(out('a probe sees it too', 'h1').status).toBe('skipped');
    expect(onHost(lab, 'h1', 'test -e /root/env-probe || echo absent').stdout.trim()).toBe('absent');
    // the command shown is the task's own, without the exports
    expect(out('block env', 'h1').cmd ?? '').not.toContain('export');
  });

  it('import_playbook: the imported plays run in order, their templates found beside their own file', async () => {
    put('sub/templates/banner.hbs', 'banner for {{ inventory_hostname }}\n');
    put(
      'sub/banner.yml',
      '- hosts: h1:h2\n  gather_facts: false\n  tasks:\n    - name: banner\n      template: { src: banner.hbs, dest: /root/banner }\n',
    );
    put(
      'site.yaml',
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: first\n      shell: rm -f /root/banner\n      changed_when: false\n- import_playbook: sub/banner.yml\n',
    );
    const r = await runbook(['run', join(dir, 'site.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(onHost(lab, 'h2', 'cat /root/banner').stdout).toBe('banner for h2\n');
    expect(onHost(lab, 'h3', 'test -e /root/banner || echo absent').stdout.trim()).toBe('absent');
    expect(r.stdout.indexOf('PLAY [all]')).toBeLessThan(r.stdout.indexOf('PLAY [h1:h2]'));
  });
});
