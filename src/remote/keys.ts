// Private keys are checked and decrypted before connecting, so key problems read as key problems.
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import ssh2, { type ParsedKey } from 'ssh2';

const { utils } = ssh2;

import { ConnectError } from '../errors.js';

export interface LoadedKey {
  file: string;
  key: ParsedKey;
}

// One read and parse per key file and passphrase for the whole run, not one per host.
const loaded = new Map<string, Promise<LoadedKey>>();

// Refuses like OpenSSH: missing files, keys readable by group/other, undecryptable keys.
export async function loadPrivateKeys(files: string[], passphrase?: string): Promise<LoadedKey[]> {
  const out: LoadedKey[] = [];
  for (const file of files) {
    const id = `${file}\0${passphrase ?? ''}`;
    let p = loaded.get(id);
    if (!p) {
      p = loadPrivateKey(file, passphrase);
      loaded.set(id, p);
      // A failure is not remembered: the caller reports it, and a fixed key file is read again next time.
      p.catch(() => loaded.delete(id));
    }
    out.push(await p);
  }
  return out;
}

// One key file; the passphrase is used but never echoed.
export async function loadPrivateKey(file: string, passphrase?: string): Promise<LoadedKey> {
  let mode: number;
  let uid: number;
  try {
    const st = await stat(file);
    mode = st.mode;
    uid = st.uid;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConnectError(`private key file ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`, {
      hint: 'check ansible_ssh_private_key_file / IdentityFile, or create a key with: ssh-keygen -t ed25519',
      cause: e,
    });
  }
  const myUid = process.getuid?.();
  if ((myUid === undefined || uid === myUid) && (mode & 0o077) !== 0) {
    const perms = (mode & 0o777).toString(8).padStart(4, '0');
    throw new ConnectError(
      `Permissions ${perms} for '${file}' are too open: private key files must not be accessible by others, so the key is ignored`,
      { hint: `chmod 600 ${file}` },
    );
  }
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    throw new ConnectError(`private key file ${file} cannot be read (${(e as NodeJS.ErrnoException).code})`, {
      hint: `check its owner and permissions: ls -l ${file}`,
    });
  }
  const parsed = utils.parseKey(data, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || key === undefined) {
    const msg = key instanceof Error ? key.message : 'no key found';
    if (/no passphrase given/i.test(msg)) {
      throw new ConnectError(`private key ${file} is encrypted and no passphrase was given`, {
        hint: 'set RUNBOOK_SSH_PASSPHRASE, or load the key into ssh-agent (ssh-add) and set SSH_AUTH_SOCK',
      });
    }
    if (/bad passphrase|decrypt/i.test(msg)) {
      throw new ConnectError(`cannot decrypt private key ${file}: wrong passphrase?`, {
        hint: 'check RUNBOOK_SSH_PASSPHRASE',
      });
    }
    throw new ConnectError(`cannot use private key ${file}: ${msg}`, {
      hint: 'is it a private key in OpenSSH or PEM format (not the .pub file)?',
    });
  }
  if (!key.isPrivateKey()) {
    throw new ConnectError(`${file} holds a public key, not a private key`, {
      hint: file.endsWith('.pub') ? `use ${file.slice(0, -4)}` : 'point ansible_ssh_private_key_file at the private key',
    });
  }
  return { file, key: signingOnce(key) };
}

// ssh2's own default digest per key type (ed25519 signs without one).
const DIGEST: Record<string, string | null> = {
  'ssh-ed25519': null,
  'ssh-rsa': 'sha1',
  'ssh-dss': 'sha1',
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
};

/**
 * ssh2 signs from the key's PEM text, which OpenSSL parses again for every signature: ~1 ms of the controller per
 * connection. The key parsed once into a KeyObject for the whole run signs the same bytes in ~0.08 ms.
 */
export function signingOnce(key: ParsedKey): ParsedKey {
  const digest = DIGEST[key.type];
  if (digest === undefined) return key;
  let obj: ReturnType<typeof createPrivateKey>;
  try {
    obj = createPrivateKey(key.getPrivatePEM());
  } catch {
    return key;
  }
  const own = key.sign.bind(key);
  // Like ssh2's, an error is returned rather than thrown.
  key.sign = (data, algo) => {
    try {
      return cryptoSign(algo || digest, typeof data === 'string' ? Buffer.from(data) : data, obj);
    } catch {
      return own(data, algo);
    }
  };
  return key;
}
