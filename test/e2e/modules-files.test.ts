// The files family on a 2-host lab: stat, blockinfile, replace, ini_file, find, fetch, unarchive, slurp, tempfile,
// and file/copy/template's new arguments; the hosts hold the result, and a rerun changes nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'mfil';
const HOSTS = ['h1', 'h2'];
let lab: LabInfo;
let dir: string;
const hasZip = spawnSync('sh', ['-c', 'command -v zip && command -v unzip']).status === 0;

const PLAY = `
- hosts: all
  gather_facts: false
  vars:
    fetch_dir: "{{ playbook_dir }}/fetched"
  tasks:
    - file: {path: /root/mfil, state: directory, mode: "0755"}
    - copy: {dest: /root/mfil/app.conf, content: "name = app\\ncolour=red\\ncolour=blue\\n", mode: "0644", force: false}
    - replace: {path: /root/mfil/app.conf, regexp: '^colour=(\\w+)$', replace: 'color=\\1'}
    - stat: {path: /root/mfil/app.conf, checksum_algorithm: sha256}
      register: st
    - copy: {dest: /root/mfil/seen, content: "{{ st.stat.mode }} {{ st.stat.size }} {{ st.stat.pw_name }} {{ st.stat.checksum }}\\n"}
      when: st.stat.exists and st.stat.isreg and not st.stat.isdir
    - stat: {path: /root/mfil/nope}
      register: nope
    - copy: {dest: /root/mfil/nope-was-absent, content: "yes\\n"}
      when: not nope.stat.exists
    - blockinfile:
        path: /root/mfil/hosts.txt
        create: true
        block: |
          10.0.0.2 db
          10.0.0.3 cache
    - blockinfile: {path: /root/mfil/hosts.txt, marker: "## {mark} extra", insertbefore: BOF, block: "first line"}
    - ini_file: {path: /etc/mfil.ini, section: db, option: host, value: 10.0.0.2}
    - ini_file: {path: /etc/mfil.ini, section: db, option: port, value: "5432", no_extra_spaces: true}
    - ini_file: {path: /etc/mfil.ini, section: web, option: listen, value: "80"}
    - find: {paths: /root/mfil, patterns: "*.conf,*.txt"}
      register: found
    - copy: {dest: "{{ item.path }}.seen", content: "{{ item.size }}\\n"}
      loop: "{{ found.files }}"
      loop_control: {label: "{{ item.path }}"}
    - fetch: {src: /root/mfil/app.conf, dest: "{{ fetch_dir }}"}
    - fetch: {src: /etc/mfil.ini, dest: "{{ fetch_dir }}/{{ inventory_hostname }}.ini", flat: true}
    - file: {path: /root/mfil/untar, state: directory}
    - unarchive: {src: bundle.tar.gz, dest: /root/mfil/untar, list_files: true}
      register: untar
    - copy: {dest: /root/mfil/untar.list, content: "{{ untar.files | sort | join(',') }}\\n"}
    - file: {path: /root/mfil/unzip, state: directory}
      when: has_zip
    - unarchive: {src: bundle.zip, dest: /root/mfil/unzip}
      when: has_zip
    - unarchive: {src: bundle.tar.gz, dest: /root/mfil/untar, creates: /root/mfil/untar/bundle}
    - slurp: {src: /root/mfil/app.conf}
      register: sl
    - copy: {dest: /root/mfil/app.decoded, content: "{{ sl.content | b64decode }}"}
    - tempfile: {state: directory, path: /var/tmp, prefix: mfil.}
      register: tmp
      changed_when: false
    - stat: {path: "{{ tmp.path }}"}
      register: tmpst
    - copy: {dest: /root/mfil/tmp-mode, content: "{{ tmpst.stat.mode }} {{ tmpst.stat.isdir }} {{ tmp.path.startswith('/var/tmp/mfil.') }}\\n"}
    - file: {path: "{{ tmp.path }}", state: absent}
      changed_when: false
    - copy: {src: tree/, dest: /root/mfil/tree, directory_mode: "0750"}
    - copy: {src: tree, dest: /root/mfil/tree2/}
    - file: {path: /root/mfil/tree, state: directory, recurse: true, mode: "0700"}
    - copy: {src: /root/mfil/app.conf, dest: /root/mfil/app.remote, remote_src: true, mode: "0600"}
    - file: {path: /root/mfil/app.hard, src: /root/mfil/app.decoded, state: hard}
    - copy: {dest: /root/mfil/stamp, content: "x\\n"}
    - file: {path: /root/mfil/stamp, modification_time: "202401021200.00", access_time: preserve}
    - file: {path: /etc/sudoers.d, state: directory, mode: "0750"}
    - copy: {dest: /etc/sudoers.d/mfil, content: "root ALL=(ALL) ALL\\n", mode: "0440", validate: "visudo -cf %s"}
    - template: {src: motd.j2, dest: /etc/mfil-motd, validate: "grep -q {{ inventory_hostname }} %s", backup: true}
    - lineinfile: {path: /etc/sudoers.d/mfil-line, line: "Defaults:root !lecture", create: true, mode: "0440", validate: "visudo -cf %s"}
`;

