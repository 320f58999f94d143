import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSection, section, sections } from '../../../../src/modules/net/probe-text.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-probe-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (script: string) => sections(execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }));

// fileSection reads with the shell's own `read`: the file's lines must arrive as `cat` would give them.
describe('fileSection against a real shell', () => {
  it.each([
    ['lines with spaces, tabs, backslashes and a blank line', 'a = 1\n\tb\\n c  \n\nlast\n'],
    ['a last line without its newline', 'x=1\ny=2'],
    ['an empty file', ''],
  ])('%s', (_, text) => {
    const f = join(dir, 'f');
    writeFileSync(f, text);
    const s = run(`${fileSection('file', f)}; ${section('after', 'echo next')}`);
    expect(s.file).toBe(execFileSync('cat', [f], { encoding: 'utf8' }).replace(/\n$/, ''));
    expect(s.after).toBe('next\n');
  });

  it('a missing file prints no section, so missing and empty differ', () => {
    expect(run(`${fileSection('file', join(dir, 'nope'))}; ${section('after', 'echo next')}`)).toEqual({ after: 'next\n' });
  });
});
