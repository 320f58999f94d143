import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../src/errors.js';
import { builtinModules, isModule, lookup, registerModules } from '../../../src/modules/registry.js';
import { defineModule } from '../../../src/modules/types.js';
import { at } from './fake-probe.js';

describe('registry', () => {
  it('has every built-in under its own name', () => {
    expect(Object.keys(builtinModules).sort()).toEqual(
      ['assert', 'command', 'copy', 'debug', 'fail', 'file', 'lineinfile', 'ping', 'set_fact', 'shell', 'template'].sort(),
    );
    for (const [name, def] of Object.entries(builtinModules)) expect(def.name).toBe(name);
  });
  it('free-form and local flags', () => {
    expect(
      Object.keys(builtinModules)
        .filter((n) => builtinModules[n].freeForm)
        .sort(),
    ).toEqual(['command', 'shell']);
    expect(
      Object.keys(builtinModules)
        .filter((n) => builtinModules[n].local)
        .sort(),
    ).toEqual(['assert', 'debug', 'fail', 'set_fact']);
  });
  it.each([['copy'], ['ansible.builtin.copy'], ['ansible.builtin.set_fact']])('lookup %s', (n) =>
    expect(lookup(n, at)).toBe(builtinModules[n.replace('ansible.builtin.', '')]),
  );
  it('isModule', () => {
    expect(isModule('shell')).toBe(true);
    expect(isModule('ansible.builtin.shell')).toBe(true);
    expect(isModule('when')).toBe(false);
    expect(isModule('toString')).toBe(false);
    expect(isModule('ansible.builtin.nope')).toBe(false);
  });
  it('unknown module with a hint', () => {
    try {
      lookup('lineinfle', at);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PlaybookError);
      expect((e as PlaybookError).message).toBe('unknown module "lineinfle"');
      expect((e as PlaybookError).hint).toBe('did you mean "lineinfile"?');
    }
  });
  it('registerModules merges, and refuses a clash', () => {
    const extra = defineModule({ name: 'sysctl_test', parse: () => ({}), plan: async () => ({ changed: false }) });
    registerModules({ sysctl_test: extra });
    expect(lookup('sysctl_test', at)).toBe(extra);
    expect(isModule('ansible.builtin.sysctl_test')).toBe(true);
    expect(builtinModules.sysctl_test).toBeUndefined();
    expect(() => registerModules({ copy: extra })).toThrow('module "copy" is already registered');
  });
});
