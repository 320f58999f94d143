// The engine against Python's Jinja2 (fixture recorded by scripts/jinja-engine-oracle.py) and Ansible's rules on top.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTemplate, errorPosition, evaluate, OMIT, render, renderString } from '../../../src/jinja/index.js';
import { JinjaError, UndefinedError } from '../../../src/jinja/values.js';

const oracle = JSON.parse(readFileSync(new URL('../../fixtures/jinja/engine-oracle.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
  cases: { template: string; output?: string; error?: string }[];
};

describe('templates render as Python Jinja2 renders them (trim_blocks, as Ansible)', () => {
  it.each(oracle.cases.map((c) => [c.template, c]))('%j', (_t, c) => {
    const ctx = structuredClone(oracle.context);
    if (c.error !== undefined) expect(() => render(compileTemplate(c.template), ctx)).toThrow();
    else expect(render(compileTemplate(c.template), ctx)).toBe(c.output);
  });
});

describe('Ansible rules', () => {
  const vars = { pkgs: ['a', 'b'], port: 80, d: { k: 1 }, s: 'x', omit: OMIT };

  it('a lone {{ expr }} keeps its type; anything around it makes a string', () => {
    expect(renderString('{{ pkgs }}', vars)).toEqual(['a', 'b']);
    expect(renderString('{{ port + 1 }}', vars)).toBe(81);
    expect(renderString('{{ d }}', vars)).toEqual({ k: 1 });
    expect(renderString(' {{ port }}', vars)).toBe(' 80');
    expect(renderString('{{ pkgs }} ', vars)).toBe("['a', 'b'] ");
    expect(renderString('no template', vars)).toBe('no template');
  });

  it('undefined is strict but chainable: defined tests and default see through, any other use names the variable', () => {
    expect(evaluate('nope is defined', vars)).toBe(false);
    expect(evaluate('nope.a.b is defined', vars)).toBe(false);
    expect(evaluate("d.missing | default('z')", vars)).toBe('z');
    expect(evaluate('nope is undefined', vars)).toBe(true);
    expect(() => renderString('{{ nope }}', vars)).toThrow("'nope' is undefined");
    expect(() => renderString('x{{ d.missing }}', vars)).toThrow("'dict object' has no attribute 'missing'");
    expect(() => evaluate('nope == 1', vars)).toThrow(UndefinedError);
    expect(() => evaluate('nope', vars)).toThrow(UndefinedError);
    expect(() => renderString('{% if nope %}x{% endif %}', vars)).toThrow("'nope' is undefined");
  });

  it('an error carries the line and column where it happened', () => {
    try {
      renderString('line one\n{{ s }} and {{ d.k.zz.y }}\n', vars);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JinjaError);
      expect(errorPosition(e as JinjaError)).toEqual({ line: 2, col: 20 });
    }
  });

  it('syntax errors and unknown filters fail at compile time with a position', () => {
    expect(() => compileTemplate('{% if x %}no end')).toThrow(/not closed/);
    expect(() => compileTemplate('{{ x | nofilter }}')).toThrow("no filter named 'nofilter'");
    expect(() => compileTemplate('{{ x is nosuchtest }}')).toThrow("no test named 'nosuchtest'");
    expect(() => compileTemplate('{{ x | lenght }}')).toThrow(JinjaError);
    try {
      compileTemplate('ok\n  {{ 1 + }}');
    } catch (e) {
      expect(errorPosition(e as JinjaError)?.line).toBe(2);
    }
  });

  it('FQCN filter and test names resolve to the short ones', () => {
    expect(evaluate("'a' | ansible.builtin.upper", vars)).toBe('A');
    expect(evaluate("'1.2' is ansible.builtin.version('1.1', '>')", vars)).toBe(true);
  });

  it('Python methods on strings, lists and dicts', () => {
    expect(evaluate("'a b  c'.split()", vars)).toEqual(['a', 'b', 'c']);
    expect(evaluate("'  x '.strip() ~ 'abc'.upper()", vars)).toBe('xABC');
    expect(evaluate("d.get('k') + d.get('no', 5)", vars)).toBe(6);
    expect(evaluate('d.items() | list', vars)).toEqual([['k', 1]]);
    expect(evaluate("'{}-{}'.format(1, 'a')", vars)).toBe('1-a');
    expect(evaluate("pkgs.index('b')", vars)).toBe(1);
  });

  it('lookups run on the controller', () => {
    process.env.RUNBOOK_TEST_LOOKUP = 'v1';
    expect(evaluate("lookup('env', 'RUNBOOK_TEST_LOOKUP')", vars)).toBe('v1');
    expect(evaluate("lookup('pipe', 'echo hi')", vars)).toBe('hi');
    expect(evaluate("query('items', [1, 2])", vars)).toEqual([1, 2]);
    expect(() => evaluate("lookup('nosuch', 'x')", vars)).toThrow(/not supported/);
  });

  it('mutating list methods and namespaces behave as in Jinja2', () => {
    expect(renderString('{% set l = [] %}{% do l.append(1) %}{{ l }}', vars)).toBe('[1]');
  });

  it('Python arithmetic errors are errors, not NaN', () => {
    expect(() => evaluate('1 / 0', vars)).toThrow('division by zero');
    expect(() => evaluate("'a' + 1", vars)).toThrow("unsupported operand type(s) for +: 'str' and 'int'");
    expect(() => evaluate("'a' < 1", vars)).toThrow("'<' not supported");
  });

  it('a variable whose value is a template is rendered on use, deeply and keeping types, as in Ansible', () => {
    const v = { base: '/srv', conf: '{{ base }}/conf', port: '{{ 8000 + 80 }}', cfg: { path: '{{ conf }}/app', list: ['{{ base }}'] } };
    expect(renderString('{{ conf }}', v)).toBe('/srv/conf');
    expect(renderString('{{ port }}', v)).toBe(8080);
    expect(renderString('{{ cfg.path }}', v)).toBe('/srv/conf/app');
    expect(renderString('{{ cfg.list }}', v)).toEqual(['/srv']);
    expect(() => renderString('{{ a }}', { a: '{{ a }}' })).toThrow(/recursive loop/);
  });

  it('a registered result or a fact is never read as a template', async () => {
    const { markUnsafe } = await import('../../../src/jinja/runtime.js');
    const r = markUnsafe({ stdout: 'literal {{ braces }}' });
    expect(renderString('{{ r.stdout }}', { r })).toBe('literal {{ braces }}');
    expect(renderString('{{ ansible_motd }}', { ansible_motd: '{{ x }}' })).toBe('{{ x }}');
  });

  it('omit is defined', () => {
    expect(renderString('{{ nope | default(omit) }}', {})).toBe(OMIT);
  });
});
