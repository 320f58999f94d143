// Free-form arguments: the cases of Ansible's own test/units/parsing/test_splitter.py, plus command's inline options.
import { describe, expect, it } from 'vitest';
import { KvError, parseKv, splitArgs } from '../../../src/playbook/kv.js';

// [input, split_args, parse_kv] as in test_splitter.py's SPLIT_DATA.
const SPLIT_DATA: [string | null, string[], Record<string, string>][] = [
  [null, [], {}],
  ['', [], {}],
  ['a', ['a'], { _raw_params: 'a' }],
  ['a=b', ['a=b'], { a: 'b' }],
  ['a="foo bar"', ['a="foo bar"'], { a: 'foo bar' }],
  ['"foo bar baz"', ['"foo bar baz"'], { _raw_params: '"foo bar baz"' }],
  ['foo bar baz', ['foo', 'bar', 'baz'], { _raw_params: 'foo bar baz' }],
  ['a=b c="foo bar"', ['a=b', 'c="foo bar"'], { a: 'b', c: 'foo bar' }],
  ['a="echo \\"hello world\\"" b=bar', ['a="echo \\"hello world\\""', 'b=bar'], { a: 'echo "hello world"', b: 'bar' }],
  ['a="nest\'ed"', ['a="nest\'ed"'], { a: "nest'ed" }],
  [' ', [' '], { _raw_params: ' ' }],
  ['\\ ', [' '], { _raw_params: ' ' }],
  ['a\\=escaped', ['a\\=escaped'], { _raw_params: 'a=escaped' }],
  ['a="multi\nline"', ['a="multi\nline"'], { a: 'multi\nline' }],
  ['a="blank\n\nline"', ['a="blank\n\nline"'], { a: 'blank\n\nline' }],
  ['a="blank\n\n\nlines"', ['a="blank\n\n\nlines"'], { a: 'blank\n\n\nlines' }],
  ['a="a long\nmessage\\\nabout a thing\n"', ['a="a long\nmessage\\\nabout a thing\n"'], { a: 'a long\nmessage\\\nabout a thing\n' }],
  [
    'a="multiline\nmessage1\\\n" b="multiline\nmessage2\\\n"',
    ['a="multiline\nmessage1\\\n"', 'b="multiline\nmessage2\\\n"'],
    { a: 'multiline\nmessage1\\\n', b: 'multiline\nmessage2\\\n' },
  ],
  ['line \\\ncontinuation', ['line', 'continuation'], { _raw_params: 'line continuation' }],
  ['not jinja}}', ['not', 'jinja}}'], { _raw_params: 'not jinja}}' }],
  ['a={{multiline\njinja}}', ['a={{multiline\njinja}}'], { a: '{{multiline\njinja}}' }],
  ['a={{jinja}}', ['a={{jinja}}'], { a: '{{jinja}}' }],
  ['a={{ jinja }}', ['a={{ jinja }}'], { a: '{{ jinja }}' }],
  ['a={% jinja %}', ['a={% jinja %}'], { a: '{% jinja %}' }],
  ['a={# jinja #}', ['a={# jinja #}'], { a: '{# jinja #}' }],
  ['a="{{jinja}}"', ['a="{{jinja}}"'], { a: '{{jinja}}' }],
  ['a={{ jinja }}{{jinja2}}', ['a={{ jinja }}{{jinja2}}'], { a: '{{ jinja }}{{jinja2}}' }],
  ['a="{{ jinja }}{{jinja2}}"', ['a="{{ jinja }}{{jinja2}}"'], { a: '{{ jinja }}{{jinja2}}' }],
  ['a={{jinja}} b={{jinja2}}', ['a={{jinja}}', 'b={{jinja2}}'], { a: '{{jinja}}', b: '{{jinja2}}' }],
  ['a="{{jinja}}\n" b="{{jinja2}}\n"', ['a="{{jinja}}\n"', 'b="{{jinja2}}\n"'], { a: '{{jinja}}\n', b: '{{jinja2}}\n' }],
  ['a="café eñyei"', ['a="café eñyei"'], { a: 'café eñyei' }],
  ['a=café b=eñyei', ['a=café', 'b=eñyei'], { a: 'café', b: 'eñyei' }],
  [
    'a={{ foo | some_filter(\' \', " ") }} b=bar',
    ['a={{ foo | some_filter(\' \', " ") }}', 'b=bar'],
    { a: '{{ foo | some_filter(\' \', " ") }}', b: 'bar' },
  ],
  ['One\n  Two\n    Three\n', ['One\n ', 'Two\n   ', 'Three\n'], { _raw_params: 'One\n  Two\n    Three\n' }],
  ['\nOne\n  Two\n    Three\n', ['\n', 'One\n ', 'Two\n   ', 'Three\n'], { _raw_params: '\nOne\n  Two\n    Three\n' }],
];

describe('split_args (Ansible test_splitter.py)', () => {
  it.each(SPLIT_DATA.map(([i, s]) => [JSON.stringify(i), i, s] as const))('%s', (_, input, split) => {
    expect(splitArgs(input)).toEqual(split);
  });
  it.each(['"', "'", '{{', '{%', '{#'])('rejects the unbalanced %s', (s) => {
    expect(() => splitArgs(s)).toThrow(KvError);
    expect(() => parseKv(s)).toThrow(KvError);
  });
});

describe('parse_kv (Ansible test_splitter.py)', () => {
  it.each(SPLIT_DATA.map(([i, , kv]) => [JSON.stringify(i), i, kv] as const))('%s', (_, input, kv) => {
    expect(parseKv(input)).toEqual(kv);
  });
  it.each([
    ['raw=yes', { _raw_params: 'raw=yes' }],
    ['creates=something', { creates: 'something' }],
  ])('check_raw: %s', (input, kv) => {
    expect(parseKv(input, true)).toEqual(kv);
  });
});

describe('inline options of command/shell (check_raw)', () => {
  it.each<[string, Record<string, string>]>([
    ['chdir=/srv creates=/srv/app tar xzf app.tgz', { chdir: '/srv', creates: '/srv/app', _raw_params: 'tar xzf app.tgz' }],
    ['tar xzf app.tgz chdir=/srv', { chdir: '/srv', _raw_params: 'tar xzf app.tgz' }],
    ['echo a=b removes=/tmp/x', { removes: '/tmp/x', _raw_params: 'echo a=b' }],
    ['ls executable=/bin/bash warn=no', { executable: '/bin/bash', warn: 'no', _raw_params: 'ls' }],
    ['cat stdin="hello world"', { stdin: 'hello world', _raw_params: 'cat' }],
    ['chdir="/my dir" ls -l', { chdir: '/my dir', _raw_params: 'ls -l' }],
    ['echo "chdir=/x" done', { _raw_params: 'echo "chdir=/x" done' }],
    ['grep -r x=1 .', { _raw_params: 'grep -r x=1 .' }],
    ['echo "a  b"  c', { _raw_params: 'echo "a  b"  c' }],
    ['echo {{ x | default("a b") }} creates={{ p }}', { creates: '{{ p }}', _raw_params: 'echo {{ x | default("a b") }}' }],
  ])('%s', (input, kv) => {
    expect(parseKv(input, true)).toEqual(kv);
  });
});
