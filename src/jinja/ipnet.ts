// netaddr 0.8's IPNetwork and IPAddress as ansible.utils' IP filters see them: what text parses (IPv4 first, then IPv6;
// partial IPv4 such as "10/8"; a netmask or hostmask after the slash), the text they print (glibc's inet_ntop for
// IPv6, "::ffff:1.2.3.4" included) and the address classes the queries test. Written here, not taken from a library:
// the filters must answer with netaddr's exact texts and acceptance rules, which ipaddr.js and its kind do not share.
import { JinjaError } from './values.js';

/** An address with a prefix length, as netaddr's IPNetwork: `ip` keeps the host bits as written. */
export interface IpNet {
  readonly version: 4 | 6;
  readonly ip: bigint;
  readonly prefix: number;
}

export const WIDTH = { 4: 32, 6: 128 } as const;
const MAX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;
const MAPPED = 0xffff00000000n;

export const hostmaskOf = (n: IpNet): bigint => (1n << BigInt(WIDTH[n.version] - n.prefix)) - 1n;
export const netmaskOf = (n: IpNet): bigint => MAX[n.version] ^ hostmaskOf(n);
export const networkOf = (n: IpNet): bigint => n.ip & netmaskOf(n);
export const lastOf = (n: IpNet): bigint => networkOf(n) | hostmaskOf(n);
export const sizeOf = (n: IpNet): bigint => 1n << BigInt(WIDTH[n.version] - n.prefix);
/** netaddr has no broadcast for a /31, /32, /127 or /128. */
export const broadcastOf = (n: IpNet): bigint | undefined => (WIDTH[n.version] - n.prefix <= 1 ? undefined : lastOf(n));
/** The network alone (host bits dropped), as IPNetwork.cidr. */
export const cidrOf = (n: IpNet): IpNet => ({ version: n.version, ip: networkOf(n), prefix: n.prefix });

/** Whether `inner` (a network, or an address as a full-length prefix) lies wholly inside `outer`. */
export function contains(outer: IpNet, inner: IpNet): boolean {
  if (outer.version !== inner.version || inner.prefix < outer.prefix) return false;
  const shift = BigInt(WIDTH[outer.version] - outer.prefix);
  return outer.ip >> shift === inner.ip >> shift;
}

const net = (version: 4 | 6, ip: bigint, prefix: number = WIDTH[version]): IpNet => ({ version, ip, prefix });
const within = (text: string) => {
  const n = parseNetwork(text);
  if (!n) throw new Error(`ipnet: bad table entry ${text}`);
  return (x: IpNet) => contains(n, x);
};
const LOOPBACK4 = within('127.0.0.0/8');
const LINK_LOCAL = [within('169.254.0.0/16'), within('fe80::/10')];
const MULTICAST = [within('224.0.0.0/4'), within('ff00::/8')];
// netaddr's IPV4_PRIVATE (its last entry is the range 239.0.0.0–239.255.255.255, the same as 239/8) and IPV6_PRIVATE
const PRIVATE = [
  ...['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '239.0.0.0/8'],
  ...['fc00::/7', 'fec0::/10'],
].map(within);

export const isMulticast = (n: IpNet) => MULTICAST.some((f) => f(n));
export const isLinkLocal = (n: IpNet) => LINK_LOCAL.some((f) => f(n));
export const isPrivate = (n: IpNet) => PRIVATE.some((f) => f(n)) || isLinkLocal(n);
export const isLoopback = (n: IpNet) => (n.version === 4 ? LOOPBACK4(n) : n.ip === 1n && n.prefix === 128);
const isPowerOfTwo = (x: bigint) => (x & (x - 1n)) === 0n;
export const isNetmask = (version: 4 | 6, ip: bigint) => isPowerOfTwo((ip ^ MAX[version]) + 1n);
export const isHostmask = (_version: 4 | 6, ip: bigint) => isPowerOfTwo(ip + 1n);
/** The prefix length of a contiguous mask (netaddr's netmask_bits). */
function maskBits(version: 4 | 6, ip: bigint, host: boolean): number {
  const ones = host ? MAX[version] ^ ip : ip;
  let bits = 0;
  for (let b = WIDTH[version] - 1; b >= 0 && (ones >> BigInt(b)) & 1n; b--) bits++;
  return bits;
}

/** inet_pton(AF_INET): four decimal octets, no leading zeros. */
export function parsePton4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

/** inet_aton: one to four parts in C's number syntax (0x hex, 0 octal), the last filling the remaining bytes. */
export function parseAton4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  const nums: bigint[] = [];
  for (const p of parts) {
    const m = /^(?:0[xX]([0-9a-fA-F]*)|(0[0-7]*)|([1-9]\d*))$/.exec(p);
    if (!m) return undefined;
    nums.push(m[1] !== undefined ? BigInt(`0x${m[1] || '0'}`) : m[2] !== undefined ? BigInt(`0o${m[2]}`) : BigInt(m[3]));
  }
  const lastBytes = 5 - nums.length;
  let value = 0n;
  for (let i = 0; i < nums.length - 1; i++) {
    if (nums[i] > 255n) return undefined;
    value |= nums[i] << BigInt(8 * (3 - i));
  }
  const last = nums[nums.length - 1];
  if (last >= 1n << BigInt(8 * lastBytes)) return undefined;
  return value | last;
}

