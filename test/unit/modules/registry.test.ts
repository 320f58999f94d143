import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../src/errors.js';
import { allModules, builtinModules, isModule, lookup } from '../../../src/modules/registry.js';
import { at } from './fake-probe.js';

describe('registry', () => {
  // The oracle is the source tree: every module a file defines (defineModule({ name: '…' })) and nothing else.
  const defined = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return defined(p);
      if (!e.name.endsWith('.ts')) return [];
      // defineModule({ name: 'x', … }), or a factory making one per name (systemdModule('systemd_service'))
      return [...readFileSync(p, 'utf8').matchAll(/defineModule\(\{\s*name: '([\w.]+)'|\w+Module\('([\w.]+)'\)/g)].map(
        (m) => (m[1] ?? m[2])!,
      );
    });

  it('knows every module the sources define, each under its own name, and no other', () => {
    const names = defined('src/modules').sort();
    expect(names.length).toBeGreaterThan(40);
    expect(allModules().map((m) => m.name)).toEqual(names);
    for (const n of names) expect(lookup(n, at).name).toBe(n);
    for (const [name, def] of Object.entries(builtinModules)) expect(def.name).toBe(name);
  });
  it('free-form modules take a bare string; local ones never touch the host', () => {
    // a free-form module declares the string argument it is given (_raw)
    for (const m of allModules()) if (m.freeForm) expect(Object.keys(m.spec.args)).toContain('_raw');
    expect(lookup('command', at).freeForm).toBe(true);
    expect(lookup('copy', at).freeForm).toBeFalsy();
    expect(lookup('debug', at).local).toBe(true);
    expect(lookup('shell', at).local).toBeFalsy();
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
});
