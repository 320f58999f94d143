// Ansible idioms on 2 real sshd hosts: key=value arguments, inline command options, action:, FQCN imports,
// remote_user losing to ansible_user, module_defaults, vars_prompt without a TTY, with_* loops and loop_control.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, ROOT, recapOf, runbook, withLab } from './helpers.js';

const SITE = join(ROOT, 'test/fixtures/e2e/idioms/site.yml');
let lab: LabInfo;

beforeAll(async () => {
  lab = await withLab('idm', 2);
});
afterAll(async () => {
  await labDown({ name: 'idm' });
});

const read = (h: string, f: string) => onHost(lab, h, `cat /root/idioms/${f}`).stdout;

describe('Ansible idioms on a 2-host lab', () => {
  it('runs the playbook and the hosts hold what Ansible would have written', async () => {
    const r = await runbook(['run', SITE, '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // order: reverse_sorted — h2 before h1 (results print as hosts finish, so the order is read from --list-hosts)
    const listed = await runbook(['run', SITE, '-i', lab.inventoryPath, '--list-hosts']);
    expect(listed.stdout).toMatch(/2 hosts\n {2}h2\n {2}h1\n/);
    expect(r.stdout).toContain('pkg q');
    for (const h of ['h1', 'h2']) {
      expect(read(h, 'kv.txt')).toBe('hello world\n');
      expect(onHost(lab, h, 'stat -c %a /root/idioms/kv.txt /root/idioms/defaulted').stdout).toBe('600\n640\n');
      expect(onHost(lab, h, 'ls /root/idioms/made && ls /root | grep -c "^made$" || true').stdout).toBe('/root/idioms/made\n0\n');
      expect(read(h, 'action.txt')).toBe(`${h} r1\n`);
      expect(read(h, 'user.txt')).toBe('root\n');
      expect(read(h, 'imported.txt')).toBe('imported\n');
      expect(read(h, 'dict.txt')).toBe('alpha=1\nbeta=2\n');
      expect(onHost(lab, h, 'ls /root/idioms | grep ^seq').stdout).toBe('seq01\nseq03\nseq05\n');
      expect(read(h, 'nested.txt')).toBe('x-1\nx-2\ny-1\ny-2\n');
      expect(read(h, 'keys.txt')).toBe('alice:k1\nalice:k2\nbob:k3\n');
      expect(read(h, 'glob.txt')).toBe(
        `${join(ROOT, 'test/fixtures/e2e/idioms/files/a.conf')}\n${join(ROOT, 'test/fixtures/e2e/idioms/files/b.conf')}\n`,
      );
      expect(read(h, 'loop.txt')).toBe('0/3 p\n1/3 q\n2/3 r\n');
      expect(read(h, 'together.txt')).toBe('a1\nb2\n');
    }
  });

  it('a rerun changes nothing: creates= is honoured; -e answers vars_prompt', async () => {
    const r = await runbook(['run', SITE, '-i', lab.inventoryPath, '-e', 'release=r2']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^h1\s+skipped\s+inline command options are options, not argv/m);
    expect(read('h1', 'action.txt')).toBe('h1 r2\n');
    // only the shell tasks (action.txt, whoami) report changed
    for (const h of ['h1', 'h2']) expect(recapOf(r.stdout)[h].changed).toBe(2);
  });

  it('a collection module runbook lacks is refused at load, naming it (exit 4, no host touched)', async () => {
    const r = await runbook(['run', join(ROOT, 'test/fixtures/e2e/idioms/collection.yml'), '-i', lab.inventoryPath]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/collection\.yml:5:7.*community\.general\.ufw/s);
  });
});
