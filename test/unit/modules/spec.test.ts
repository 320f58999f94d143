// parseArgs: one table per rule of a module spec (types as Ansible's check_type_* convert them, free-form strings,
// aliases, choices, required, the cross-argument rules, templated values), then every module's example loads.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { PlaybookError } from '../../../src/errors.js';
import { allModules } from '../../../src/modules/registry.js';
import { type ModuleSpec, parseArgs, pyFloat, pyInt } from '../../../src/modules/spec.js';
import { withModuleTable } from '../../../src/modules/table.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { writeTree } from '../playbook/helpers.js';
import { at } from './fake-probe.js';

const SPEC: ModuleSpec = {
  args: {
    s: { description: 'a string' },
    p: { type: 'path', aliases: ['dest', 'name'], description: 'a path' },
    i: { type: 'int', description: 'an int' },
    f: { type: 'float', description: 'a float' },
    b: { type: 'bool', default: false, description: 'a bool' },
    l: { type: 'list', description: 'a list of strings' },
    li: { type: 'list', elements: 'int', description: 'a list of ints' },
    one: { type: 'list', split: false, description: 'a list, a string is one item' },
    d: { type: 'dict', description: 'a dict' },
    r: { type: 'raw', description: 'anything' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'a choice' },
  },
};
const parse = (raw: unknown, spec: ModuleSpec = SPEC) => parseArgs(spec, raw, at, 'm').v;
const err = (raw: unknown, spec: ModuleSpec = SPEC): PlaybookError => {
  try {
    parseArgs(spec, raw, at, 'm');
  } catch (e) {
    return e as PlaybookError;
  }
  throw new Error('expected parseArgs to refuse');
};

describe('types (Ansible check_type_*), also from free-form k=v strings', () => {
  test.each([
    ['s', 'x', 'x'],
    ['s', 1000, '1000'], // owner: 1000
    ['p', '/etc', '/etc'],
    ['i', 5, 5],
    ['i', '12', 12],
    ['i', ' -3 ', -3],
    ['i', '+7', 7],
    ['i', '1_000', 1000],
    ['f', 1.5, 1.5],
    ['f', '2.5', 2.5],
    ['f', '1e3', 1000],
    ['f', 3, 3],
    ['b', true, true],
    ['b', 'yes', true],
    ['b', 'No', false],
    ['b', 'TRUE', true],
    ['b', 'off', false],
    ['b', 'On', true],
    ['b', '1', true],
    ['b', '0', false],
    ['b', 'y', true],
    ['b', 'f', false],
    ['b', 1, true],
    ['b', 0, false],
    ['l', 'a,b', ['a', 'b']],
    ['l', 'a', ['a']],
    ['l', ['a', 2], ['a', '2']],
    ['l', 3, ['3']],
    ['li', '1,2', [1, 2]],
    ['li', [1, '2'], [1, 2]],
    ['one', 'x in [1, 2]', ['x in [1, 2]']],
    ['d', { a: 1 }, { a: 1 }],
    ['d', '{"a": 1}', { a: 1 }],
    ['d', 'a=1 b=2', { a: '1', b: '2' }],
    ['d', 'a=1, b="x y"', { a: '1', b: 'x y' }],
    ['r', { any: [1] }, { any: [1] }],
    ['state', 'absent', 'absent'],
  ])('%s: %j → %j', (k, v, want) => expect(parse({ [k]: v })[k]).toEqual(want));

  test.each([
    ['s', { a: 1 }, 'argument "s" must be a string, got object'],
    ['s', true, 'argument "s" must be a string, got boolean'],
    ['p', ['a'], 'argument "p" must be a string, got a list'],
    ['i', 1.5, 'argument "i" must be an integer, got number'],
    ['i', '1.5', 'argument "i" must be an integer, got "1.5"'],
    ['i', 'ten', 'argument "i" must be an integer'],
    ['f', 'fast', 'argument "f" must be a number'],
    ['b', 'maybe', 'argument "b" must be a boolean (true/false/yes/no), got "maybe"'],
    ['b', 2, 'argument "b" must be a boolean'],
    ['b', [], 'argument "b" must be a boolean'],
    ['l', { a: 1 }, 'argument "l" must be a string or a list of strings'],
    ['l', [{ a: 1 }], 'argument "l" must be a string or a list of strings'],
    ['li', 'a,b', 'argument "li" must be a list of integers'],
    ['d', 'just text', 'argument "d" must be a mapping'],
    ['d', ['a'], 'argument "d" must be a mapping'],
    ['d', '{not json', 'argument "d" must be a mapping'],
  ])('%s: %j refused', (k, v, msg) => expect(err({ [k]: v }).message).toContain(`module "m": ${msg}`));

  test('a bad boolean hints the spellings', () =>
    expect(err({ b: 'si' }).hint).toBe('write b: true or b: false (yes/no, on/off and 1/0 also work)'));
  test('Python int()/float() on strings', () => {
    expect([pyInt('0x10'), pyInt(''), pyInt('1__0'), pyInt('٣')]).toEqual([undefined, undefined, undefined, undefined]);
    expect([pyFloat('inf'), pyFloat('-Infinity'), pyFloat('.5'), pyFloat('5.')]).toEqual([Infinity, -Infinity, 0.5, 5]);
    expect(Number.isNaN(pyFloat('nan'))).toBe(true);
  });
});

