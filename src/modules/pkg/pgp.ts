// Just enough OpenPGP to manage key files without gpg on the host: armor, packets, primary-key fingerprints.
import { createHash } from 'node:crypto';

export interface Packet {
  tag: number;
  /** the whole packet, header included */
  raw: Buffer;
  body: Buffer;
}

export const isArmored = (b: Buffer): boolean => b.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----');

/** The binary packets of an armored text (every block in it) or of binary data as is. */
export function dearmor(b: Buffer): Buffer {
  if (!isArmored(b)) return b;
  const out: Buffer[] = [];
  const re = /-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/g;
  for (const m of b.toString('utf8').matchAll(re)) {
    const lines = m[1].split(/\r?\n/);
    const blank = lines.findIndex((l) => l.trim() === '');
    const body = lines.slice(blank < 0 ? 0 : blank + 1).filter((l) => l.trim() !== '' && !l.startsWith('='));
    out.push(Buffer.from(body.join(''), 'base64'));
  }
  return Buffer.concat(out);
}

// CRC-24 of RFC 4880 §6.1, for the armor checksum line.
function crc24(b: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of b) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

export function armor(b: Buffer): string {
  const lines = b.toString('base64').match(/.{1,64}/g) ?? [];
  const sum = Buffer.from([crc24(b) >> 16, (crc24(b) >> 8) & 0xff, crc24(b) & 0xff]).toString('base64');
  return `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${lines.join('\n')}\n=${sum}\n-----END PGP PUBLIC KEY BLOCK-----\n`;
}

/** The packets of binary OpenPGP data; undefined when it is not OpenPGP (or uses partial lengths, which keys never do). */
export function packets(b: Buffer): Packet[] | undefined {
  const out: Packet[] = [];
  let i = 0;
  while (i < b.length) {
    const h = b[i];
    if (!(h & 0x80)) return undefined;
    let tag: number;
    let len: number;
    let hdr: number;
    if (h & 0x40) {
      tag = h & 0x3f;
      const l1 = b[i + 1];
      if (l1 < 192) [len, hdr] = [l1, 2];
      else if (l1 < 224) [len, hdr] = [((l1 - 192) << 8) + b[i + 2] + 192, 3];
      else if (l1 === 255) [len, hdr] = [b.readUInt32BE(i + 2), 6];
      else return undefined;
    } else {
      tag = (h >> 2) & 0xf;
      const t = h & 3;
      if (t === 0) [len, hdr] = [b[i + 1], 2];
      else if (t === 1) [len, hdr] = [b.readUInt16BE(i + 1), 3];
      else if (t === 2) [len, hdr] = [b.readUInt32BE(i + 1), 5];
      else [len, hdr] = [b.length - i - 1, 1];
    }
    if (i + hdr + len > b.length) return undefined;
    out.push({ tag, raw: b.subarray(i, i + hdr + len), body: b.subarray(i + hdr, i + hdr + len) });
    i += hdr + len;
  }
  return out;
}

/** Upper-case hex fingerprint of a public-key packet body (v4: SHA-1, v5/v6: SHA-256). */
export function fingerprint(body: Buffer): string {
  const v = body[0];
  if (v === 4)
    return createHash('sha1')
      .update(Buffer.from([0x99, body.length >> 8, body.length & 0xff]))
      .update(body)
      .digest('hex')
      .toUpperCase();
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return createHash('sha256')
    .update(Buffer.from([v === 6 ? 0x9b : 0x9a]))
    .update(len)
    .update(body)
    .digest('hex')
    .toUpperCase();
}

/** One certificate: its primary key's fingerprint and the packets from it up to the next primary key. */
export interface Cert {
  fpr: string;
  raw: Buffer;
}

/** The certificates of a key file (armored or binary); undefined when it cannot be read as OpenPGP. */
export function certs(data: Buffer): Cert[] | undefined {
  const ps = packets(dearmor(data));
  if (!ps) return undefined;
  const out: Cert[] = [];
  for (const p of ps) {
    if (p.tag === 6) out.push({ fpr: fingerprint(p.body), raw: p.raw });
    else if (out.length) out[out.length - 1].raw = Buffer.concat([out[out.length - 1].raw, p.raw]);
  }
  return out;
}

/** A key id as written in playbooks (0x…, short, long or full, any case) matched against a fingerprint. */
export const idMatches = (id: string, fpr: string): boolean => {
  const want = id.replace(/^0x/i, '').replace(/\s+/g, '').toUpperCase();
  return want.length >= 8 && fpr.endsWith(want);
};
