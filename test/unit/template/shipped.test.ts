// The shipped templates rendered for one host of a 3-host mesh, and for a host outside any mesh.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFile } from '../../../src/template/render.js';

const TEMPLATES = resolve(import.meta.dirname, '../../../templates');

const mesh = {
  a: { ansible_host: '10.0.0.1', docker_subnet: '192.168.1.0/24', bridge_cidr: '192.168.1.1/24' },
  b: { ansible_host: '10.0.0.2', docker_subnet: '192.168.2.0/24', bridge_cidr: '192.168.2.1/24' },
  c: { ansible_host: '10.0.0.3', docker_subnet: '192.168.3.0/24', bridge_cidr: '192.168.3.1/24' },
};
const meshVars = (h: keyof typeof mesh) => ({
  ...mesh[h],
  inventory_hostname: h,
  groups: { all: Object.keys(mesh), mesh: Object.keys(mesh) },
  hostvars: mesh,
});
const plainVars = { inventory_hostname: 'lone', groups: { all: ['lone'] }, hostvars: { lone: {} } };

const render = (name: string, vars: Record<string, unknown>, host: string) => renderFile(join(TEMPLATES, name), vars, host);

function shellSyntaxOk(script: string): void {
  const f = join(mkdtempSync(join(tmpdir(), 'rb-tpl-')), 'autorun.sh');
  writeFileSync(f, script);
  execFileSync('sh', ['-n', f]); // throws on a syntax error
}

describe('autorun.sh.hbs', () => {
  it('on a mesh host: makes br0 when missing, re-enslaves obr0 and restores a route to each peer only', () => {
    const out = render('autorun.sh.hbs', meshVars('b'), 'b');
    shellSyntaxOk(out);
    expect(out).toContain('ovs-vsctl --no-wait init');
    expect(out).toContain('ip addr add 192.168.2.1/24 dev br0');
    expect(out).toContain('ip link set br0 mtu 1400 up');
    expect(out).toContain('ip link set obr0 master br0');
    const routes = out.split('\n').filter((l) => l.startsWith('ip route replace'));
    expect(routes.map((l) => l.split(' || ')[0])).toEqual([
      'ip route replace 192.168.1.0/24 via 10.0.0.1',
      'ip route replace 192.168.3.0/24 via 10.0.0.3',
    ]);
    // A peer not reachable at boot must not stop the script (set -e) before it ends.
    for (const l of routes) expect(l).toMatch(/ \|\| echo "autorun.sh: no route to .* yet" >&2$/);
    expect(out).not.toMatch(/\n\n\n/);
  });

  it('outside a mesh: only Open vSwitch, no bridge made and no route', () => {
    const out = render('autorun.sh.hbs', plainVars, 'lone');
    shellSyntaxOk(out);
    expect(out).toContain('ovs-vswitchd');
    expect(out).not.toContain('ip route');
    expect(out).not.toContain('ip link add');
  });
});

describe('ifcfg-br0.hbs', () => {
  it('carries the address, netmask and the same MTU the bridge task sets', () => {
    const out = render('ifcfg-br0.hbs', meshVars('a'), 'a');
    expect(out).toContain('IPADDR=192.168.1.1\n');
    expect(out).toContain('NETMASK=255.255.255.0\n');
    expect(out).toContain('MTU=1400\n');
    expect(render('ifcfg-br0.hbs', { ...meshVars('a'), mtu: 1450 }, 'a')).toContain('MTU=1450\n');
  });
});
