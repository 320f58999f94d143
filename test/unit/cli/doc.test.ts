// `runbook doc`: the built CLI prints each module's page from its spec; unknown names exit 4 with a did-you-mean.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, test } from 'vitest';
import { docCommand, moduleDoc } from '../../../src/cli/doc.js';
import { allModules } from '../../../src/modules/registry.js';
import { CLI, ensureBuilt, ROOT } from '../../e2e/helpers.js';

const cli = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

beforeAll(() => ensureBuilt());

describe('runbook doc (built CLI)', () => {
  test('doc copy: description, every argument with type, default, choices, required, rules and the example', () => {
    const r = cli(['doc', 'copy']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^> COPY\n\n {2}Puts a file on the host/);
    expect(r.stdout).toContain('= dest\n    path on the host');
    expect(r.stdout).toMatch(/- force\n.*\n {4}default: true\n {4}type: bool/);
    expect(r.stdout).toContain('    required: true\n    type: path');
    expect(r.stdout).toContain('  only one of: content, src');
    expect(r.stdout).toContain('EXAMPLE:\n\n- copy: {dest: /etc/motd');
  });

  test('aliases and choices (ansible.builtin. and ansible.legacy. names work)', () => {
    const r = cli(['doc', 'ansible.builtin.file']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('    aliases: dest, name');
    expect(r.stdout).toContain('    choices: file, directory, absent, touch, link, hard\n');
    expect(cli(['doc', 'ansible.legacy.shell']).stdout).toContain('- free_form\n');
  });

  test('--list: one line per module with its doc line', () => {
    const r = cli(['doc', '--list']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(allModules().length);
    const width = Math.max(...allModules().map((m) => m.name.length));
    expect(lines).toContain(`${'sysctl'.padEnd(width)}  ${allModules().find((m) => m.name === 'sysctl')!.doc}`);
  });

  test('an unknown module is bad input (exit 4) with a did-you-mean', () => {
    const r = cli(['doc', 'lineinfle']);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('unknown module "lineinfle"');
    expect(r.stderr).toContain('did you mean "lineinfile"?');
    expect(cli(['doc']).status).toBe(4);
  });
});

describe('every module documents itself', () => {
  test.each(allModules().map((m) => [m.name, m] as const))('%s: doc line, example, a description per argument', (_name, m) => {
    expect(m.doc).toMatch(/^[A-Z].*\.$/);
    expect(m.doc).not.toContain('\n');
    expect(m.example.startsWith(`${m.name}:`)).toBe(true);
    for (const [k, s] of Object.entries(m.spec.args)) expect(s.description, `${m.name}.${k}`).not.toBe('');
    expect(docCommand(m.name, {})).toBe(moduleDoc(m));
  });
});
