import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../../src/errors.js';
import { checkTemplateSyntax, hasTemplate, renderFile, renderHandlebars, renderValue } from '../../../src/template/render.js';

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

describe('renderHandlebars (.hbs files)', () => {
  it('renders variables, paths, each and lookups', () => {
    expect(renderHandlebars('{{name}}:{{ port }}', vars, {})).toBe('web1:8080');
    expect(renderHandlebars('{{nested.deep.v}}', vars, {})).toBe('x');
    expect(renderHandlebars('{{#each items}}{{n}},{{/each}}', vars, {})).toBe('one,two,');
    expect(renderHandlebars('{{#each items}}{{@index}}{{@root.name}} {{/each}}', vars, {})).toBe('0web1 1web1 ');
    expect(renderHandlebars('{{lookup nested "list"}}', vars, {})).toBe('1,2');
    expect(renderHandlebars('{{empty}}|', vars, {})).toBe('|');
  });

  it('never reaches prototype properties', () => {
    expect(renderHandlebars('[{{lookup nested "constructor"}}]', vars, {})).toBe('[]');
    expect(renderHandlebars('{{#if nested.constructor}}y{{else}}n{{/if}}', vars, {})).toBe('n');
    expect(() => renderValue('{{ nested.toString }}', vars)).toThrow(TemplateError);
    expect(() => renderValue('{{ nested.constructor }}', vars)).toThrow(TemplateError);
  });

  it('does not HTML-escape (noEscape)', () => {
    expect(renderHandlebars('{{quote}}', vars, {})).toBe(`say "hi" & <bye>`);
    expect(renderHandlebars("{{json 'a&b'}}", vars, {})).toBe('"a&b"');
  });

  it('names file, line, host and variable for an undefined variable', () => {
    const e = thrown(() => renderHandlebars('line one\nport={{ prot }}\n', vars, { file: 'app.conf.hbs', host: 'web1' }));
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
    const e = thrown(() => renderHandlebars('{{ nested.missing }}', vars, { at, host: 'db1' }));
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
    expect(() => renderHandlebars(src, vars, {})).toThrow(/is undefined/);
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
    expect(renderHandlebars(src, vars, {})).toBe(out);
  });

  it('reports syntax errors with their line', () => {
    const e = thrown(() => renderHandlebars('ok\nok\n{{#if x}}\n{{/each}}', vars, { file: 't.hbs' }));
    expect(e.message).toContain('t.hbs');
    expect(e.message).toMatch(/syntax error at line 3/);
    const e2 = thrown(() => renderHandlebars('a\n\nb {{ x', vars, { file: 't.hbs' }));
    expect(e2.message).toMatch(/syntax error at line 3/);
    expect(e2.at).toEqual({ file: 't.hbs', line: 3 });
  });

  it('names a missing helper and suggests a near one', () => {
    const e = thrown(() => renderHandlebars('{{netmsk "10.0.0.1/8"}}', vars, {}));
    expect(e.message).toContain('netmsk');
    expect(e.hint).toContain('did you mean "netmask"?');
  });
});

describe('checkTemplateSyntax / hasTemplate (Jinja)', () => {
  it('parses without rendering', () => {
    expect(() => checkTemplateSyntax('{{ not_defined_is_fine }}', { file: 'p.yaml', line: 3 })).not.toThrow();
    const e = thrown(() => checkTemplateSyntax('{% if a %}', { file: 'p.yaml', line: 3 }));
    expect(e.at).toEqual({ file: 'p.yaml', line: 3 });
    expect(e.message).toContain('not closed');
  });

  it('rejects an unknown filter at load, with a did-you-mean', () => {
    const e = thrown(() => checkTemplateSyntax('{{ x | lenght }}', { file: 'p.yaml', line: 7 }));
    expect(e.message).toContain("no filter named 'lenght'");
    expect(e.hint).toContain('did you mean "length"?');
    expect(e.at).toEqual({ file: 'p.yaml', line: 7 });
  });

  it('detects {{ and {%', () => {
    expect(hasTemplate('a {{ b }}')).toBe(true);
    expect(hasTemplate('{% if x %}y{% endif %}')).toBe(true);
    expect(hasTemplate('plain')).toBe(false);
    expect(hasTemplate(3)).toBe(false);
  });
});

