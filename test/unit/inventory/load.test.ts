import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../src/inventory/load.js';
import { selectHosts } from '../../../src/inventory/select.js';
import { groupsMap, hostVars } from '../../../src/inventory/vars.js';
import { FIX, inventoryError, rendered } from './helpers.js';

describe('loadInventory', () => {
  test('several sources merge; the later one wins per var and hosts leave ungrouped once grouped', () => {
    const inv = loadInventory([`${FIX}/yaml/hosts.yaml`, `${FIX}/merge/extra.yaml`]);
    expect(inv.sources).toEqual([`${FIX}/yaml/hosts.yaml`, `${FIX}/merge/extra.yaml`]);
    expect([...inv.hosts.keys()]).toEqual(['bastion.example.com', 'web1', 'web2', 'web03', 'web04', 'db1', 'new1']);
    expect(hostVars(inv, 'web1')).toMatchObject({ ansible_host: '10.9.9.9', ansible_port: 2222 });
    const groups = groupsMap(inv);
    expect(groups.canary).toEqual(['web1', 'bastion.example.com', 'new1']);
    expect(groups.ungrouped).toEqual([]);
    expect([...(inv.groups.get('all')?.children ?? [])]).toEqual(['ungrouped', 'web', 'db', 'prod', 'canary']);
  });

  test('a missing path is named, with a hint', () => {
    const e = inventoryError(() => loadInventory([`${FIX}/yaml/hosts.yaml`, `${FIX}/nope.ini`]));
    expect(e.message).toBe(`inventory source "${FIX}/nope.ini" does not exist`);
    expect(e.at).toEqual({ file: `${FIX}/nope.ini` });
    expect(e.hint).toContain('check the -i path');
    expect(rendered(e)).toContain(`${FIX}/nope.ini: `);
  });

  test('localhost is not in the loaded inventory; a pattern naming it gets the implicit one, as in Ansible', () => {
    const inv = loadInventory([`${FIX}/yaml/hosts.yaml`]);
    expect(inv.hosts.has('localhost')).toBe(false);
    expect(selectHosts(inv, 'localhost')).toEqual(['localhost']);
    expect(inv.hosts.get('localhost')?.implicit).toBe(true);
    expect(selectHosts(inv, 'all')).not.toContain('localhost');
  });

  test('hostVars on an unknown host suggests the closest name', () => {
    const inv = loadInventory([`${FIX}/yaml/hosts.yaml`]);
    const e = inventoryError(() => hostVars(inv, 'webl'));
    expect(e.message).toBe('unknown host "webl"');
    expect(e.hint).toBe('did you mean "web1"?');
  });

  test.each([
    ['noext/yaml/hosts', 'y1', { port_hint: 1 }],
    ['noext/ini/hosts', 'i1', { a: 1 }],
  ])('a file without extension is read as YAML when it is a YAML map, else as INI: %s', (file, host, vars) => {
    expect(loadInventory([`${FIX}/${file}`]).hosts.get(host)?.vars).toEqual(vars);
  });

  test('INI sections may refer to groups defined further down', () => {
    const inv = loadInventory([`${FIX}/ini/forward.ini`]);
    expect(hostVars(inv, 'w1')).toMatchObject({ env: 'prod', group_names: ['prod', 'web'] });
  });
});

describe("a playbook's own group_vars/ and host_vars/", () => {
  test('apply over the inventory’s, as ansible-playbook reads them', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const inv = mkdtempSync(join(tmpdir(), 'rb-inv-'));
    const pb = mkdtempSync(join(tmpdir(), 'rb-pb-'));
    writeFileSync(join(inv, 'hosts.yaml'), 'all:\n  children:\n    web: {hosts: {w1: {}, w2: {}}}\n');
    mkdirSync(join(inv, 'group_vars'));
    writeFileSync(join(inv, 'group_vars', 'web.yaml'), 'port: 80\nkeep: inventory\n');
    mkdirSync(join(pb, 'group_vars'));
    mkdirSync(join(pb, 'host_vars'));
    writeFileSync(join(pb, 'group_vars', 'web.yml'), 'port: 8080\n');
    writeFileSync(join(pb, 'group_vars', 'all.yml'), 'everyone: true\n');
    writeFileSync(join(pb, 'host_vars', 'w2.yml'), 'port: 9090\n');
    const loaded = loadInventory([inv], pb);
    expect(hostVars(loaded, 'w1')).toMatchObject({ port: 8080, keep: 'inventory', everyone: true });
    expect(hostVars(loaded, 'w2')).toMatchObject({ port: 9090 });
    expect(hostVars(loadInventory([inv]), 'w1')).toMatchObject({ port: 80 });
  });
});

// Ansible's host_list plugin: `-i web1,web2:2222,` is the hosts themselves when no such path exists.
describe('a comma-separated host list as the inventory', () => {
  test('names, ports after a colon and bracketed IPv6, in order, ungrouped; no ranges', () => {
    const inv = loadInventory(['web1, web2:2222,[::1]:2200,10.0.0.5,db[1:2],']);
    expect(selectHosts(inv, 'all')).toEqual(['web1', 'web2', '::1', '10.0.0.5', 'db[1:2]']);
    expect(groupsMap(inv).ungrouped).toEqual(['web1', 'web2', '::1', '10.0.0.5', 'db[1:2]']);
    expect(hostVars(inv, 'web2').ansible_port).toBe(2222);
    expect(hostVars(inv, '::1').ansible_port).toBe(2200);
    expect(hostVars(inv, 'web1').ansible_port).toBeUndefined();
  });

  test('one host needs its trailing comma (as in Ansible); without it, it is a path that does not exist', () => {
    expect(selectHosts(loadInventory(['localhost,']), 'all')).toEqual(['localhost']);
    expect(inventoryError(() => loadInventory(['localhost'])).message).toBe('inventory source "localhost" does not exist');
  });

  test('joins other sources: a listed host keeps the vars a file gives it', () => {
    const inv = loadInventory([`${FIX}/yaml/hosts.yaml`, 'extra1,']);
    expect(selectHosts(inv, 'all')).toContain('extra1');
    expect(selectHosts(inv, 'all').length).toBeGreaterThan(1);
  });
});
