// Files put on a host through the executor: what lands (content, mode, owner, backup), what a rerun and check mode
// do, and controller files found beside the playbook.
import { describe, expect, it } from 'vitest';
import { MemoryLab } from '../../support/memory-host.js';
import { recapLine, runYaml } from '../../support/run-playbook.js';

const play = (tasks: string, head = '') => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;
const COPY = `    - copy: {content: "port=80\\n", dest: /etc/app.conf, mode: "0640", owner: app, backup: true}\n`;
const labWithEtc = () => {
  const lab = new MemoryLab(['h1', 'localhost']);
  lab.host('h1').answerStats(['/etc']);
  return lab;
};

describe('files', () => {
  it('a new file lands with its content, mode and owner in one upload (nothing to back up, no chown after it)', async () => {
    const r = await runYaml(play(COPY), { inventory: ['h1'], lab: labWithEtc() });
    const h = r.lab.host('h1');
    expect(h.uploads).toEqual([{ dest: '/etc/app.conf', content: 'port=80\n', mode: '0640', become: false, owner: 'app' }]);
    expect(h.commands.filter((c) => !c.includes('echo absent'))).toEqual([]);
    expect(recapLine(r, 'h1')).toBe('ok=1 changed=1');
  });

  it('become as a template (kubespray\'s "{{ not download_localhost }}") is decided per host', async () => {
    const lab = new MemoryLab(['h1', 'h2', 'localhost']);
    for (const h of ['h1', 'h2']) lab.host(h).answerStats(['/etc']);
    const pb = play(`    - copy: {content: "x\\n", dest: /etc/app.conf}\n      become: "{{ not local_only }}"\n`);
    const r = await runYaml(pb, { inventory: 'h1 local_only=False\nh2 local_only=True', lab });
    expect(r.lab.host('h1').uploads.map((u) => u.become)).toEqual([true]);
    expect(r.lab.host('h2').uploads.map((u) => u.become)).toEqual([false]);
  });

  it('a file with other content is backed up, then replaced by an upload carrying its owner', async () => {
    const lab = labWithEtc();
    lab.host('h1').files.set('/etc/app.conf', Buffer.from('port=81\n'));
    const r = await runYaml(play(COPY), { inventory: ['h1'], lab });
    const applied = r.lab.host('h1').commands.filter((c) => !c.includes('echo absent'));
    expect(applied[0]).toMatch(/^\[ ! -e \/etc\/app\.conf \] \|\| cp -p/);
    expect(applied).toHaveLength(1);
    // the owner asked for; the group not asked for is the replaced file's, kept on the host by the upload itself
    expect(r.lab.host('h1').uploads.map((u) => u.owner)).toEqual(['app']);
    expect(r.lab.host('h1').files.get('/etc/app.conf')?.toString()).toBe('port=80\n');
  });

  it('a rerun finds the same content and changes nothing', async () => {
    const lab = labWithEtc();
    lab.host('h1').files.set('/etc/app.conf', Buffer.from('port=80\n'));
    const r = await runYaml(play(`    - copy: {content: "port=80\\n", dest: /etc/app.conf}\n`), { inventory: ['h1'], lab });
    expect(r.lab.host('h1').uploads).toEqual([]);
    expect(recapLine(r, 'h1')).toBe('ok=1');
  });

  it('check mode with --diff shows the change and puts nothing', async () => {
    const r = await runYaml(play(COPY), { inventory: ['h1'], lab: labWithEtc(), check: true, diff: true });
    expect(r.lab.host('h1').uploads).toEqual([]);
    const ev = r.of('h1')[0]!;
    expect(ev.status).toBe('changed');
    expect(ev.diff?.[0]).toMatchObject({ before: '', after: 'port=80\n' });
  });

  it('a failing upload step fails the task naming the file and the error', async () => {
    const lab = labWithEtc();
    lab.host('h1').uploadErrors.set('/etc/app.conf', "chown: invalid user: 'app'\nchown app failed: /etc/app.conf left as it was");
    const r = await runYaml(play(COPY), { inventory: ['h1'], lab });
    expect(r.recap.h1!.failed).toBe(1);
    expect(r.of('h1')[0]!.msg).toMatch(/cannot write \/etc\/app\.conf: chown: invalid user[\s\S]*chown app failed/);
  });

  it('src: a controller file found beside the playbook, in files/', async () => {
    const pb = play(`    - copy: {src: motd.txt, dest: /etc/motd}\n`);
    const r = await runYaml(pb, { inventory: ['h1'], lab: labWithEtc(), files: { 'files/motd.txt': 'hello\n' } });
    expect(r.lab.host('h1').files.get('/etc/motd')?.toString()).toBe('hello\n');
  });
});
