// hosts: may be a template of -e and the play's vars, as in Ansible (`hosts: "{{ target | default('web') }}"`).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playHosts } from '../../../src/executor/run.js';
import { loadInventory } from '../../../src/inventory/load.js';
import { loadPlaybook } from '../../../src/playbook/load.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-hosts-'));
writeFileSync(join(dir, 'inv.yaml'), 'all:\n  children:\n    web: {hosts: {w1: {}, w2: {}}}\n    db: {hosts: {d1: {}}}\n');
writeFileSync(
  join(dir, 'pb.yaml'),
  '- hosts: "{{ target | default(\'web\') }}"\n  gather_facts: false\n  tasks: [{debug: {msg: hi}}]\n' +
    '- hosts: "{{ side }}"\n  vars: {side: db}\n  gather_facts: false\n  tasks: [{debug: {msg: hi}}]\n',
);

describe('templated hosts:', () => {
  const inv = loadInventory([join(dir, 'inv.yaml')]);
  const pb = loadPlaybook(join(dir, 'pb.yaml'));
  it('renders with -e over the default', () => {
    expect(playHosts(inv, pb.plays[0])).toEqual(['w1', 'w2']);
    expect(playHosts(inv, pb.plays[0], undefined, { target: 'db' })).toEqual(['d1']);
  });
  it("renders with the play's vars", () => {
    expect(playHosts(inv, pb.plays[1])).toEqual(['d1']);
  });
  it('a broken template is refused at load', () => {
    writeFileSync(join(dir, 'bad.yaml'), '- hosts: "{{ target | nofilter }}"\n  tasks: []\n');
    try {
      loadPlaybook(join(dir, 'bad.yaml'));
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/no filter named 'nofilter'/);
      expect((e as { at?: unknown }).at).toEqual({ file: join(dir, 'bad.yaml'), line: 1, col: 10 });
    }
  });
});
