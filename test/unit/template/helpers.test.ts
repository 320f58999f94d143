import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../../src/errors.js';
import { renderHandlebars } from '../../../src/template/render.js';

const vars = {
  list: ['a', 'b', 'c'],
  obj: { k: 1 },
  n: 5,
  s: 'Hello',
  cidr: '192.168.1.77/24',
  text: 'one\ntwo',
  empty: [],
};

describe('helpers', () => {
  it.each([
    ['{{json obj}}', '{"k":1}'],
    ['{{json list 2}}', '[\n  "a",\n  "b",\n  "c"\n]'],
    ['{{json s}}', '"Hello"'],
    ['{{default nope "d"}}', 'd'],
    ['{{default s "d"}}', 'Hello'],
    ['{{join list ", "}}', 'a, b, c'],
    ['{{join list}}', 'a,b,c'],
    ['{{#if (eq n 5)}}y{{else}}n{{/if}}', 'y'],
    ['{{#if (eq n "5")}}y{{else}}n{{/if}}', 'n'],
    ['{{#if (ne s "x")}}y{{else}}n{{/if}}', 'y'],
    ['{{#if (and n s)}}y{{else}}n{{/if}}', 'y'],
    ['{{#if (and n empty)}}y{{else}}n{{/if}}', 'n'],
    ['{{#if (or empty n)}}y{{else}}n{{/if}}', 'y'],
    ['{{or empty "fallback"}}', 'fallback'],
    ['{{#if (not empty)}}y{{else}}n{{/if}}', 'y'],
    ['{{#if (lt n 6)}}y{{else}}n{{/if}}', 'y'],
    ['{{#if (gt n 6)}}y{{else}}n{{/if}}', 'n'],
    ['{{#if (le n 5)}}y{{else}}n{{/if}}', 'y'],
    ['{{#if (ge n 6)}}y{{else}}n{{/if}}', 'n'],
    ['{{lookup obj "k"}}', '1'],
    ['{{lookup list 1}}', 'b'],
    ['{{upper s}}', 'HELLO'],
    ['{{lower s}}', 'hello'],
    ['x:\n  {{indent text 2}}', 'x:\n  one\n  two'],
    ['{{network "192.168.1.1/24"}}', '192.168.1.0'],
    ['{{prefix "192.168.1.1/24"}}', '24'],
    ['{{netmask "192.168.1.1/24"}}', '255.255.255.0'],
    ['{{netmask "10.0.0.1/13"}}', '255.248.0.0'],
    ['{{netmask "0.0.0.0/0"}}', '0.0.0.0'],
    ['{{host_addr "192.168.1.0/24" 1}}', '192.168.1.1'],
    ['{{host_addr "10.0.0.0/8" 256}}', '10.0.1.0'],
    ['{{host_addr "192.168.1.0/24" -2}}', '192.168.1.254'],
    ['{{address "192.168.1.1/24"}}', '192.168.1.1'],
    ['{{cidr_network "192.168.1.1/24"}}', '192.168.1.0/24'],
    ['{{cidr_network cidr}}', '192.168.1.0/24'],
    ['{{broadcast cidr}}', '192.168.1.255'],
    ['{{network "10.1.2.3/32"}}', '10.1.2.3'],
  ])('%s → %s', (src, out) => {
    expect(renderHandlebars(src, vars, {})).toBe(out);
  });

  it.each([
    ['{{network "192.168.1.1"}}', 'network', '192.168.1.1'],
    ['{{netmask "300.1.1.1/24"}}', 'netmask', '300.1.1.1/24'],
    ['{{prefix "10.0.0.0/33"}}', 'prefix', '10.0.0.0/33'],
    ['{{address 42}}', 'address', 'number'],
    ['{{host_addr "192.168.1.0/30" 4}}', 'host_addr', '/30'],
  ])('%s is a TemplateError naming the helper and the value', (src, helper, value) => {
    let err: unknown;
    try {
      renderHandlebars(`ok\n${src}`, vars, { file: 'net.hbs', host: 'r1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${helper}:`);
    expect(msg).toContain(value);
    expect(msg).toContain('net.hbs line 2');
    expect(msg).toContain('r1');
  });

  it('join refuses a non-list', () => {
    expect(() => renderHandlebars('{{join s ","}}', vars, {})).toThrow(/join: expected a list, got string/);
  });
});

describe('mesh helpers', () => {
  const vars = { hostvars: { h2: { ansible_host: '192.168.42.131' } }, peer: 'h2' };
  it('hostvar reads another host and ip_hex names its port', () => {
    expect(renderHandlebars('gre-{{ip_hex (hostvar peer "ansible_host")}} {{hostvar peer "ansible_host"}}', vars, {})).toBe(
      'gre-c0a82a83 192.168.42.131',
    );
  });
  it('hostvar names the missing host or variable', () => {
    expect(() => renderHandlebars('{{hostvar "h9" "ansible_host"}}', vars, {})).toThrow(/no host "h9"/);
    expect(() => renderHandlebars('{{hostvar peer "bridge_cidr"}}', vars, {})).toThrow(/host "h2" has no variable "bridge_cidr"/);
  });
  it('ip_hex refuses a non-address', () => {
    expect(() => renderHandlebars('{{ip_hex "300.1.1.1"}}', {}, {})).toThrow(/expected an IPv4 address/);
  });
});

describe('merge and object build JSON configs', () => {
  it('later maps win; a missing optional map is guarded by default', () => {
    const src = '{{json (merge (default opts (object)) (object bridge="br0" mtu=1400))}}';
    expect(JSON.parse(renderHandlebars(src, { opts: { 'log-level': 'warn', bridge: 'docker0' } }, {}))).toEqual({
      'log-level': 'warn',
      bridge: 'br0',
      mtu: 1400,
    });
    expect(JSON.parse(renderHandlebars(src, {}, {}))).toEqual({ bridge: 'br0', mtu: 1400 });
  });
  it('refuses a list', () => {
    expect(() => renderHandlebars('{{json (merge xs)}}', { xs: [1] }, {})).toThrow(/merge: expected maps, got list/);
  });
});
