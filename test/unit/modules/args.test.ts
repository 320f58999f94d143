import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../src/errors.js';
import { argsOf, bool, enumOf, exactlyOne, int, keysOf, list, mode, optStr, str } from '../../../src/modules/args.js';
import { at } from './fake-probe.js';

const A = (v: Record<string, unknown>) => argsOf(v, at, 'copy', Object.keys(v));

describe('mode', () => {
  it.each([
    ['0644', '0644'],
    ['644', '0644'],
    ['0755', '0755'],
    ['4755', '4755'],
    [644, '0644'], // YAML 1.2 reads 0644 as decimal 644: digits 0-7 are taken as octal
    [755, '0755'],
    [420, '0420'], // ambiguous: digits-are-octal wins
    [493, '0755'], // has a 9: a decimal value
    [0, '0000'],
    ['{{ m }}', '{{ m }}'],
  ])('%j → %s', (v, want) => expect(mode(A({ mode: v }), 'mode')).toBe(want));

  it.each([['rw-r--r--'], ['0999'], ['u+x'], [true], [0o17777], ['12']])('rejects %j', (v) =>
    expect(() => mode(A({ mode: v }), 'mode')).toThrow(/argument "mode" must be an octal mode/),
  );
  it('absent → undefined', () => expect(mode(A({}), 'mode')).toBeUndefined());
});

describe('bool', () => {
  it.each([
    [true, true],
    [false, false],
    ['yes', true],
    ['no', false],
    ['True', true],
    ['FALSE', false],
    ['on', true],
    ['{{ x }}', false],
    [undefined, false],
  ])('%j → %s', (v, want) => expect(bool(A({ b: v }), 'b', false)).toBe(want));
  it('default applies when missing', () => expect(bool(A({}), 'b', true)).toBe(true));
  it.each([['maybe'], [2], [[]]])('rejects %j', (v) =>
    expect(() => bool(A({ b: v }), 'b', true)).toThrow('argument "b" must be a boolean (true/false/yes/no)'),
  );
});

describe('str / int / list / enum', () => {
  it('str accepts numbers (owner: 1000)', () => expect(str(A({ s: 1000 }), 's')).toBe('1000'));
  it('str rejects a map, naming the arg and type', () =>
    expect(() => str(A({ s: { a: 1 } }), 's')).toThrow('module "copy": argument "s" must be a string, got object'));
  it('str missing → required error', () => expect(() => str(A({}), 's')).toThrow('missing required argument "s"'));
  it('optStr missing → undefined', () => expect(optStr(A({ s: null }), 's')).toBeUndefined());
  it.each([
    [5, 5],
    ['12', 12],
    ['{{ n }}', undefined],
  ])('int %j → %j', (v, want) => expect(int(A({ n: v }), 'n')).toBe(want));
  it('int rejects 1.5', () => expect(() => int(A({ n: 1.5 }), 'n')).toThrow('must be an integer'));
  it('list wraps a string', () => expect(list(A({ l: 'a' }), 'l')).toEqual(['a']));
  it('list keeps a list', () => expect(list(A({ l: ['a', 2] }), 'l')).toEqual(['a', '2']));
  it('list rejects a map', () => expect(() => list(A({ l: { a: 1 } }), 'l')).toThrow('a string or a list of strings'));
  it('enum picks', () => expect(enumOf(A({ e: 'b' }), 'e', ['a', 'b'], 'a')).toBe('b'));
  it('enum default', () => expect(enumOf(A({}), 'e', ['a', 'b'], 'a')).toBe('a'));
  it('enum passes a template through', () => expect(enumOf(A({ e: '{{ s }}' }), 'e', ['a', 'b'], 'a')).toBe('{{ s }}'));
  it('enum rejects with a hint', () => {
    try {
      enumOf(A({ e: 'directry' }), 'e', ['file', 'directory'], 'file');
      expect.unreachable();
    } catch (e) {
      expect((e as PlaybookError).message).toContain('must be one of file, directory, got "directry"');
      expect((e as PlaybookError).hint).toBe('did you mean "directory"?');
    }
  });
  it('exactlyOne: none', () => expect(() => exactlyOne(A({}), ['content', 'src'])).toThrow('give one of content, src'));
  it('exactlyOne: both', () =>
    expect(() => exactlyOne(A({ content: 'x', src: 'y' }), ['content', 'src'])).toThrow('give only one of content, src'));
});

describe('keysOf / argsOf', () => {
  it('unknown key with did-you-mean', () => {
    try {
      keysOf({ dset: 1 }, ['dest', 'src'], at, 'copy');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PlaybookError);
      expect((e as PlaybookError).message).toBe('unknown argument "dset" for module "copy"');
      expect((e as PlaybookError).hint).toBe('did you mean "dest"?');
      expect((e as PlaybookError).at).toEqual(at);
    }
  });
  it('aliases fold into the canonical key', () =>
    expect(argsOf({ dest: '/x' }, at, 'file', ['path'], { dest: 'path' }).v).toEqual({ path: '/x' }));
  it('alias and canonical together is an error', () =>
    expect(() => argsOf({ dest: '/x', path: '/y' }, at, 'file', ['path'], { dest: 'path' })).toThrow('alias of "path"'));
  it('null args are an empty map', () => expect(argsOf(null, at, 'ping', []).v).toEqual({}));
  it('a list is not args', () => expect(() => argsOf([1], at, 'ping', [])).toThrow('expects a mapping'));
});
