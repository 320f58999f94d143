// lookup('varnames') and lookup('password'), as Ansible's lookup plugins answer them (checked against ansible-playbook
// by hand: the same names in the same order, the same file kept and read back).
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderString } from '../../../src/jinja/index.js';
import { passwordLookup } from '../../../src/jinja/lookups.js';
import { redact } from '../../../src/vault/secrets.js';

describe("lookup('varnames')", () => {
  it('the names a Python regex finds, term by term, in the order the variables come', () => {
    const vars = { app_port: 1, app_host: 'x', other: 2, zapp_: 3 };
    expect(renderString("{{ lookup('varnames', '^app_') }}", vars)).toBe('app_port,app_host');
    expect(renderString("{{ query('varnames', '^app_', '^oth') }}", vars)).toEqual(['app_port', 'app_host', 'other']);
    expect(renderString("{{ query('varnames', '(?P<x>app)_p') }}", vars)).toEqual(['app_port']);
  });
});

describe("lookup('password')", () => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-pw-'));
  it('makes a password of length from chars, keeps it in the file (0600, folder made) and reads it back', () => {
    const f = join(dir, 'sub', 'db');
    const pw = passwordLookup(`${f} length=16 chars=digits`);
    expect(pw).toMatch(/^\d{16}$/);
    expect(readFileSync(f, 'utf8')).toBe(`${pw}\n`);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(passwordLookup(`${f} length=4`)).toBe(pw);
    expect(redact(`the password is ${pw}`)).toBe('the password is ********');
  });

  it('default: 20 of letters, digits and .,:-_; "salt=" is not part of a kept password; /dev/null keeps nothing', () => {
    expect(passwordLookup('/dev/null')).toMatch(/^[A-Za-z0-9.,:_-]{20}$/);
    expect(passwordLookup('/dev/null chars=ascii_lowercase,,')).toMatch(/^[a-z,]{20}$/);
    expect(existsSync('/dev/null')).toBe(true);
  });

  it('options runbook does not implement are refused, naming them', () => {
    expect(() => passwordLookup('/dev/null encrypt=sha512_crypt')).toThrow("lookup('password'): encrypt= is not supported");
    expect(() => passwordLookup('/dev/null length=x')).toThrow(/length must be a whole number/);
  });
});