describe('defaults, null, mapping, unknown keys, aliases', () => {
  test('defaults fill what is missing or null; other args stay undefined', () => {
    expect(parse({})).toEqual({
      b: false,
      state: 'present',
      s: undefined,
      p: undefined,
      i: undefined,
      f: undefined,
      l: undefined,
      li: undefined,
      one: undefined,
      d: undefined,
      r: undefined,
    });
    expect(parse({ b: null, s: null })).toMatchObject({ b: false, s: undefined });
  });
  test('a default is a copy, never shared between tasks', () => {
    const spec: ModuleSpec = { args: { l: { type: 'list', default: ['a'], description: 'x' } } };
    (parse({}, spec).l as string[]).push('b');
    expect(parse({}, spec).l).toEqual(['a']);
  });
  test.each([['a=1'], [['a']], [3]])('%j is not a mapping', (raw) =>
    expect(err(raw).message).toBe('module "m" expects a mapping of arguments'),
  );
  test('null is no arguments', () => expect(parse(null).state).toBe('present'));
  test('unknown key with a did-you-mean over names and aliases', () => {
    const e = err({ stat: 'absent' });
    expect(e.message).toBe('unknown argument "stat" for module "m"');
    expect(e.hint).toBe('did you mean "state"?');
    expect(err({ dst: '/x' }).hint).toBe('did you mean "dest"?');
  });
  test('aliases fold into their argument', () => {
    expect(parse({ dest: '/a' }).p).toBe('/a');
    expect(parse({ name: '/b' }).p).toBe('/b');
    expect(parse({ name: '/b' })).not.toHaveProperty('name');
  });
  test('each spec folds its own aliases (what is derived from a spec is kept per spec)', () => {
    const other: ModuleSpec = { args: { q: { aliases: ['dest'], description: 'x' } } };
    expect(parse({ dest: '/a' }).p).toBe('/a');
    expect(parse({ dest: '/a' }, other)).toEqual({ q: '/a' });
    expect(err({ p: '/a' }, other).message).toBe('unknown argument "p" for module "m"');
    expect(parse({ dest: '/b' }).p).toBe('/b');
  });
  test('a key named like an Object method is unknown, not an alias', () =>
    expect(err({ toString: 'x' }).message).toBe('unknown argument "toString" for module "m"'));
  test('an alias and its argument together are refused', () =>
    expect(err({ p: '/a', dest: '/b' }).message).toBe('module "m": "dest" is an alias of "p"; give only one'));
  test('an open spec keeps other keys untyped', () => {
    const open: ModuleSpec = { open: true, args: { cacheable: { type: 'bool', default: false, description: 'x' } } };
    expect(parse({ x: { y: 1 }, cacheable: 'yes' }, open)).toEqual({ x: { y: 1 }, cacheable: true });
  });
});

describe('choices', () => {
  test('refused with the choices and a did-you-mean', () => {
    const e = err({ state: 'absnt' });
    expect(e.message).toBe('module "m": argument "state" must be one of present, absent, got "absnt"');
    expect(e.hint).toBe('did you mean "absent"?');
  });
  test('numbers as choices, from a free-form string', () => {
    const spec: ModuleSpec = { args: { n: { type: 'int', choices: [1, 2], description: 'x' } } };
    expect(parse({ n: '2' }, spec).n).toBe(2);
    expect(err({ n: '3' }, spec).message).toContain('argument "n" must be one of 1, 2, got 3');
  });
});