/** inet_pton(AF_INET6): hex groups, one "::", a dotted IPv4 only as the last group; no zone index. */
export function parsePton6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  // the dotted IPv4 may only end the text: the last group after "::", or the last of all without one
  const ending = halves.length === 2 ? tail : head;
  const words: bigint[][] = [[], []];
  for (const [h, part] of [head, tail].entries()) {
    for (const [i, g] of part.entries()) {
      if (/^[0-9a-fA-F]{1,4}$/.test(g)) words[h].push(BigInt(`0x${g}`));
      else if (part === ending && i === part.length - 1) {
        const v4 = parsePton4(g);
        if (v4 === undefined) return undefined;
        words[h].push(v4 >> 16n, v4 & 0xffffn);
      } else return undefined;
    }
  }
  const count = words[0].length + words[1].length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const full = [...words[0], ...Array<bigint>(8 - count).fill(0n), ...words[1]];
  return full.reduce((acc, w) => (acc << 16n) | w, 0n);
}

/** Python's int() of a decimal text (surrounding blanks and a sign allowed). */
export function pyInt(s: string): bigint | undefined {
  const m = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(s);
  if (!m) return undefined;
  const v = BigInt(m[2].replace(/_/g, ''));
  return m[1] === '-' ? -v : v;
}

/** netaddr's expand_partial_address: "10" → "10.0.0.0", "192.168" → "192.168.0.0". */
function expandPartial4(s: string): bigint | undefined {
  if (s.includes(':')) return undefined;
  const tokens = s.split('.').map(pyInt);
  if (tokens.length > 4 || tokens.some((t) => t === undefined)) return undefined;
  const text = [...tokens.map(String), '0', '0', '0'].slice(0, 4).join('.');
  return parsePton4(text);
}

function parseIn(version: 4 | 6, s: string): IpNet | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const suffix = slash < 0 ? undefined : s.slice(slash + 1);
  const pton = version === 4 ? parsePton4 : parsePton6;
  const ip = pton(addr) ?? (version === 4 ? expandPartial4(addr) : undefined);
  if (ip === undefined) return undefined;
  let prefix: number;
  if (suffix === undefined) prefix = WIDTH[version];
  else {
    const p = pyInt(suffix);
    if (p !== undefined) prefix = Number(p);
    else {
      const mask = pton(suffix);
      if (mask === undefined) return undefined;
      if (isNetmask(version, mask)) prefix = maskBits(version, mask, false);
      else if (isHostmask(version, mask)) prefix = maskBits(version, mask, true);
      else return undefined;
    }
  }
  if (!(prefix >= 0 && prefix <= WIDTH[version])) return undefined;
  return net(version, ip, prefix);
}

