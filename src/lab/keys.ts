// Keys are made once per lab and reused by later `up`s, so the known_hosts and key paths stay stable.
import { access, readFile, rm } from 'node:fs/promises';
import { run } from './exec.js';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

// An ed25519 pair without passphrase at `path` / `path.pub`; kept when both halves exist.
export async function ensureKeyPair(path: string, comment: string): Promise<void> {
  if ((await exists(path)) && (await exists(`${path}.pub`))) return;
  await rm(path, { force: true });
  await rm(`${path}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

// `ip ssh-ed25519 AAAA…` lines: port 22, so the bare address is the name OpenSSH looks up.
export async function knownHostsText(hosts: { ip: string; hostKeyPub: string }[]): Promise<string> {
  const lines = await Promise.all(
    hosts.map(async (h) => {
      const [type, blob] = (await readFile(h.hostKeyPub, 'utf8')).trim().split(/\s+/);
      return `${h.ip} ${type} ${blob}`;
    }),
  );
  return `${lines.join('\n')}\n`;
}