describe('required and the cross-argument rules', () => {
  const RULES: ModuleSpec = {
    args: {
      path: { type: 'path', required: true, description: 'x' },
      content: { type: 'raw', description: 'x' },
      src: { description: 'x' },
      owner: { description: 'x' },
      group: { description: 'x' },
      state: { choices: ['present', 'absent', 'link'], default: 'present', description: 'x' },
      line: { description: 'x' },
      regexp: { description: 'x' },
      target: { description: 'x' },
      backrefs: { type: 'bool', default: false, description: 'x' },
    },
    mutually_exclusive: [['content', 'src']],
    required_one_of: [['content', 'src']],
    required_together: [['owner', 'group']],
    required_if: [
      ['state', 'present', ['line']],
      ['state', 'absent', ['regexp', 'line'], true],
      ['state', 'link', ['target'], true],
      ['backrefs', true, ['regexp'], true],
    ],
  };
  const ok = { path: '/f', content: 'x', line: 'l' };
  test.each([
    [{ content: 'x', line: 'l' }, 'missing required argument "path"'],
    [{ path: null, content: 'x', line: 'l' }, 'missing required argument "path"'],
    [{ ...ok, src: 'y' }, 'give only one of content, src'],
    [{ path: '/f', line: 'l' }, 'give one of content, src'],
    [{ ...ok, owner: 'root' }, 'give owner and group together (owner given)'],
    [{ path: '/f', content: 'x' }, 'missing required argument "line" (state=present)'],
    [{ path: '/f', content: 'x', state: 'absent' }, 'state=absent needs regexp or line'],
    [{ path: '/f', content: 'x', state: 'link' }, 'state=link needs target'],
    [{ ...ok, backrefs: 'yes' }, 'backrefs needs regexp'],
  ])('%j → %s', (raw, msg) => expect(err(raw, RULES).message).toBe(`module "m": ${msg}`));
  test.each([
    [ok],
    [{ ...ok, owner: 'root', group: 'wheel' }],
    [{ path: '/f', src: 's', state: 'absent', line: 'l' }],
    [{ path: '/f', src: 's', state: 'absent', regexp: 'r' }],
    [{ ...ok, backrefs: true, regexp: '^(a)' }],
    // a templated value may render to omit: the exclusive and together rules wait for the rendered args
    [{ ...ok, src: '{{ s | default(omit) }}' }],
    [{ ...ok, owner: 'root', group: '{{ g | default(omit) }}' }],
  ])('%j passes', (raw) => expect(() => parseArgs(RULES, raw, at, 'm')).not.toThrow());
  test.each([
    // ...but what is given for sure still counts
    [{ ...ok, owner: 'root', src: '{{ s }}' }, 'give owner and group together (owner given)'],
    [{ ...ok, src: 'y', owner: '{{ o }}', group: 'g' }, 'give only one of content, src'],
  ])('%j → %s', (raw, msg) => expect(err(raw, RULES).message).toBe(`module "m": ${msg}`));
  test('a rule not mutually exclusive says "or both"', () => {
    const spec: ModuleSpec = {
      args: { state: { description: 'x' }, enabled: { type: 'bool', description: 'x' } },
      required_one_of: [['state', 'enabled']],
    };
    expect(err({}, spec).message).toBe('module "m": give one of state, enabled or both');
  });
});

describe('templated values are checked after rendering, not at load', () => {
  test.each([
    ['i', '{{ n }}', undefined],
    ['f', '{{ n }}', undefined],
    ['b', '{{ flag }}', false], // the default meanwhile
    ['d', '{{ opts }}', undefined],
    ['s', '{{ x }}', '{{ x }}'],
    ['state', '{{ s }}', '{{ s }}'], // no choice, so no rule on it fires
    ['l', '{{ a }},{{ b }}', ['{{ a }},{{ b }}']],
    ['li', ['{{ a }}', 2], ['{{ a }}', 2]],
  ])('%s: %j → %j', (k, v, want) => expect(parse({ [k]: v })[k]).toEqual(want));
  test('a templated state fires no required_if', () => {
    const spec: ModuleSpec = {
      args: { state: { choices: ['a', 'b'], description: 'x' }, x: { description: 'x' } },
      required_if: [['state', 'a', ['x']]],
    };
    expect(() => parse({ state: '{{ s }}' }, spec)).not.toThrow();
    expect(() => parse({ state: 'a' }, spec)).toThrow('missing required argument "x" (state=a)');
  });
});

describe('every module spec', () => {
  test('each example loads as a task', () => {
    const tasks = allModules().map((m) => `    - ${m.example}`);
    const dir = writeTree({ 'site.yaml': `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n` });
    const pb = loadPlaybook(join(dir, 'site.yaml'));
    expect(pb.plays[0].tasks.map((t) => t.module)).toEqual(allModules().map((m) => m.name));
  });
  test.each(allModules().map((m) => [m.name, m] as const))('%s: required args have no default; choices hold their default', (_n, m) => {
    for (const [k, s] of Object.entries(m.spec.args)) {
      if (s.required) expect(s.default, k).toBeUndefined();
      if (s.choices && s.default !== undefined) expect(s.choices, k).toContain(s.default);
    }
    const names = new Set(Object.keys(m.spec.args));
    const rules = [...(m.spec.mutually_exclusive ?? []), ...(m.spec.required_one_of ?? []), ...(m.spec.required_together ?? [])].flat();
    for (const [k, , reqs] of m.spec.required_if ?? []) rules.push(k, ...reqs);
    for (const k of rules) expect(names.has(k), `${m.name}: rule names "${k}"`).toBe(true);
  });
});

describe('README module table', () => {
  test('README.md holds the table the specs give (node scripts/module-table.mjs after a build)', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toBe(withModuleTable(readme));
  });
});
