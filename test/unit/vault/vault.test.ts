// The vault format (round trip, fresh salt+nonce, authenticated) and the redaction of secrets.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { decryptVault, encryptVault, isVault, VAULT_HEADER } from '../../../src/vault/format.js';
import { addSecret, addSecretVars, redact, redactDeep } from '../../../src/vault/secrets.js';

describe('vault format', () => {
  it('round-trips, with a header and a fresh salt and nonce each time', () => {
    const a = encryptVault('x: 1\n', 'pw');
    const b = encryptVault('x: 1\n', 'pw');
    expect(a.startsWith(`${VAULT_HEADER}\n`)).toBe(true);
    expect(isVault(a)).toBe(true);
    expect(isVault(Buffer.from(a))).toBe(true);
    expect(isVault('x: 1')).toBe(false);
    expect(a).not.toBe(b);
    expect(decryptVault(a, 'pw', 'f')).toBe('x: 1\n');
  });

  it('refuses a wrong password, a tampered body and a truncated file with InputError', () => {
    const v = encryptVault('secret: s3cr3t\n', 'pw');
    expect(() => decryptVault(v, 'nope', 'f.yaml')).toThrow(/f\.yaml: cannot decrypt: wrong vault password/);
    const lines = v.split('\n');
    const body = Buffer.from(lines[1], 'base64');
    body[body.length - 1] ^= 1;
    lines[1] = body.toString('base64');
    expect(() => decryptVault(lines.join('\n'), 'pw', 'f')).toThrow(InputError);
    expect(() => decryptVault(`${VAULT_HEADER}\nAAAA\n`, 'pw', 'f')).toThrow(/truncated/);
    expect(() => decryptVault('plain: text', 'pw', 'f')).toThrow(/not a runbook vault file/);
  });
});

describe('secrets', () => {
  it('masks registered values, longest first, deep inside events', () => {
    addSecret({ a: 'hunter2-long', b: ['hunter2-long-er'] });
    expect(redact('x hunter2-long-er y hunter2-long')).toBe('x ******** y ********');
    expect(redactDeep({ m: ['hunter2-long'], n: 3 })).toEqual({ m: ['********'], n: 3 });
  });

  it('marks vars by name pattern and by runbook_secret_vars; short values are not tracked', () => {
    addSecretVars({
      db_password: 'pw-by-name',
      plain_thing: 'visible-value',
      extra_blob: 'listed-value',
      api_pass: 'abc',
      runbook_secret_vars: ['extra_blob'],
    });
    expect(redact('pw-by-name listed-value visible-value abc')).toBe('******** ******** visible-value abc');
    addSecretVars({ custom_thing: 'by-custom-pattern' }, { runbook_secret_pattern: '^custom_' });
    expect(redact('by-custom-pattern')).toBe('********');
  });
});
