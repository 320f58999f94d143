import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../../src/errors.js';
import { checkExpression, evalBool, evalBoolIfCan, evaluate } from '../../../src/expr/eval.js';

const vars: Record<string, unknown> = {
  a: 1,
  n: 10,
  s: 'Hello World',
  num_str: '42',
  list: [1, 2, 3],
  words: ['x', 'y'],
  empty: [],
  blank: '',
  zero: 0,
  m: { k: 'v', inner: { deep: true }, nothing: null },
  z: null,
  os: 'debian',
  ok: { changed: false, failed: false, rc: 0, stdout: 'all good\nline2', skipped: false },
  bad: { changed: true, failed: true, rc: 2, stdout: '' },
  skip: { changed: false, skipped: true },
  flag: 'yes',
};

const table: [string, unknown][] = [
  ['a == 1', true],
  ['a == "1"', false],
  ['a != 2', true],
  ['n > 5', true],
  ['n >= 10', true],
  ['n < 10', false],
  ['n <= 9', false],
  ['a == 1 and n == 10', true],
  ['a == 2 or n == 10', true],
  ['not a == 2', true],
  ['not (a == 1)', false],
  ['a == 1 and not n == 10 or os == "debian"', true],
  ['not a == 1 or not n == 10', false],
  ["os in ['debian', 'ubuntu']", true],
  ["'World' in s", true],
  ['4 not in list', true],
  ['2 not in list', false],
  ["'k' in m", true],
  ['m.k', 'v'],
  ["m['k']", 'v'],
  ['m.inner.deep', true],
  ['list[0]', 1],
  ['list[-1]', 3],
  ["s[0] == 'H'", true],
  ['"str" == \'str\'', true],
  ['3.5 > 3', true],
  ['True', true],
  ['False or false', false],
  ['true and True', true],
  ['none', null],
  ['None', null],
  ['z == None', true],
  ['x is defined', false],
  ['a is defined', true],
  ['x is not defined', true],
  ['x is undefined', true],
  ['m.nope is defined', false],
  ['missing.deep.chain is defined', false],
  ['x is defined and x > 1', false],
  ['not x is defined', true],
  ['z is none', true],
  ['m.nothing is none', true],
  ['a is not none', true],
  ['ok is changed', false],
  ['bad is changed', true],
  ['bad is failed', true],
  ['ok is not failed', true],
  ['ok is succeeded', true],
  ['ok is success', true],
  ['bad is success', false],
  ['skip is skipped', true],
  ["ok.stdout is search('good')", true],
  ["ok.stdout is match('good')", false],
  ['list | length', 3],
  ['m | length', 3],
  ['s|length > 5', true],
  ['num_str | int + 1', 43],
  ["'3.9' | int", 3],
  ["'abc' | int", 0],
  ["'2.5' | float", 2.5],
  ['flag | bool', true],
  ["'no' | bool", false],
  ['a | string', '1'],
  ['s | lower', 'hello world'],
  ['s | upper', 'HELLO WORLD'],
  ["'  pad  ' | trim", 'pad'],
  ['x | default(5)', 5],
  ['x | d("q")', 'q'],
  ['a | default(5)', 1],
  ['m.nope.deeper | default("dd")', 'dd'],
  ["blank | default('e', true)", 'e'],
  ['list | first', 1],
  ['list | last', 3],
  ['words | join(",")', 'x,y'],
  ["s | split(' ')", ['Hello', 'World']],
  ['"a  b c" | split | length', 3],
  ["s | split | join('-') | lower", 'hello-world'],
  ['(x | default([])) | length == 0', true],
  ['empty', []],
  ['not empty', true],
  ['not blank', true],
  ['not zero', true],
  ['[1, 2] == [1, 2]', true],
  ["{'k': 'v'} == {'k': 'v'}", true],
  ["s.startswith('Hello') and s.split()[1] == 'World'", true],
  ['list[-1] + list[0]', 4],
  ["m.get('nope', 'd')", 'd'],
  ["'ubuntu' if os == 'debian' else 'rhel'", 'ubuntu'],
  ['ok.rc == 0 and ok is not failed', true],
  ["s == 'x is defined and not in'", false],
  ["'not in' in 'is not in here'", true],
  ['{{ a == 1 }}', true],
  ['{{ list | length }}', 3],
];

describe('evaluate', () => {
  it('has a table of at least 40 rows', () => expect(table.length).toBeGreaterThanOrEqual(40));

  it.each(table)('%s → %j', (expr, expected) => {
    expect(evaluate(expr, vars)).toEqual(expected);
  });
});

describe('evalBool', () => {
  it.each([
    [true, true],
    [false, false],
    ['a == 1', true],
    [['a == 1', 'n == 10'], true],
    [['a == 1', 'n == 11'], false],
    [[], true],
    ['empty', false],
    ['list', true],
    ['blank', false],
    ['zero', false],
    ['m', true],
    ['z', false],
  ] as [string | string[] | boolean, boolean][])('%j → %s', (exprs, expected) => {
    expect(evalBool(exprs, vars)).toBe(expected);
  });
});

