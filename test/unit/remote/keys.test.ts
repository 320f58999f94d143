import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectError } from '../../../src/errors.js';
import { loadPrivateKey, loadPrivateKeys } from '../../../src/remote/keys.js';
import { keygen } from './keygen.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadPrivateKey', () => {
  it('loads a 0600 key', async () => {
    const k = keygen(dir, 'ok');
    const loaded = await loadPrivateKeys([k.file]);
    expect(loaded[0].file).toBe(k.file);
    expect(loaded[0].key.type).toBe('ssh-ed25519');
  });

  it('refuses group/other-readable keys like OpenSSH, with a chmod hint', async () => {
    const k = keygen(dir, 'open');
    chmodSync(k.file, 0o644);
    const err = await loadPrivateKey(k.file).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toContain(`Permissions 0644 for '${k.file}' are too open`);
    expect(err.hint).toBe(`chmod 600 ${k.file}`);
    chmodSync(k.file, 0o640);
    await expect(loadPrivateKey(k.file)).rejects.toThrow(/0640/);
  });

  it('a missing key file is a ConnectError with a hint', async () => {
    const err = await loadPrivateKey(join(dir, 'missing')).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toContain('does not exist');
    expect(err.hint).toMatch(/ssh-keygen/);
  });

  it('encrypted keys need the passphrase, which never shows in messages', async () => {
    const k = keygen(dir, 'enc', 'ed25519', 'sekrit-pass');
    await expect(loadPrivateKey(k.file)).rejects.toThrow(/encrypted/);
    const err = await loadPrivateKey(k.file, 'wrong-pass-123').catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(`${err.message} ${err.hint}`).not.toContain('wrong-pass-123');
    expect((await loadPrivateKey(k.file, 'sekrit-pass')).key.type).toBe('ssh-ed25519');
  });

  it('a public key given as the private key is refused', async () => {
    const k = keygen(dir, 'pub');
    chmodSync(`${k.file}.pub`, 0o600);
    await expect(loadPrivateKey(`${k.file}.pub`)).rejects.toThrow(/public key/);
  });
});

describe('signatures from a key loaded once', () => {
  // What ssh2 itself would sign (its own parse of the file) against what the loaded key signs: the server checks
  // the signature with the public key, so each must verify, and the deterministic schemes must match byte for byte.
  const data = Buffer.from('session id and userauth request');
  for (const [type, algos, deterministic] of [
    ['ed25519', [undefined], true],
    ['rsa', [undefined, 'sha256', 'sha512'], true],
    ['ecdsa', [undefined], false],
  ] as const) {
    it(`${type}: verifies with the public key${deterministic ? ', same bytes as ssh2' : ''}`, async () => {
      const k = keygen(dir, `sig-${type}`, type);
      const [{ key }] = await loadPrivateKeys([k.file]);
      const ref = ssh2.utils.parseKey(readFileSync(k.file)) as ParsedKey;
      for (const algo of algos) {
        const sig = key.sign(data, algo);
        expect(sig).toBeInstanceOf(Buffer);
        expect(ref.verify(data, sig, algo)).toBe(true);
        expect(ref.verify(Buffer.from('something else'), sig, algo)).toBe(false);
        if (deterministic) expect(sig.equals(ref.sign(data, algo))).toBe(true);
      }
    });
  }
});
