// IPv4 CIDR arithmetic for network templates (interfaces, routes); too small a job for a dependency.

/** A parsed prefix, kept as integers so the arithmetic is plain bit masking. */
export interface Cidr {
  /** The address as written, as an unsigned 32-bit integer. */
  addr: number;
  prefix: number;
}

/** Parses "a.b.c.d/n"; returns a reason string instead of throwing so callers can name the helper. */
export function parseCidr(value: unknown): Cidr | string {
  if (typeof value !== 'string') return `expected a string like "192.168.1.1/24", got ${typeof value}`;
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})\s*$/.exec(value);
  if (!m) return `"${value}" is not IPv4 CIDR notation like "192.168.1.1/24"`;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return `"${value}" has an octet above 255`;
  const prefix = Number(m[5]);
  if (prefix > 32) return `"${value}" has a prefix above 32`;
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  return { addr, prefix };
}

/** The prefix as a 32-bit mask. */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The network (all host bits zero). */
export function networkOf(c: Cidr): number {
  return (c.addr & maskOf(c.prefix)) >>> 0;
}

/** The n-th address of the network; negative n counts back from the broadcast (-1 = broadcast). */
export function nthHost(c: Cidr, n: number): number | string {
  const size = 2 ** (32 - c.prefix);
  if (!Number.isInteger(n)) return `host number must be an integer, got ${n}`;
  const offset = n < 0 ? size + n : n;
  if (offset < 0 || offset >= size) return `host number ${n} is outside a /${c.prefix} (${size} addresses)`;
  return (networkOf(c) + offset) >>> 0;
}

/** Dotted-quad text of an unsigned 32-bit address. */
export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Two prefixes share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return networkOf({ addr: a.addr, prefix: p }) >>> 0 === networkOf({ addr: b.addr, prefix: p }) >>> 0;
}
