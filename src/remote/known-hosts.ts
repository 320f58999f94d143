// Host key checking against an OpenSSH known_hosts file, with OpenSSH's accept-new/strict policies.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConnectError, InputError } from '../errors.js';
import { withFileLock } from './file-lock.js';
import {
  type EntryIndex,
  entriesFor,
  fingerprint,
  formatKnownHostLine,
  type HostKeyVerdict,
  hostKeyName,
  indexEntries,
  judgeHostKey,
  type KnownHostLine,
  keyTypeOf,
  parseKnownHosts,
} from './known-hosts-format.js';

export type { HostKeyVerdict } from './known-hosts-format.js';
export { fingerprint, keyTypeOf } from './known-hosts-format.js';

// accept-new records first contacts; strict refuses them; off trusts anything (labs only).
export type HostKeyPolicy = 'accept-new' | 'strict' | 'off';

// One promise chain per file so parallel first contacts in this process append one at a time.
const chains = new Map<string, Promise<unknown>>();

// The known_hosts file of one run; safe to share between all connections.
export class KnownHosts {
  // Parsed once per run and indexed by name: re-reading per host made 500 hosts cost O(n²).
  private cached?: Promise<EntryIndex>;
  constructor(
    readonly file: string,
    readonly policy: HostKeyPolicy = 'accept-new',
  ) {}

  // What the file says about this key, without changing anything.
  // A cached "match" is final; anything else is judged again on a fresh read (another process may have appended).
  async verify(host: string, port: number, keyBlob: Buffer): Promise<HostKeyVerdict> {
    const verdict = judgeHostKey(entriesFor(await this.index(), host, port), host, port, keyBlob);
    if (verdict.status === 'match') return verdict;
    this.cached = undefined;
    return judgeHostKey(entriesFor(await this.index(), host, port), host, port, keyBlob);
  }

  // Key types already recorded for a host, so the handshake can ask for one of those first.
  async knownKeyTypes(host: string, port: number): Promise<string[]> {
    const types = entriesFor(await this.index(), host, port)
      .filter((e) => e.marker === undefined)
      .map((e) => e.keyType);
    return [...new Set(types)];
  }

  // Applies the policy: resolves when the key may be trusted, throws ConnectError when not.
  async check(host: string, port: number, keyBlob: Buffer): Promise<void> {
    if (this.policy === 'off') return;
    const verdict = await this.verify(host, port, keyBlob);
    if (verdict.status === 'match') return;
    if (verdict.status !== 'new') throw this.refusal(host, port, keyBlob, verdict);
    if (this.policy === 'strict') {
      throw new ConnectError(
        `host key for ${hostKeyName(host, port)} is not in ${this.file} (${keyTypeOf(keyBlob)} ${fingerprint(keyBlob)}) and host_key_checking is strict`,
        { hint: `verify the fingerprint out of band, then add it: ssh-keyscan -p ${port} ${host} >> ${this.file}` },
      );
    }
    await this.record(host, port, keyBlob);
  }

  // Appends the key unless, re-read under the lock, it is already there (or now conflicts).
  record(host: string, port: number, keyBlob: Buffer): Promise<void> {
    const prev = chains.get(this.file) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.recordLocked(host, port, keyBlob));
    const tail = next.catch(() => undefined);
    chains.set(this.file, tail);
    void tail.then(() => {
      if (chains.get(this.file) === tail) chains.delete(this.file);
    });
    return next;
  }

  private async recordLocked(host: string, port: number, keyBlob: Buffer): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    try {
      await withFileLock(this.file, async () => {
        const text = await this.readText();
        const verdict = judgeHostKey(parseKnownHosts(text), host, port, keyBlob);
        if (verdict.status === 'match') return;
        if (verdict.status !== 'new') throw this.refusal(host, port, keyBlob, verdict);
        const sep = text === '' || text.endsWith('\n') ? '' : '\n';
        await appendFile(this.file, `${sep}${formatKnownHostLine(host, port, keyBlob)}\n`, { mode: 0o600 });
        this.cached = undefined;
      });
    } catch (e) {
      if (e instanceof ConnectError || e instanceof InputError) throw e;
      throw new InputError(`cannot record host key in ${this.file}: ${(e as Error).message}`, { cause: e });
    }
  }

  private refusal(host: string, port: number, keyBlob: Buffer, verdict: HostKeyVerdict): ConnectError {
    const name = hostKeyName(host, port);
    const offered = `${keyTypeOf(keyBlob)} ${fingerprint(keyBlob)}`;
    if (verdict.status === 'revoked') {
      return new ConnectError(`host key for ${name} (${offered}) is marked @revoked in ${this.file}:${verdict.line}`, {
        hint: 'the server is presenting a key that was revoked; do not connect until it is re-keyed',
      });
    }
    const known = verdict.status === 'mismatch' ? verdict.known : [];
    return new ConnectError(
      `host key for ${name} has CHANGED: ${this.file} has ${describe(known, this.file)} but the server offered ${offered}; someone could be intercepting the connection, or the host was re-installed`,
      { hint: `if the change is expected, remove the old key and reconnect: ssh-keygen -R "${name}" -f ${this.file}` },
    );
  }

  private index(): Promise<EntryIndex> {
    if (!this.cached) {
      const p = this.readText().then((t) => indexEntries(parseKnownHosts(t)));
      this.cached = p;
      p.catch(() => {
        if (this.cached === p) this.cached = undefined;
      });
    }
    return this.cached;
  }

  private async readText(): Promise<string> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return '';
      throw new InputError(`cannot read known_hosts file ${this.file}: ${code ?? (e as Error).message}`, {
        hint: code === 'EACCES' ? `check its permissions (ls -l ${this.file})` : undefined,
        cause: e,
      });
    }
  }
}

function describe(known: KnownHostLine[], file: string): string {
  return known.map((k) => `${k.keyType} ${fingerprint(k.key)} (${file}:${k.line})`).join(', ');
}