/** netaddr.IPNetwork(text); undefined where netaddr raises AddrFormatError. */
export function parseNetwork(s: string): IpNet | undefined {
  return parseIn(4, s) ?? parseIn(6, s);
}

/** netaddr.IPAddress(text) with its default flags: inet_aton's forms for IPv4, then IPv6. */
export function parseAddress(s: string): IpNet | undefined {
  const v4 = parseAton4(s);
  if (v4 !== undefined) return net(4, v4);
  const v6 = parsePton6(s);
  return v6 === undefined ? undefined : net(6, v6);
}

/** An integer as netaddr takes it with a version (undefined when out of range). */
export const fromInt = (version: 4 | 6, ip: bigint, prefix: number = WIDTH[version]): IpNet | undefined =>
  ip >= 0n && ip <= MAX[version] && prefix >= 0 && prefix <= WIDTH[version] ? net(version, ip, prefix) : undefined;

function text4(ip: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((ip >> s) & 255n)).join('.');
}

/**
 * glibc's inet_ntop(AF_INET6): the longest run of two or more zero groups as "::", IPv4-mapped and -compatible dotted;
 * without `dotted`, Python's ipaddress text (the same but never dotted).
 */
function text6(ip: bigint, dotted: boolean): string {
  const w = Array.from({ length: 8 }, (_, i) => Number((ip >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = { base: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > best.len) best = { base: i, len: j - i };
    i = j;
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base >= 0 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (dotted && i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && w[5] === 0xffff))) {
      out += text4(ip & 0xffffffffn);
      break;
    }
    out += w[i].toString(16);
  }
  if (best.base >= 0 && best.base + best.len === 8) out += ':';
  return out;
}

export const addrText = (version: 4 | 6, ip: bigint, dotted = true): string => (version === 4 ? text4(ip) : text6(ip, dotted));
/** str(IPAddress(int)) without a version, as several filters call it: an integer that fits IPv4 prints as IPv4. */
export const autoText = (ip: bigint): string => {
  if (ip < 0n || ip > MAX[6]) throw new JinjaError(`failed to detect a valid IP address from ${ip}`);
  return ip <= MAX[4] ? text4(ip) : text6(ip, true);
};
export const netText = (n: IpNet): string => `${addrText(n.version, n.ip)}/${n.prefix}`;

/** IPNetwork.ipv4(): an IPv6 network inside ::/96 or ::ffff:0:0/96 as IPv4; undefined where netaddr raises. */
export function toV4(n: IpNet): IpNet | undefined {
  if (n.version === 4) return n;
  let ip: bigint | undefined;
  if (n.ip <= MAX[4]) ip = n.ip;
  else if (n.ip <= 0xffffffffffffn) ip = n.ip - MAPPED;
  return ip === undefined ? undefined : fromInt(4, ip, n.prefix - 96);
}

/** IPNetwork.ipv6(): IPv4 as IPv4-mapped IPv6. */
export const toV6 = (n: IpNet): IpNet => (n.version === 6 ? n : net(6, MAPPED + n.ip, n.prefix + 96));

/** The reverse DNS name, trailing dot included. */
export function reverseDns(version: 4 | 6, ip: bigint): string {
  if (version === 4) return `${text4(ip).split('.').reverse().join('.')}.in-addr.arpa.`;
  return `${ip.toString(16).padStart(32, '0').split('').reverse().join('.')}.ip6.arpa.`;
}

/** netaddr.cidr_merge's ranges turned back into the fewest CIDR blocks (iprange_to_cidrs). */
export function rangeToCidrs(version: 4 | 6, first: bigint, last: bigint): IpNet[] {
  const out: IpNet[] = [];
  let start = first;
  while (start <= last) {
    let prefix = WIDTH[version];
    while (prefix > 0) {
      const size = 1n << BigInt(WIDTH[version] - prefix + 1);
      if (start % size !== 0n || start + size - 1n > last) break;
      prefix--;
    }
    out.push(net(version, start, prefix));
    start += 1n << BigInt(WIDTH[version] - prefix);
  }
  return out;
}