function thrown(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return e as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('evalBoolIfCan', () => {
  // evalBool's answer where it has one; undefined where evalBool throws
  const cases: [string | string[] | boolean, boolean | undefined][] = [
    ['a == 1', true],
    [['a == 1', 'os == "redhat"'], false],
    ['"{{ os }}" == "debian"', true],
    [false, false],
    ['item != inventory_hostname', undefined],
    ['s | no_such_filter', undefined],
    ['a ==', undefined],
  ];
  it.each(cases)('%j', (expr, want) => {
    expect(evalBoolIfCan(expr, vars)).toBe(want);
    if (want === undefined) expect(() => evalBool(expr, vars)).toThrow();
    else expect(evalBool(expr, vars)).toBe(want);
  });
});

describe('errors', () => {
  const at = { file: 'site.yaml', line: 7 };

  it('names an undefined variable, with a suggestion and the location', () => {
    const e = thrown(() => evaluate('oss == "debian"', vars, at));
    expect(e.message).toContain("'oss' is undefined");
    expect(e.message).toContain('oss == "debian"');
    expect(e.at).toEqual(at);
    expect(e.hint).toContain('did you mean "os"?');
    expect(e.hint).toContain('is defined');
  });

  it('names an undefined attribute', () => {
    expect(() => evaluate('m.nope == 1', vars)).toThrow("'dict object' has no attribute 'nope'");
    expect(() => evaluate('m.nothing.x', vars)).toThrow("'NoneType' has no attribute 'x'");
    expect(() => evaluate('list[7]', vars)).toThrow('list object has no element 7');
  });

  it('evaluates lazily: the right side of a decided and/or is never read', () => {
    expect(evaluate('a == 2 and x', vars)).toBe(false);
    expect(evaluate('a == 1 or x', vars)).toBe(true);
    expect(() => evaluate('a == 1 and x', vars)).toThrow("'x' is undefined");
  });

  it.each([
    ['a ==', /unexpected end of template/],
    ['a = = 1', /invalid expression/],
    ["'open", /unterminated string/],
    ['a is', /test name/],
    ['a is frobbed', /no test named 'frobbed'/],
    ['a | lenght', /no filter named 'lenght'/],
    ['a b', /expected the end of the expression/],
    ['   ', /empty/],
  ])('checkExpression rejects %j', (expr, re) => {
    const e = thrown(() => checkExpression(expr, at));
    expect(e.message).toMatch(re);
    expect(e.message).toContain(expr.trim() ? expr : 'empty');
    expect(e.at).toEqual(at);
    expect(e.hint).toBeTruthy();
  });

  it('suggests a near filter name', () => {
    expect(thrown(() => checkExpression('a | lenght', at)).hint).toContain('did you mean "length"?');
  });

  it('accepts valid expressions without evaluating them', () => {
    expect(() => checkExpression('undefined_var is defined and undefined_var.x == 1', at)).not.toThrow();
  });

  it('reports a type error as an ExpressionError', () => {
    expect(() => evaluate('a | length', vars)).toThrow(ExpressionError);
    expect(() => evaluate('1 in a', vars)).toThrow("argument of type 'int' is not iterable");
  });
});

describe('sandbox', () => {
  it.each([
    'constructor',
    'constructor.constructor',
    'm.constructor',
    "m['constructor']",
    "m['__proto__']",
    's.constructor',
    "list['constructor']",
    "s['toString']",
    'a.__proto__',
    "m['hasOwnProperty']",
  ])('%s gives no access to JS internals', (expr) => {
    let out: unknown;
    try {
      out = evaluate(expr, vars);
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      return;
    }
    expect(typeof out).not.toBe('function');
    expect(out).toBeUndefined();
  });

  it('never calls functions found in variables', () => {
    const evil = { f: () => 'called' };
    expect(() => evaluate('f()', evil)).toThrow(ExpressionError);
    expect(evaluate('f is defined', evil)).toBe(true);
  });
});

describe('subnet_overlaps', () => {
  const hostvars = {
    h1: { docker_subnet: '192.168.1.0/24' },
    h2: { docker_subnet: '192.168.2.0/24' },
    h3: { docker_subnet: '192.168.1.128/25' },
    h4: {},
  };
  const vars = (me: string) => ({ hostvars, groups: { mesh: ['h1', 'h2', 'h3', 'h4'] }, inventory_hostname: me });
  const expr = "hostvars | subnet_overlaps(groups.mesh, inventory_hostname, 'docker_subnet')";
  it.each([
    ['h1', ['h3']],
    ['h2', []],
    ['h3', ['h1']],
    ['h4', []],
  ])('%s overlaps %j', (me, want) => {
    expect(evaluate(expr, vars(me))).toEqual(want);
  });
  it('a malformed subnet names the host', () => {
    const bad = { ...vars('h1'), hostvars: { ...hostvars, h2: { docker_subnet: '192.168.2.0/33' } } };
    expect(() => evaluate(expr, bad)).toThrow(/host h2: docker_subnet/);
  });
});
