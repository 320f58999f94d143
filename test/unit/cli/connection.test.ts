// -c/--connection: Ansible's default connection for hosts whose inventory sets none, below every inventory variable.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyConnection } from '../../../src/cli/options.js';
import { loadInventory } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/inventory/vars.js';

describe('-c local', () => {
  it('makes hosts local unless a host or group of the inventory says otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-conn-'));
    writeFileSync(
      join(dir, 'hosts.yml'),
      'all:\n  hosts:\n    a: {}\n    b: {ansible_connection: ssh}\n  children:\n    g:\n      hosts: {c: {}}\n      vars: {ansible_connection: ssh}\n',
    );
    const inv = loadInventory([join(dir, 'hosts.yml')]);
    applyConnection(inv, 'local');
    expect(['a', 'b', 'c'].map((h) => hostVars(inv, h).ansible_connection)).toEqual(['local', 'ssh', 'ssh']);
    const ssh = loadInventory([join(dir, 'hosts.yml')]);
    applyConnection(ssh, 'ssh');
    expect(hostVars(ssh, 'a').ansible_connection).toBeUndefined();
  });
});
