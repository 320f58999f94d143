// Network-shaped arg checks (IPv4, CIDR, string maps) that the generic helpers in ../args.ts lack.
import { type Args, fail, isTemplated, list, str } from '../args.js';

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

export const isIpv4 = (s: string): boolean => IPV4.test(s);

export function isCidr(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  return m !== null && isIpv4(m[1]) && Number(m[2]) <= 32;
}

// One rule for every address arg: the message names the arg and shows the offending value.
function checked(a: Args, key: string, v: string, ok: (s: string) => boolean, what: string): string {
  if (!isTemplated(v) && !ok(v)) fail(a, `argument "${key}": ${JSON.stringify(v)} is not ${what}`);
  return v;
}

const CIDR = 'an IPv4 CIDR such as 192.168.1.1/24';

export const ipv4 = (a: Args, key: string): string => checked(a, key, str(a, key), isIpv4, 'an IPv4 address');

export const optIpv4 = (a: Args, key: string): string | undefined =>
  a.v[key] === undefined || a.v[key] === null ? undefined : ipv4(a, key);

export const cidr = (a: Args, key: string): string => checked(a, key, str(a, key), isCidr, CIDR);

export function cidrList(a: Args, key: string): string[] | undefined {
  return list(a, key)?.map((x, i) => checked(a, `${key}[${i}]`, x, isCidr, CIDR));
}

/** Network-prefix form: 192.168.2.7/24 → 192.168.2.0/24 (the form ip route prints and insists on). */
export function networkOf(c: string): string {
  // every host's route loop checks the same peers' networks: each string is worked out once (a bounded memo)
  let n = networks.get(c);
  if (n === undefined) {
    if (networks.size >= 10_000) networks.clear();
    networks.set(c, (n = computeNetworkOf(c)));
  }
  return n;
}

const networks = new Map<string, string>();

function computeNetworkOf(c: string): string {
  if (!isCidr(c)) return c;
  const [ip, len] = c.split('/');
  const bits = Number(len);
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${bits}`;
}

/** A route destination: a network (host bits clear), a bare address, or `default`. */
export function routeDest(a: Args, key: string): string {
  const v = checked(
    a,
    key,
    str(a, key),
    (s) => s === 'default' || isCidr(s) || isIpv4(s),
    `a network such as 192.168.2.0/24, an address, or "default"`,
  );
  if (isCidr(v) && networkOf(v) !== v) fail(a, `argument "${key}": ${v} has host bits set`, `use ${networkOf(v)}`);
  return v;
}

/** OVS maps (options, other_config) hold strings; YAML numbers and booleans become the strings ovs-vsctl stores. */
export function strMap(a: Args, key: string): Record<string, string> | undefined {
  const v = a.v[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) fail(a, `argument "${key}" must be a mapping`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
    else fail(a, `argument "${key}.${k}" must be a string, number or boolean`);
  }
  return out;
}

/** Interface names are at most 15 bytes (IFNAMSIZ) and never hold spaces or slashes. */
export function ifname(a: Args, key: string): string {
  return checked(a, key, str(a, key), (s) => /^[A-Za-z0-9_.:@-]{1,15}$/.test(s), 'an interface name (1-15 chars, no spaces or slashes)');
}
