// import_playbook: another file's plays in place, each keeping its own folder for templates and vars_files.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { errorOf, writeTree } from './helpers.js';

describe('import_playbook', () => {
  it('puts the plays of the imported files in order, nested imports relative to their own file', () => {
    const dir = writeTree({
      'site.yml': '- hosts: all\n  name: first\n  tasks: []\n- import_playbook: net/mesh.yml\n- hosts: all\n  name: last\n  tasks: []\n',
      'net/mesh.yml':
        '- hosts: mesh\n  name: mesh\n  tasks:\n    - template: { src: a.hbs, dest: /tmp/a }\n- import_playbook: more/extra.yml\n',
      'net/more/extra.yml': '- hosts: all\n  name: extra\n  tasks: []\n',
      'net/templates/a.hbs': 'x\n',
    });
    const pb = loadPlaybook(join(dir, 'site.yml'));
    expect(pb.plays.map((p) => p.name)).toEqual(['first', 'mesh', 'extra', 'last']);
    expect(pb.plays.map((p) => p.baseDir?.slice(dir.length))).toEqual(['', '/net', '/net/more', '']);
    expect(pb.plays[1].tasks[0].at.file).toMatch(/net\/mesh\.yml$/);
  });

  it('a cycle is refused; keywords beside it are refused with where to put them', () => {
    const cyc = errorOf('- import_playbook: b.yml\n', { 'b.yml': '- import_playbook: site.yml\n' });
    expect(cyc.message).toBe('playbooks import each other in a cycle: site.yml → b.yml → site.yml');
    const kw = errorOf('- import_playbook: b.yml\n  when: x\n', { 'b.yml': '- hosts: all\n  tasks: []\n' });
    expect(kw.message).toBe('"when" is not supported on import_playbook');
    expect(kw.at?.line).toBe(2);
  });

  it("vars and tags on the import go to every imported play: its vars win over the play's, its tags join every task's", () => {
    const dir = writeTree({
      'site.yml':
        '- name: Install etcd\n  vars:\n    etcd_cluster_setup: true\n    shared: from-import\n  tags: [etcd]\n  import_playbook: etcd.yml\n',
      'etcd.yml':
        '- hosts: all\n  vars: {shared: from-play, own: 1}\n  tasks:\n    - command: a\n      tags: [x]\n    - block:\n        - command: b\n  handlers:\n    - name: h\n      command: c\n',
    });
    const [p] = loadPlaybook(join(dir, 'site.yml')).plays;
    expect(p.vars).toEqual({ shared: 'from-import', own: 1, etcd_cluster_setup: true });
    expect(p.tags).toEqual(['etcd']);
    // blocks are flat here: each task carries its block's keywords, so the block's command b is one of the tasks
    expect(p.tasks.map((t) => t.tags.includes('etcd'))).toEqual([true, true]);
    expect(p.handlers.map((t) => t.tags.includes('etcd'))).toEqual([true]);
    expect(p.tasks[0].tags).toEqual(['etcd', 'x']);
  });
});