const BAD = `
- hosts: all
  gather_facts: false
  tasks:
    - lineinfile: {path: /etc/sudoers.d/mfil-line, line: "this is not sudoers", validate: "visudo -cf %s"}
      ignore_errors: true
    - copy: {dest: /etc/sudoers.d/mfil, content: "this is not sudoers\\n", validate: "visudo -cf %s"}
`;

beforeAll(async () => {
  lab = await withLab(LAB, 2);
  dir = mkdtempSync(join(tmpdir(), 'rb-mfil-'));
  writeFileSync(join(dir, 'site.yaml'), PLAY);
  writeFileSync(join(dir, 'bad.yaml'), BAD);
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates/motd.j2'), 'hello {{ inventory_hostname }}\n');
  mkdirSync(join(dir, 'files/tree/sub'), { recursive: true });
  writeFileSync(join(dir, 'files/tree/a.txt'), 'A\n');
  writeFileSync(join(dir, 'files/tree/sub/b.txt'), 'B\n');
  const src = join(dir, 'src');
  mkdirSync(join(src, 'bundle/etc'), { recursive: true });
  writeFileSync(join(src, 'bundle/etc/one.conf'), 'one\n');
  writeFileSync(join(src, 'bundle/two.txt'), 'two\n');
  const tar = spawnSync('tar', ['-czf', join(dir, 'files/bundle.tar.gz'), '-C', src, 'bundle']);
  expect(tar.status).toBe(0);
  if (hasZip) expect(spawnSync('sh', ['-c', `cd ${src}/bundle && zip -qr ${dir}/files/bundle.zip .`]).status).toBe(0);
  else console.warn('zip/unzip not installed: the zip case of unarchive is skipped');
}, 180_000);

afterAll(async () => {
  await labDown({ name: LAB });
});

const run = (file: string) => runbook(['run', join(dir, file), '-i', lab.inventoryPath, '-e', `has_zip=${hasZip}`], { timeoutMs: 300_000 });
const cat = (h: string, path: string) => onHost(lab, h, `cat ${path}`).stdout;