describe('renderValue (Jinja)', () => {
  it('keeps native types for a lone {{ expression }}', () => {
    expect(renderValue('{{ tags }}', vars)).toEqual(['a', 'b']);
    expect(renderValue('{{port}}', vars)).toBe(8080);
    expect(renderValue('{{ nested.deep }}', vars)).toEqual({ v: 'x' });
    expect(renderValue('{{ nested.list.1 }}', vars)).toBe(2);
    expect(renderValue('{{ nested.list[-1] }}', vars)).toBe(2);
    expect(renderValue('{{ empty }}', vars)).toBeNull();
  });

  it('renders strings deep inside lists and mappings and leaves the rest alone', () => {
    const input = { a: ['{{ name }}-x', 3, true], b: { c: 'port {{port}}', d: null }, e: 'plain' };
    expect(renderValue(input, vars)).toEqual({ a: ['web1-x', 3, true], b: { c: 'port 8080', d: null }, e: 'plain' });
    expect(renderValue("{{ missing | default('z') }}", vars)).toBe('z');
    expect(renderValue('{{ name | upper }}', vars)).toBe('WEB1');
  });

  it('drops a key whose value is omit', () => {
    expect(renderValue({ a: '{{ x | default(omit) }}', b: 1 }, { ...vars, omit: '__omit_place_holder__runbook' })).toEqual({ b: 1 });
  });

  it('is strict for a lone path too, naming variable, host and place', () => {
    const e = thrown(() => renderValue('{{ nested.nope }}', vars, { at: { file: 'p.yaml', line: 9 }, host: 'h1' }));
    expect(e.message).toContain("'dict object' has no attribute 'nope'");
    expect(e.message).toContain('h1');
    expect(e.at).toEqual({ file: 'p.yaml', line: 9 });
    expect(e.hint).toContain("nested.nope | default('…')");
  });
});

describe('renderFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-tpl-'));
  const file = join(dir, 'app.conf.hbs');
  writeFileSync(file, 'host={{ name }}\ngw={{ host_addr net 1 }}\nx={{ nope }}\n');

  it('renders a .hbs file with Handlebars and names it, the line and host on error', () => {
    const ok = join(dir, 'ok.hbs');
    writeFileSync(ok, 'gw={{ host_addr net 1 }}/{{ prefix net }}\n');
    expect(renderFile(ok, { net: '10.1.0.0/16' }, 'h')).toBe('gw=10.1.0.1/16\n');
    const e = thrown(() => renderFile(file, { ...vars, net: '10.1.0.0/16' }, 'web1'));
    expect(e.message).toContain(file);
    expect(e.message).toContain('line 3');
    expect(e.message).toContain('"nope"');
    expect(e.message).toContain('web1');
  });

  it('renders any other file as Jinja, as Ansible template does (trim_blocks, #jinja2 header, includes beside it)', () => {
    const j2 = join(dir, 'app.conf.j2');
    writeFileSync(join(dir, 'part.j2'), 'part {{ name }}\n');
    writeFileSync(
      j2,
      '# {{ ansible_managed }}\n{% for t in tags %}\ntag={{ t }}\n{% endfor %}\n{% include "part.j2" %}\ngw={{ net | host_addr(1) }}\n',
    );
    expect(renderFile(j2, { ...vars, net: '10.1.0.0/16' }, 'h')).toBe('# Ansible managed\ntag=a\ntag=b\npart web1\ngw=10.1.0.1\n');
    const hdr = join(dir, 'hdr.j2');
    writeFileSync(hdr, '#jinja2: trim_blocks: False\n{% if true %}\nx\n{% endif %}\n');
    expect(renderFile(hdr, vars)).toBe('\nx\n\n');
  });

  it('names file, line, column and host for an undefined variable in a .j2', () => {
    const bad = join(dir, 'bad.j2');
    writeFileSync(bad, 'ok\n{% if name %}\nport={{ prot }}\n{% endif %}\n');
    const e = thrown(() => renderFile(bad, vars, 'web1'));
    expect(e.message).toBe(`template ${bad} line 3: 'prot' is undefined for host web1`);
    expect(e.at).toEqual({ file: bad, line: 3, col: 9 });
    expect(e.hint).toContain('did you mean "port"?');
  });

  it('names a missing file with a hint', () => {
    const e = thrown(() => renderFile(join(dir, 'absent.hbs'), vars));
    expect(e.message).toContain('absent.hbs');
    expect(e.message).toContain('not found');
    expect(e.hint).toBeTruthy();
    expect(() => renderFile(join(dir, 'absent.j2'), vars)).toThrow(/not found/);
  });
});

// Ansible's Templar returns a lone variable holding a number or a boolean as it is (SINGLE_VAR); its pattern ends in
// Python's `$`, which also matches before a final newline. ansible-playbook with `content="{{ n }}\n"` writes "2".
describe("renderValue: Ansible's lone-variable shortcut", () => {
  it('a number or boolean variable followed by one newline is the value (the newline lost), as in ansible-core 2.14', () => {
    expect(renderValue('{{ port }}\n', vars)).toBe(8080);
    expect(renderValue('{{port}}\n', { port: true })).toBe(true);
    expect(renderValue('{{ port }}', vars)).toBe(8080);
  });

  it('anything else renders as text and keeps its newline', () => {
    expect(renderValue('{{ name }}\n', vars)).toBe('web1\n');
    expect(renderValue('{{ port }}\n\n', vars)).toBe('8080\n\n');
    expect(renderValue('{{ port + 1 }}\n', vars)).toBe('8081\n');
    expect(renderValue(' {{ port }}\n', vars)).toBe(' 8080\n');
  });
});
