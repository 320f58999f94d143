// The OpenSSH known_hosts line format, kept free of I/O so it can be tested on strings.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface KnownHostLine {
  /** 1-based line number in the file, for messages. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** Comma-separated patterns as written, or one `|1|salt|hash` entry. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

// A verdict for one presented key; `known` lists same-type keys when it is a mismatch.
export type HostKeyVerdict =
  | { status: 'match'; line: number }
  | { status: 'new' }
  | { status: 'mismatch'; known: KnownHostLine[] }
  | { status: 'revoked'; line: number };

// OpenSSH's SHA256 fingerprint: base64 of the digest without '=' padding.
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

// The key type is the first length-prefixed string of the wire-format blob.
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('host key blob too short');
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) throw new Error('malformed host key blob');
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

// The name OpenSSH looks up and records: bare for port 22, `[host]:port` otherwise.
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

// Lines that fail to parse are skipped silently, as OpenSSH does.
export function parseKnownHosts(text: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue;
    }
    if (fields.length < 3) continue;
    const [hosts, keyType, b64] = fields;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    const key = Buffer.from(b64, 'base64');
    try {
      if (keyTypeOf(key) !== keyType) continue;
    } catch {
      continue;
    }
    out.push({ line: i + 1, marker, hosts, keyType, key });
  }
  return out;
}

// Does an entry's host field name this host? Handles hashed entries, wildcards and negation.
export function hostsFieldMatches(hosts: string, host: string, port: number): boolean {
  const name = hostKeyName(host, port);
  if (hosts.startsWith('|1|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern === '') continue;
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (wildcardMatch(p.toLowerCase(), name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedMatches(entry: string, name: string): boolean {
  const parts = entry.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

// OpenSSH patterns: `*` any run, `?` one character, everything else literal.
function wildcardMatch(pattern: string, s: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === s;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(s);
}

// Hash a name the way `ssh-keygen -H` does (used by tests and for hashed output if ever wanted).
export function hashHostName(name: string, salt: Buffer): string {
  const h = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${h}`;
}

// Entries by exact lower-case name; hashed, wildcard and negated ones are checked for every host.
export interface EntryIndex {
  byName: Map<string, KnownHostLine[]>;
  other: KnownHostLine[];
}

// Built once per file read, so each host is judged against its own lines, not the whole file.
export function indexEntries(entries: KnownHostLine[]): EntryIndex {
  const idx: EntryIndex = { byName: new Map(), other: [] };
  for (const e of entries) {
    if (e.hosts.startsWith('|') || /[*?!]/.test(e.hosts)) {
      idx.other.push(e);
      continue;
    }
    for (const name of new Set(e.hosts.toLowerCase().split(','))) {
      if (name === '') continue;
      const list = idx.byName.get(name);
      if (list) list.push(e);
      else idx.byName.set(name, [e]);
    }
  }
  return idx;
}

// The lines that can concern this host, in file order (judgeHostKey still matches each one).
export function entriesFor(idx: EntryIndex, host: string, port: number): KnownHostLine[] {
  const exact = idx.byName.get(hostKeyName(host, port).toLowerCase()) ?? [];
  if (idx.other.length === 0) return exact;
  return [...exact, ...idx.other].sort((a, b) => a.line - b.line);
}

// Revoked beats match; a same-type key that differs is a mismatch; other types alone mean new.
export function judgeHostKey(entries: KnownHostLine[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const keyType = keyTypeOf(keyBlob);
  const mine = entries.filter((e) => hostsFieldMatches(e.hosts, host, port));
  const revoked = mine.find((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = mine.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.key.equals(keyBlob));
  if (same) return { status: 'match', line: same.line };
  const sameType = plain.filter((e) => e.keyType === keyType);
  if (sameType.length > 0) return { status: 'mismatch', known: sameType };
  return { status: 'new' };
}

// The line appended for a first contact.
export function formatKnownHostLine(host: string, port: number, keyBlob: Buffer): string {
  return `${hostKeyName(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}`;
}