describe('files modules on a 2-host lab', () => {
  test('a playbook using every files module leaves the hosts as asked', async () => {
    const r = await run('site.yaml');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of HOSTS) {
      const conf = cat(h, '/root/mfil/app.conf');
      expect(conf).toBe('name = app\ncolor=red\ncolor=blue\n');
      const sha = onHost(lab, h, 'sha256sum < /root/mfil/app.conf').stdout.split(' ')[0];
      expect(cat(h, '/root/mfil/seen')).toBe(`0644 32 root ${sha}\n`);
      expect(sha).toMatch(/^[0-9a-f]{64}$/);
      expect(cat(h, '/root/mfil/nope-was-absent')).toBe('yes\n');
      expect(cat(h, '/root/mfil/hosts.txt')).toBe(
        '## BEGIN extra\nfirst line\n## END extra\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.2 db\n10.0.0.3 cache\n# END ANSIBLE MANAGED BLOCK\n',
      );
      expect(cat(h, '/etc/mfil.ini')).toBe('[db]\nhost = 10.0.0.2\nport=5432\n[web]\nlisten = 80\n');
      expect(cat(h, '/root/mfil/app.conf.seen')).toBe('32\n');
      expect(onHost(lab, h, 'ls /root/mfil/*.seen | sort').stdout).toBe('/root/mfil/app.conf.seen\n/root/mfil/hosts.txt.seen\n');
      expect(readFileSync(join(dir, 'fetched', h, 'root/mfil/app.conf'), 'utf8')).toBe(conf);
      expect(readFileSync(join(dir, 'fetched', `${h}.ini`), 'utf8')).toContain('[db]');
      expect(cat(h, '/root/mfil/untar/bundle/etc/one.conf')).toBe('one\n');
      expect(cat(h, '/root/mfil/untar.list')).toBe('bundle/,bundle/etc/,bundle/etc/one.conf,bundle/two.txt\n');
      if (hasZip) expect(cat(h, '/root/mfil/unzip/two.txt')).toBe('two\n');
      expect(cat(h, '/root/mfil/app.decoded')).toBe(conf);
      expect(cat(h, '/root/mfil/tmp-mode')).toBe('0700 True True\n');
      expect(onHost(lab, h, 'ls /var/tmp | grep -c "^mfil\\." || true').stdout.trim()).toBe('0');
      expect(cat(h, '/root/mfil/tree/sub/b.txt')).toBe('B\n');
      expect(cat(h, '/root/mfil/tree2/tree/a.txt')).toBe('A\n');
      expect(onHost(lab, h, 'stat -c %a /root/mfil/tree /root/mfil/tree/sub /root/mfil/tree/a.txt /root/mfil/tree2/tree/sub').stdout).toBe(
        '700\n700\n700\n755\n',
      );
      expect(onHost(lab, h, 'stat -c %a /root/mfil/app.remote').stdout).toBe('600\n');
      expect(cat(h, '/root/mfil/app.remote')).toBe(conf);
      expect(onHost(lab, h, 'stat -c %i /root/mfil/app.hard /root/mfil/app.decoded | uniq | wc -l').stdout.trim()).toBe('1');
      expect(onHost(lab, h, 'date -d @$(stat -c %Y /root/mfil/stamp) +%Y%m%d%H%M.%S').stdout.trim()).toBe('202401021200.00');
      expect(cat(h, '/etc/sudoers.d/mfil')).toBe('root ALL=(ALL) ALL\n');
      expect(onHost(lab, h, 'stat -c %a /etc/sudoers.d/mfil').stdout).toBe('440\n');
      expect(cat(h, '/etc/mfil-motd')).toBe(`hello ${h}\n`);
      expect(cat(h, '/etc/sudoers.d/mfil-line')).toBe('Defaults:root !lecture\n');
      expect(onHost(lab, h, 'ls -a /root/mfil /etc/sudoers.d | grep -c runbook || true').stdout.trim()).toBe('0');
    }
  }, 300_000);

  test('a rerun changes nothing on any host', async () => {
    const r = await run('site.yaml');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const recap = recapOf(r.stdout);
    for (const h of HOSTS) expect(recap[h]?.changed, r.stdout).toBe(0);
    // unarchive with creates: skipped on every run once the path exists
    for (const h of HOSTS) expect(r.stdout).toMatch(new RegExp(`^${h}\\s+skipped\\s+unarchive`, 'm'));
  }, 300_000);

  test('copy and lineinfile with a failing validate fail and leave the destination untouched', async () => {
    const r = await run('bad.yaml');
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('failed to validate /etc/sudoers.d/mfil-line');
    expect(r.stdout + r.stderr).toMatch(/failed to validate \/etc\/sudoers\.d\/mfil(?!-)/);
    for (const h of HOSTS) {
      expect(cat(h, '/etc/sudoers.d/mfil')).toBe('root ALL=(ALL) ALL\n');
      expect(cat(h, '/etc/sudoers.d/mfil-line')).toBe('Defaults:root !lecture\n');
      expect(onHost(lab, h, 'ls -a /etc/sudoers.d | grep -c runbook || true').stdout.trim()).toBe('0');
    }
    expect(existsSync(join(dir, 'fetched'))).toBe(true);
  }, 300_000);
});
