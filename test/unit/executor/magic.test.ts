// Magic variables a play's tasks read, as Ansible sets them.
import { describe, expect, it } from 'vitest';
import { runYaml } from '../../support/run-playbook.js';

describe('ansible_play_name', () => {
  it("is the play's name, or its hosts pattern when it has none (Ansible's Play.get_name)", async () => {
    const pb =
      '- name: web tier\n  hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: "{{ ansible_play_name }}"}\n' +
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: "{{ ansible_play_name }}"}\n';
    const r = await runYaml(pb, { inventory: ['h1'] });
    expect(
      r
        .of('h1')
        .filter((e) => e.task === 'debug')
        .map((e) => e.msg),
    ).toEqual(['web tier', 'all']);
  });
});
