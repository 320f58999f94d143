import { describe, expect, it } from 'vitest';
import { shlexSplit } from '../../../src/modules/shlex.js';

describe('shlexSplit', () => {
  it.each([
    ['ls -l /tmp', ['ls', '-l', '/tmp']],
    ['  a   b  ', ['a', 'b']],
    [`echo 'a b' c`, ['echo', 'a b', 'c']],
    [`echo "a b"`, ['echo', 'a b']],
    [`echo "say \\"hi\\""`, ['echo', 'say "hi"']],
    [`echo "a\\nb"`, ['echo', 'a\\nb']],
    [`echo a\\ b`, ['echo', 'a b']],
    [`echo 'it'"'"'s'`, ['echo', "it's"]],
    [`echo ''`, ['echo', '']],
    [`echo $HOME | wc`, ['echo', '$HOME', '|', 'wc']],
    ['', []],
  ])('%s', (s, want) => expect(shlexSplit(s)).toEqual(want));
  it.each([[`echo 'a`], [`echo "a`], ['echo a\\']])('rejects %s', (s) => expect(() => shlexSplit(s)).toThrow());
});
