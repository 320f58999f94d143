// password_hash: the crypt(3) schemes Ansible falls back to without passlib (sha512_crypt, sha256_crypt, md5_crypt).
import { createHash, randomInt } from 'node:crypto';
import { bind, type FilterTable, str } from './filters-util.js';
import { JinjaError, pyRepr } from './values.js';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function to64(bytes: Buffer, triples: number[][], tail: number[], tailChars: number): string {
  const enc = (a: number, b: number, c: number, n: number) => {
    let w = (a << 16) | (b << 8) | c;
    let s = '';
    for (let i = 0; i < n; i++, w >>= 6) s += ITOA64[w & 0x3f];
    return s;
  };
  const at = (i: number) => (i < 0 ? 0 : bytes[i]);
  return triples.map(([a, b, c]) => enc(at(a), at(b), at(c), 4)).join('') + enc(at(tail[0]), at(tail[1]), at(tail[2]), tailChars);
}

const rotated = (n: number, dir: 1 | 2) =>
  Array.from({ length: n }, (_, i) => {
    const t = [i, i + n, i + 2 * n];
    return [0, 1, 2].map((k) => t[(k + dir * (i % 3)) % 3]);
  });
const SHA512_ORDER = rotated(21, 1);
const SHA256_ORDER = rotated(10, 2);

function repeatTo(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = block[i % block.length];
  return out;
}

/** Ulrich Drepper's SHA-crypt ($5$, $6$). */
export function shaCrypt(alg: 'sha256' | 'sha512', password: string, salt: string, rounds?: number): string {
  const H = (...parts: Buffer[]) => createHash(alg).update(Buffer.concat(parts)).digest();
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 16), 'utf8');
  const r = rounds === undefined ? 5000 : Math.min(Math.max(rounds, 1000), 999999999);
  const B = H(pw, s, pw);
  const aParts = [pw, s, repeatTo(B, pw.length)];
  for (let n = pw.length; n > 0; n >>= 1) aParts.push(n & 1 ? B : pw);
  let C = H(...aParts);
  const P = repeatTo(H(...Array(pw.length).fill(pw)), pw.length);
  const S = repeatTo(H(...Array(16 + C[0]).fill(s)), s.length);
  for (let i = 0; i < r; i++) {
    const parts = [i & 1 ? P : C];
    if (i % 3) parts.push(S);
    if (i % 7) parts.push(P);
    parts.push(i & 1 ? C : P);
    C = H(...parts);
  }
  const hash = alg === 'sha512' ? to64(C, SHA512_ORDER, [-1, -1, 63], 2) : to64(C, SHA256_ORDER, [-1, 31, 30], 3);
  const id = alg === 'sha512' ? '6' : '5';
  return `$${id}$${rounds === undefined ? '' : `rounds=${r}$`}${s.toString('utf8')}$${hash}`;
}

/** Poul-Henning Kamp's MD5-crypt ($1$). */
export function md5Crypt(password: string, salt: string): string {
  const H = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 8), 'utf8');
  const magic = Buffer.from('$1$');
  let fin = H(pw, s, pw);
  const parts = [pw, magic, s];
  for (let pl = pw.length; pl > 0; pl -= 16) parts.push(fin.subarray(0, Math.min(pl, 16)));
  for (let i = pw.length; i; i >>= 1) parts.push(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  fin = H(...parts);
  for (let i = 0; i < 1000; i++) {
    const p = [i & 1 ? pw : fin];
    if (i % 3) p.push(s);
    if (i % 7) p.push(pw);
    p.push(i & 1 ? fin : pw);
    fin = H(...p);
  }
  const order = [
    [0, 6, 12],
    [1, 7, 13],
    [2, 8, 14],
    [3, 9, 15],
    [4, 10, 5],
  ];
  return `$1$${s.toString('utf8')}$${to64(fin, order, [-1, -1, 11], 2)}`;
}

const ALGOS: Record<string, { size: number; implicit?: number }> = {
  sha512: { size: 16, implicit: 5000 },
  sha256: { size: 16, implicit: 5000 },
  md5: { size: 8 },
};

/** password_hash as Ansible's crypt backend does it: a random salt of [./0-9A-Za-z] unless one is given. */
export const CRYPT_FILTERS: FilterTable = {
  password_hash: (_e, v, args, kw) => {
    const p = bind('password_hash', args, kw, { hashtype: 'sha512', salt: null, salt_size: null, rounds: null, ident: null });
    const type = str(p.hashtype).replace(/_crypt$/, '');
    const algo = ALGOS[type];
    if (!algo) {
      throw new JinjaError(
        `password_hash: ${pyRepr(p.hashtype)} is not supported here`,
        "use 'sha512', 'sha256' or 'md5', or hash the password elsewhere (mkpasswd, passlib) and store the hash",
      );
    }
    let salt = p.salt === null ? '' : str(p.salt);
    if (!salt) {
      const size = p.salt_size === null ? algo.size : Number(p.salt_size);
      for (let i = 0; i < size; i++) salt += ITOA64[randomInt(64)];
    }
    if (/[^./0-9A-Za-z]/.test(salt)) throw new JinjaError('invalid characters in salt');
    if (type === 'md5') return md5Crypt(str(v), salt);
    const rounds = p.rounds === null || Number(p.rounds) === algo.implicit ? undefined : Number(p.rounds);
    return shaCrypt(type as 'sha256' | 'sha512', str(v), salt, rounds);
  },
};
