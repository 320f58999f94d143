import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../../src/errors.js';
import { checkTemplateSyntax, hasTemplate, renderFile, renderString, renderValue } from '../../../src/template/render.js';

const vars = {
  name: 'web1',
  port: 8080,
  tags: ['a', 'b'],
  nested: { list: [1, 2], deep: { v: 'x' } },
  items: [{ n: 'one' }, { n: 'two' }],
  quote: `say "hi" & <bye>`,
  empty: null,
};

function thrown(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return e as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

describe('renderString', () => {
  it('renders variables, paths, each and lookups', () => {
    expect(renderString('{{name}}:{{ port }}', vars, {})).toBe('web1:8080');
    expect(renderString('{{nested.deep.v}}', vars, {})).toBe('x');
    expect(renderString('{{#each items}}{{n}},{{/each}}', vars, {})).toBe('one,two,');
    expect(renderString('{{#each items}}{{@index}}{{@root.name}} {{/each}}', vars, {})).toBe('0web1 1web1 ');
    expect(renderString('{{lookup nested "list"}}', vars, {})).toBe('1,2');
    expect(renderString('{{empty}}|', vars, {})).toBe('|');
  });

  it('never reaches prototype properties', () => {
    expect(renderString('[{{lookup nested "constructor"}}]', vars, {})).toBe('[]');
    expect(renderString('{{#if nested.constructor}}y{{else}}n{{/if}}', vars, {})).toBe('n');
    expect(() => renderValue('{{ nested.toString }}', vars)).toThrow(TemplateError);
  });

  it('does not HTML-escape (noEscape)', () => {
    expect(renderString('{{quote}}', vars, {})).toBe(`say "hi" & <bye>`);
    expect(renderString("{{json 'a&b'}}", vars, {})).toBe('"a&b"');
  });

  it('names file, line, host and variable for an undefined variable', () => {
    const e = thrown(() => renderString('line one\nport={{ prot }}\n', vars, { file: 'app.conf.hbs', host: 'web1' }));
    expect(e.message).toContain('template app.conf.hbs');
    expect(e.message).toContain('line 2');
    expect(e.message).toContain('"prot"');
    expect(e.message).toContain('web1');
    expect(e.at).toEqual({ file: 'app.conf.hbs', line: 2 });
    expect(e.hint).toContain('did you mean "port"?');
    expect(e.hint).toContain('host_vars/group_vars');
    expect(e.hint).toContain('{{#if prot}}');
  });

  it('says "inline" and uses the given location for inline strings', () => {
    const at = { file: 'site.yaml', line: 12 };
    const e = thrown(() => renderString('{{ nested.missing }}', vars, { at, host: 'db1' }));
    expect(e.message).toMatch(/^inline template at site\.yaml:12 line 1: variable "nested\.missing" is undefined for host db1/);
    expect(e.at).toEqual(at);
  });

  it.each([
    ['{{missing}}'],
    ['{{json missing}}'],
    ['{{join missing ","}}'],
    ['{{#each missing}}x{{/each}}'],
    ['{{#each items}}{{nope}}{{/each}}'],
    ['{{#if (eq missing 1)}}x{{/if}}'],
    ['{{name.a.b}}'],
    ['{{constructor}}'],
    ['{{nested.constructor}}'],
  ])('is strict in %s', (src) => {
    expect(() => renderString(src, vars, {})).toThrow(/is undefined/);
  });

  it.each([
    ['{{#if missing}}yes{{else}}no{{/if}}', 'no'],
    ['{{#if missing.deep.path}}yes{{else}}no{{/if}}', 'no'],
    ['{{#unless missing}}u{{/unless}}', 'u'],
    ['{{default missing "d"}}', 'd'],
    ['{{default nested.nope "d"}}', 'd'],
    ['{{default empty "d"}}', 'd'],
    ['{{default port 1}}', '8080'],
    ['{{#if (and missing port)}}y{{else}}n{{/if}}', 'n'],
    ['{{#if (or missing port)}}y{{else}}n{{/if}}', 'y'],
    ['{{#if (not missing)}}y{{/if}}', 'y'],
    ['{{#if name}}{{name}}{{/if}}', 'web1'],
  ])('lets explicit tests see missing variables: %s', (src, out) => {
    expect(renderString(src, vars, {})).toBe(out);
  });

  it('reports syntax errors with their line', () => {
    const e = thrown(() => renderString('ok\nok\n{{#if x}}\n{{/each}}', vars, { file: 't.hbs' }));
    expect(e.message).toContain('t.hbs');
    expect(e.message).toMatch(/syntax error at line 3/);
    const e2 = thrown(() => renderString('a\n\nb {{ x', vars, { file: 't.hbs' }));
    expect(e2.message).toMatch(/syntax error at line 3/);
    expect(e2.at).toEqual({ file: 't.hbs', line: 3 });
  });

  it('names a missing helper and suggests a near one', () => {
    const e = thrown(() => renderString('{{netmsk "10.0.0.1/8"}}', vars, {}));
    expect(e.message).toContain('netmsk');
    expect(e.hint).toContain('did you mean "netmask"?');
  });
});

describe('checkTemplateSyntax / hasTemplate', () => {
  it('parses without rendering', () => {
    expect(() => checkTemplateSyntax('{{ not_defined_is_fine }}', { file: 'p.yaml', line: 3 })).not.toThrow();
    const e = thrown(() => checkTemplateSyntax('{{#if a}}', { file: 'p.yaml', line: 3 }));
    expect(e.at).toEqual({ file: 'p.yaml', line: 3 });
    expect(e.message).toContain('p.yaml:3');
  });

  it('runs the compiler phase, not only the parser', () => {
    // Parses fine; only Handlebars' compiler phase rejects a partial with two positional arguments.
    const e = thrown(() => checkTemplateSyntax('{{> part a b }}', { file: 'p.yaml', line: 7 }));
    expect(e.message).toContain('Unsupported number of partial arguments: 2');
    expect(e.at).toEqual({ file: 'p.yaml', line: 7 });
  });

  it('detects {{', () => {
    expect(hasTemplate('a {{ b }}')).toBe(true);
    expect(hasTemplate('plain')).toBe(false);
    expect(hasTemplate(3)).toBe(false);
  });
});

describe('renderValue', () => {
  it('keeps native types for a lone mustache path', () => {
    expect(renderValue('{{ tags }}', vars)).toEqual(['a', 'b']);
    expect(renderValue('{{port}}', vars)).toBe(8080);
    expect(renderValue('{{ nested.deep }}', vars)).toEqual({ v: 'x' });
    expect(renderValue('{{ nested.list.1 }}', vars)).toBe(2);
    expect(renderValue('{{ empty }}', vars)).toBeNull();
  });

  it('renders strings deep inside lists and mappings and leaves the rest alone', () => {
    const input = { a: ['{{ name }}-x', 3, true], b: { c: 'port {{port}}', d: null }, e: 'plain' };
    expect(renderValue(input, vars)).toEqual({ a: ['web1-x', 3, true], b: { c: 'port 8080', d: null }, e: 'plain' });
    expect(renderValue('{{ default missing "z" }}', vars)).toBe('z');
    expect(renderValue('{{ upper name }}', vars)).toBe('WEB1');
  });

  it('is strict for a lone path too', () => {
    const e = thrown(() => renderValue('{{ nested.nope }}', vars, { at: { file: 'p.yaml', line: 9 }, host: 'h1' }));
    expect(e.message).toContain('"nested.nope"');
    expect(e.message).toContain('h1');
  });
});

describe('renderFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-tpl-'));
  const file = join(dir, 'app.conf.hbs');
  writeFileSync(file, 'host={{ name }}\ngw={{ host_addr net 1 }}\nx={{ nope }}\n');

  it('renders a file and names it, the line and host on error', () => {
    const ok = join(dir, 'ok.hbs');
    writeFileSync(ok, 'gw={{ host_addr net 1 }}/{{ prefix net }}\n');
    expect(renderFile(ok, { net: '10.1.0.0/16' }, 'h')).toBe('gw=10.1.0.1/16\n');
    const e = thrown(() => renderFile(file, { ...vars, net: '10.1.0.0/16' }, 'web1'));
    expect(e.message).toContain(file);
    expect(e.message).toContain('line 3');
    expect(e.message).toContain('"nope"');
    expect(e.message).toContain('web1');
  });

  it('names a missing file with a hint', () => {
    const e = thrown(() => renderFile(join(dir, 'absent.hbs'), vars));
    expect(e.message).toContain('absent.hbs');
    expect(e.message).toContain('not found');
    expect(e.hint).toBeTruthy();
  });
});

describe('renderValue keeps numbers from a lone helper call', () => {
  it.each([
    ['{{default mtu 1400}}', {}, 1400],
    ['{{default mtu 1400}}', { mtu: 1450 }, 1450],
    ['{{default on true}}', {}, true],
    ['mtu {{default mtu 1400}}', {}, 'mtu 1400'],
    ['{{default name "1.2.3.4"}}', {}, '1.2.3.4'],
  ] as [string, Record<string, unknown>, unknown][])('%s with %j → %j', (src, vars, want) => {
    expect(renderValue(src, vars)).toEqual(want);
  });
});
