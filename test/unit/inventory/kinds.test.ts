// TOML inventories, executable inventory scripts and refused plugin configs, each compared with ansible-inventory
// (restricted to the one plugin Ansible would use, so its half-parsed fallbacks do not add stray groups).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { describeInventory } from '../../../src/inventory/show.js';
import { FIX, inventoryError } from './helpers.js';

const K = `${FIX}/kinds`;
// Without ansible-inventory the comparison is skipped; the expected --list output is also asserted literally.
const hasAnsible = spawnSync('sh', ['-c', 'command -v ansible-inventory']).status === 0;
const list = (...files: string[]) => JSON.parse(describeInventory(loadInventory(files), 'list'));
const ansibleList = (file: string, plugin: string) =>
  JSON.parse(
    spawnSync('ansible-inventory', ['-i', file, '--list'], { encoding: 'utf8', env: { ...process.env, ANSIBLE_INVENTORY_ENABLED: plugin } })
      .stdout,
  );

describe('TOML inventory (Ansible’s toml plugin)', () => {
  test('groups with hosts, vars and children; ranges; all.vars; dates as strings', () => {
    const out = list(`${K}/hosts.toml`);
    expect(out.web).toEqual({ children: ['apache', 'nginx'], hosts: ['host1', 'host2', 'web03', 'web04'] });
    expect(out._meta.hostvars.host2).toEqual({ ansible_port: 222, has_java: false, http_port: 8080, myvar: 23, ntp: '10.0.0.1' });
    expect(out._meta.hostvars.jenkins1.has_java).toBe(true);
    expect(out._meta.hostvars.tomcat3.when).toBe('2024-05-01');
  });

  // Skipped only without ansible-inventory (the oracle); CI installs ansible-core.
  test.skipIf(!hasAnsible)('same --list as ansible-inventory', () => {
    expect(list(`${K}/hosts.toml`)).toEqual(ansibleList(`${K}/hosts.toml`, 'toml'));
  });

  test('bad TOML and non-group keys are errors with a place and a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-toml-'));
    writeFileSync(join(dir, 'a.toml'), '[web.hosts]\nw1 = {\n');
    const bad = inventoryError(() => loadInventory([join(dir, 'a.toml')]));
    expect(bad.message).toMatch(/^invalid TOML: /);
    expect(bad.at?.file).toBe(join(dir, 'a.toml'));
    expect(bad.at?.line).toBeGreaterThan(1);
    writeFileSync(join(dir, 'b.toml'), 'ntp = "x"\n');
    expect(inventoryError(() => loadInventory([join(dir, 'b.toml')])).hint).toContain('[ntp.vars] or [all.vars]');
    writeFileSync(join(dir, 'c.toml'), '[web]\nhots = {}\n');
    expect(inventoryError(() => loadInventory([join(dir, 'c.toml')])).hint).toContain('did you mean "hosts"?');
  });
});

describe('INI inventory (Ansible’s ini plugin)', () => {
  // Skipped only without ansible-inventory (the oracle); CI installs ansible-core. The fixture's values are Python
  // literals as Ansible reads them: flag=true stays the text "true", True would be a boolean.
  test.skipIf(!hasAnsible)('same --list as ansible-inventory', () => {
    const ini = `${FIX}/ini/hosts.ini`;
    expect(list(ini)).toEqual(ansibleList(ini, 'ini'));
  });
});

describe('inventory scripts (Ansible’s script plugin)', () => {
  test('--list with _meta.hostvars: list groups, maps, host-with-vars groups, all.vars', () => {
    const out = list(`${K}/inv.py`);
    expect(out.web).toEqual({ children: ['app'], hosts: ['w1', 'w2'] });
    expect(out._meta.hostvars.w1).toEqual({ ansible_host: '10.0.0.1', dc: 'eu', http_port: 80 });
    expect(out._meta.hostvars.solo).toEqual({ dc: 'eu', k: 'v' });
  });

  test('without _meta it asks --host for each host', () => {
    expect(list(`${K}/nometa.sh`)._meta.hostvars).toEqual({ d1: { n: 1, who: 'd1' }, d2: { n: 1, who: 'd2' }, u1: { n: 1, who: 'u1' } });
  });

  // Skipped only without ansible-inventory (the oracle); CI installs ansible-core.
  test.skipIf(!hasAnsible)('same --list as ansible-inventory', () => {
    for (const f of ['inv.py', 'nometa.sh']) expect(list(`${K}/${f}`)).toEqual(ansibleList(`${K}/${f}`, 'script'));
  });

  test('a failing script, or one that prints no JSON, is an error naming it; an executable INI file is still INI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-script-'));
    const fail = join(dir, 'fail.sh');
    writeFileSync(fail, '#!/bin/sh\necho boom >&2\nexit 2\n');
    chmodSync(fail, 0o755);
    expect(inventoryError(() => loadInventory([fail])).message).toBe(`inventory script ${fail} --list exited with 2: boom`);
    const text = join(dir, 'text.sh');
    writeFileSync(text, '#!/bin/sh\necho hello\n');
    chmodSync(text, 0o755);
    expect(inventoryError(() => loadInventory([text])).message).toMatch(/--list did not print JSON/);
    const ini = join(dir, 'hosts');
    copyFileSync(`${FIX}/patterns/children.ini`, ini);
    chmodSync(ini, 0o755);
    expect(list(ini).web.hosts).toEqual(['w1', 'w2']);
  });
});

describe('inventory plugin configs are refused', () => {
  test('plugin: in YAML or TOML says plugins are not supported and what to do instead', () => {
    const e = inventoryError(() => loadInventory([`${K}/aws_ec2.yml`]));
    expect(e.message).toBe(`${K}/aws_ec2.yml configures the inventory plugin "amazon.aws.aws_ec2"; inventory plugins are not supported`);
    expect(e.at).toMatchObject({ line: 1 });
    expect(e.hint).toContain('ansible-inventory -i');
    expect(e.hint).toContain('executable inventory script');
    const dir = mkdtempSync(join(tmpdir(), 'rb-plugin-'));
    writeFileSync(join(dir, 'x.toml'), 'plugin = "community.general.proxmox"\n');
    expect(inventoryError(() => loadInventory([join(dir, 'x.toml')])).message).toMatch(
      /inventory plugin "community.general.proxmox"; inventory plugins are not supported/,
    );
  });
});
