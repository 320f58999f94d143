// ansible.utils' IP address filters (ipaddr, ipv4, ipv6, ipwrap, ipmath, ipsubnet, nthhost, next_nth_usable,
// previous_nth_usable, network_in_usable, network_in_network, reduce_on_network, cidr_merge, ip4_hex, usable_range),
// after the collection's plugin_utils/base/ipaddr_utils.py and filter plugins, quirks included: a query that names no
// known query but is a network asks "is the value inside it", an index query answers "address/prefix", and several
// queries print IPAddress(int) without a version (so ::5/64's next usable address prints as 0.0.0.6, as there).
// test/fixtures/jinja/ipaddr-oracle.json records what the collection answers for each case the tests check.
import { bind, type FilterTable, REQUIRED, str } from './filters-util.js';
import {
  addrText,
  autoText,
  broadcastOf,
  cidrOf,
  contains,
  fromInt,
  hostmaskOf,
  type IpNet,
  isHostmask,
  isLinkLocal,
  isLoopback,
  isMulticast,
  isNetmask,
  isPrivate,
  lastOf,
  netmaskOf,
  netText,
  networkOf,
  parseAddress,
  parseNetwork,
  parsePton4,
  parsePton6,
  pyInt,
  rangeToCidrs,
  reverseDns,
  sizeOf,
  toV4,
  toV6,
  WIDTH,
} from './ipnet.js';
import { isMapping, JinjaError, pyRepr } from './values.js';

type Vtype = 'address' | 'network';
/** What a query answers: Python's None is null; integers stay bigint until they leave the filter. */
type Answer = string | number | bigint | boolean | null | Answer[];
type Query = (v: IpNet, vtype: Vtype, value: unknown, within: IpNet | undefined) => Answer;

const pyTrue = (x: unknown): boolean =>
  Array.isArray(x) ? x.length > 0 : typeof x === 'bigint' ? x !== 0n : isMapping(x) ? Object.keys(x).length > 0 : Boolean(x);
const isDigits = (s: string) => /^\d+$/.test(s);
const isFloat = (s: string) => /^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)\s*$/i.test(s);
const notANetwork = () => {
  throw new JinjaError('Not a network address');
};
/** _first_last: a /31 (or /127) has both addresses usable; larger networks lose the network and broadcast ones. */
const firstLast = (v: IpNet): [bigint, bigint] | undefined => {
  const size = sizeOf(v);
  if (size === 2n) return [networkOf(v), lastOf(v)];
  if (size > 1n) return [networkOf(v) + 1n, lastOf(v) - 1n];
  return undefined;
};
const is = (x: IpNet, cidr: string) => truthyQuery(addrText(x.version, x.ip), cidr);
const truthyQuery = (value: unknown, query: string) => pyTrue(ipaddr(value, query));
const ipQuery: Query = (v) => {
  if (sizeOf(v) === 1n) return addrText(v.version, v.ip);
  if (v.ip !== networkOf(v) || broadcastOf(v) === undefined) return addrText(v.version, v.ip);
  if (v.version === 6) return addrText(v.version, v.ip);
  return null;
};
const addressPrefix: Query = (v) => (sizeOf(v) > 2n && (v.ip === networkOf(v) || v.ip === broadcastOf(v)) ? false : netText(v));
const usable =
  (step: 1n | -1n): Query =>
  (v, vtype) => {
    if (vtype === 'address') notANetwork();
    const fl = firstLast(v);
    if (!fl) return null;
    const ip = v.ip + step;
    autoText(ip); // netaddr fails on an address below zero before the range check
    return ip >= fl[0] && ip <= fl[1] ? autoText(ip) : null;
  };
const keepIf =
  (test: (v: IpNet) => boolean): Query =>
  (v, _t, value) =>
    test(v) ? (value as Answer) : null;
const v4Query: Query = (v, _t, value) => {
  if (v.version === 4) return value as Answer;
  const four = toV4(v);
  return four ? netText(four) : false;
};
const v6Query: Query = (v, _t, value) => (v.version === 4 ? netText(toV6(v)) : (value as Answer));

const QUERIES: Record<string, Query> = {
  '': (v, vtype) => (vtype === 'address' ? addrText(v.version, v.ip) : netText(v)),
  '6to4': (v, vtype, value) => {
    if (v.version === 4) {
      let conv: string;
      if (sizeOf(v) === 1n || v.ip !== networkOf(v)) conv = addrText(4, v.ip);
      else return false;
      if (!truthyQuery(conv, 'public') && !truthyQuery(conv, 'private')) return false;
      const [a, b, c, d] = conv.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
      return `2002:${a}${b}:${c}${d}::1/48`;
    }
    if (vtype === 'address' && truthyQuery(netText(v), '2002::/16')) return value as Answer;
    if (vtype === 'network' && v.ip !== networkOf(v) && truthyQuery(addrText(6, v.ip), '2002::/16')) return value as Answer;
    return false;
  },
  address: ipQuery,
  ip: ipQuery,
  'address/prefix': addressPrefix,
  gateway: addressPrefix,
  gw: addressPrefix,
  'host/prefix': addressPrefix,
  hostnet: addressPrefix,
  router: addressPrefix,
  bool: () => true,
  broadcast: (v) => (sizeOf(v) > 2n ? addrText(v.version, broadcastOf(v) as bigint) : null),
  cidr: (v) => netText(v),
  cidr_lookup: (v, _t, value, within) => (within && contains(within, v) ? (value as Answer) : null),
  first_usable: (v, vtype) => {
    if (vtype === 'address') notANetwork();
    const size = sizeOf(v);
    if (size === 2n) return autoText(networkOf(v));
    return size > 1n ? autoText(networkOf(v) + 1n) : null;
  },
  host: (v) => {
    if (sizeOf(v) === 1n) return netText(v);
    return v.ip !== networkOf(v) || broadcastOf(v) === undefined ? netText(v) : null;
  },
  hostmask: (v) => addrText(v.version, hostmaskOf(v)),
  wildcard: (v) => addrText(v.version, hostmaskOf(v)),
  int: (v, vtype) => (vtype === 'address' ? v.ip : `${v.ip}/${v.prefix}`),
  'ip/prefix': (v) => (sizeOf(v) === 2n || (sizeOf(v) > 1n && v.ip !== networkOf(v)) ? netText(v) : null),
  ip_netmask: (v) =>
    sizeOf(v) === 2n || (sizeOf(v) > 1n && v.ip !== networkOf(v))
      ? `${addrText(v.version, v.ip)} ${addrText(v.version, netmaskOf(v))}`
      : null,
  // 'v4' and 'v6' are in the collection's table too, but fail there for want of an argument (ansible.utils 2.10)
  ipv4: v4Query,
  ipv6: v6Query,
  last_usable: (v, vtype) => {
    if (vtype === 'address') notANetwork();
    const fl = sizeOf(v) > 1n ? firstLast(v) : undefined;
    return fl ? autoText(fl[1]) : null;
  },
  'link-local': (v, _t, value) => (is(v, v.version === 4 ? '169.254.0.0/16' : 'fe80::/10') ? (value as Answer) : null),
  lo: (v, _t, value) => (isLoopback({ ...v, prefix: WIDTH[v.version] }) ? (value as Answer) : null),
  loopback: (v, _t, value) => (isLoopback({ ...v, prefix: WIDTH[v.version] }) ? (value as Answer) : null),
  multicast: keepIf(isMulticast),
  net: (v) => (sizeOf(v) > 1n && v.ip === networkOf(v) ? netText(cidrOf(v)) : null),
  next_usable: usable(1n),
  previous_usable: usable(-1n),
  netmask: (v) => addrText(v.version, netmaskOf(v)),
  network: (v) => addrText(v.version, networkOf(v)),
  network_id: (v) => addrText(v.version, networkOf(v)),
  'network/prefix': (v) => netText(cidrOf(v)),
  subnet: (v) => netText(cidrOf(v)),
  network_netmask: (v) => `${addrText(v.version, networkOf(v))} ${addrText(v.version, netmaskOf(v))}`,
  network_wildcard: (v) => `${addrText(v.version, networkOf(v))} ${addrText(v.version, hostmaskOf(v))}`,
  peer: (v, vtype) => {
    if (vtype === 'address') notANetwork();
    const size = sizeOf(v);
    if (size === 2n) return autoText(v.ip ^ 1n);
    if (size === 4n) {
      if (v.ip % 4n === 0n) throw new JinjaError('Network address of /30 has no peer');
      if (v.ip % 4n === 3n) throw new JinjaError('Broadcast address of /30 has no peer');
      return autoText(v.ip ^ 3n);
    }
    throw new JinjaError('Not a point-to-point network');
  },
  prefix: (v) => v.prefix,
  private: keepIf(isPrivate),
  public: (v, _t, value) => {
    const a = { ...v, prefix: WIDTH[v.version] };
    const pub = !isMulticast(a) && !isPrivate(a) && !isLoopback(a) && !isNetmask(v.version, v.ip) && !isHostmask(v.version, v.ip);
    return pub ? (value as Answer) : null;
  },
  range_usable: (v, vtype) => {
    if (vtype === 'address') notANetwork();
    const fl = sizeOf(v) > 1n ? firstLast(v) : undefined;
    return fl ? `${autoText(fl[0])}-${autoText(fl[1])}` : null;
  },
  revdns: (v) => reverseDns(v.version, v.ip),
  size: (v) => sizeOf(v),
  size_usable: (v) => {
    const size = sizeOf(v);
    return size === 1n ? 0n : size === 2n ? 2n : size - 2n;
  },
  type: (v) => (sizeOf(v) === 1n || v.ip !== networkOf(v) ? 'address' : 'network'),
  unicast: keepIf((v) => !isMulticast(v)),
  version: (v) => v.version,
  wrap: (v, vtype, value) => {
    if (v.version === 4) return value as Answer;
    return vtype === 'address' ? `[${addrText(6, v.ip)}]` : `[${addrText(6, v.ip)}]/${v.prefix}`;
  },
};

/** The collection's ipaddr(value, query, version, alias): the answer, or false where the value is no address. */
export function ipaddr(value: unknown, query = '', version: 0 | 4 | 6 = 0, alias = 'ipaddr'): Answer {
  if (Array.isArray(value)) return value.map((e) => ipaddr(e, query, version)).filter(pyTrue);
  if (!pyTrue(value) || value === true) return false;
  let v: IpNet | undefined;
  let vtype: Vtype;
  const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : typeof value === 'string' ? value : undefined;
  if (text !== undefined && isDigits(text)) {
    const n = BigInt(text);
    v = version === 6 ? fromInt(6, n) : (fromInt(4, n) ?? fromInt(6, n));
    if (!v) return false;
    value = netText(v);
    vtype = 'address';
  } else {
    if (typeof value !== 'string') return false;
    v = parseNetwork(value);
    if (v) vtype = value.split('/').length === 2 ? 'network' : 'address';
    else {
      const parts = value.split('/');
      if (parts.length !== 2) return false;
      const [a, p] = parts.map(pyInt);
      if (a === undefined || p === undefined) return false;
      v = fromInt(4, a, Number(p)) ?? fromInt(6, a, Number(p));
      if (!v) return false;
      value = netText(v);
      vtype = 'network';
    }
  }
  let within: IpNet | undefined;
  if (query && (!Object.hasOwn(QUERIES, query) || query === 'cidr_lookup') && !isDigits(query) && truthyQuery(query, 'network')) {
    const q = parseNetwork(query);
    if (q) {
      within = cidrOf(q);
      query = 'cidr_lookup';
    }
  }
  if (version && v.version !== version) return false;
  if (Object.hasOwn(QUERIES, query)) return QUERIES[query](v, vtype, value, within);
  if (!isFloat(query)) throw new JinjaError(`${alias}: unknown filter type: ${query}`);
  if (sizeOf(v) === 1n) return vtype === 'address' ? addrText(v.version, v.ip) : netText(v);
  const index = pyInt(query);
  if (index === undefined) return false;
  const size = sizeOf(v);
  let ip: bigint;
  if (-size <= index && index < 0n) ip = lastOf(v) + index + 1n;
  else if (index >= 0n && index < size) ip = networkOf(v) + index;
  else return false;
  return `${addrText(v.version, ip)}/${v.prefix}`;
}

/** An integer leaving a filter: a JS number when exact, else a clear error (an IPv6 address as one integer). */
function exact(x: Answer, what: string): unknown {
  if (Array.isArray(x)) return x.map((e) => exact(e, what));
  if (typeof x !== 'bigint') return x;
  if (x <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(x);
  throw new JinjaError(`${what}: ${x} is past the 2^53 that runbook's numbers hold exactly; use a string form such as ipaddr('address')`);
}

/** The argument spec's `type: str`: other values become their Python text. */
const asStr = (v: unknown): string => (v === null || v === undefined ? '' : str(v));
/** The argument spec's `type: int`: an int, or a string of one. */
function asInt(fn: string, name: string, v: unknown): bigint {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  const i = typeof v === 'string' ? pyInt(v) : undefined;
  if (i === undefined) throw new JinjaError(`${fn}: ${name} must be an integer, got ${pyRepr(v)}`);
  return i;
}
function checkType(fn: string, value: unknown, allowed: ('str' | 'list' | 'int' | 'bool')[]): void {
  const kind =
    typeof value === 'string'
      ? 'str'
      : Array.isArray(value)
        ? 'list'
        : typeof value === 'boolean'
          ? 'bool'
          : typeof value === 'number' && Number.isInteger(value)
            ? 'int'
            : undefined;
  const ok = kind !== undefined && (allowed.includes(kind) || (kind === 'bool' && allowed.includes('int')));
  if (!ok) throw new JinjaError(`${fn}: expected ${allowed.join(', ')} as the value, got ${pyRepr(value)}`);
}

/** _address_normalizer: an address or network as "network/prefix", else false. */
function normal(value: unknown): Answer {
  const t = ipaddr(value, 'type');
  return t === 'address' || t === 'network' ? ipaddr(value, 'subnet') : false;
}
/** ipaddr(x, 'cidr') for an address, 'subnet' for a network: the form nthhost and its kin start from. */
function normalized(value: unknown): IpNet | undefined {
  const t = ipaddr(value, 'type');
  const v = t === 'address' ? ipaddr(value, 'cidr') : t === 'network' ? ipaddr(value, 'subnet') : undefined;
  return typeof v === 'string' ? parseNetwork(v) : undefined;
}
const asBig = (x: Answer): bigint => (typeof x === 'bigint' ? x : typeof x === 'boolean' ? (x ? 1n : 0n) : 0n);
/** The first and last integer of a normalized value, as network_in_network and reduce_on_network compute them. */
function span(n: Answer, firstQuery: string, lastQuery: string): [bigint, bigint] {
  const first = ipaddr(ipaddr(n, firstQuery) || ipaddr(n, 'address'), 'int');
  const last = ipaddr(ipaddr(n, lastQuery) || ipaddr(n, 'address'), 'int');
  return [asBig(first), asBig(last)];
}
const inside = (a: [bigint, bigint], b: [bigint, bigint]) => b[0] <= a[0] && a[0] <= b[1] && b[0] <= a[1] && a[1] <= b[1];

/** The supernets of a network from `prefix` up to its own prefix less one (netaddr's IPNetwork.supernet). */
function supernets(v: IpNet, prefix: number): IpNet[] {
  const out: IpNet[] = [];
  for (let p = prefix; p < v.prefix; p++) out.push(cidrOf({ ...v, prefix: p }));
  return out;
}

function ipsubnet(value: unknown, query: string, index: bigint | undefined): Answer {
  const t = ipaddr(value, 'type');
  if (!pyTrue(t)) return false;
  const start = t === 'address' ? ipaddr(value, 'cidr') : ipaddr(value, 'subnet');
  const v = cidrOf(parseNetwork(String(start)) as IpNet);
  const vtype = sizeOf(v) === 1n ? 'address' : 'network';
  if (!query) return netText(v);
  const width = WIDTH[v.version];
  if (isDigits(query)) {
    const q = Number(query);
    if (q < 0 || q > width) return false;
    if (index === undefined) {
      if (vtype === 'address') {
        const s = supernets(v, q);
        if (!s.length) throw new JinjaError(`ipsubnet: no /${q} supernet of ${netText(v)}`);
        return netText(s[0]);
      }
      if (q - v.prefix < 0) throw new JinjaError(`Requested subnet size of ${q} is invalid`);
      return String(2n ** BigInt(q - v.prefix));
    }
    if (vtype === 'address') {
      if (index > BigInt(width + 1) - index || index < BigInt(q - width)) return false;
      const s = supernets(v, q);
      const i = Number(index < 0n ? BigInt(s.length) + index : index);
      if (i < 0 || i >= s.length) throw new JinjaError(`ipsubnet: index ${index} is out of range`);
      return netText(s[i]);
    }
    const subnets = 2n ** BigInt(q - v.prefix);
    const i = index < 0n ? index + subnets : index;
    if (i < 0n || i >= subnets) return false;
    const ip = networkOf(v) + (i << BigInt(width - q));
    const n = parseNetwork(`${autoText(ip)}/${q}`);
    if (!n) throw new JinjaError(`ipsubnet: ${autoText(ip)}/${q} is not a valid network`);
    return netText(n);
  }
  const qt = ipaddr(query, 'type');
  const qv = qt === 'address' ? ipaddr(query, 'cidr') : qt === 'network' ? ipaddr(query, 'subnet') : undefined;
  const q = typeof qv === 'string' ? parseNetwork(qv) : undefined;
  if (!q) throw new JinjaError(`You must pass a valid subnet or IP address; ${query} is invalid`);
  const shift = BigInt(width - q.prefix);
  if (v.ip >> shift === q.ip >> shift) {
    const low = BigInt(width - v.prefix);
    const bits = v.prefix - q.prefix;
    // Python computes 2 ** negative as a float here and fails shifting it
    if (bits < 0) throw new JinjaError(`ipsubnet: ${netText(v)} is larger than ${query}`);
    return String(((v.ip & (((1n << BigInt(bits)) - 1n) << low)) >> low) + 1n);
  }
  throw new JinjaError(`${netText(v)} is not in the subnet ${netText(cidrOf(q))}`);
}

/** netaddr.cidr_merge: the fewest CIDR blocks covering all the given ones, IPv4 before IPv6. */
function cidrMerge(values: unknown[]): string[] {
  const ranges = values.map((x) => {
    const n = typeof x === 'string' ? parseNetwork(x) : undefined;
    if (!n) throw new JinjaError(`cidr_merge: error in netaddr: invalid IPNetwork ${pyRepr(x)}`);
    return { version: n.version, first: networkOf(n), last: lastOf(n) };
  });
  ranges.sort((a, b) => a.version - b.version || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: typeof ranges = [];
  for (const r of ranges) {
    const top = merged.at(-1);
    if (top && top.version === r.version && r.first <= top.last + 1n) {
      if (r.last > top.last) top.last = r.last;
    } else merged.push({ ...r });
  }
  return merged.flatMap((r) => rangeToCidrs(r.version, r.first, r.last).map(netText));
}

/** netaddr.spanning_cidr: the smallest CIDR holding every given one (its algorithm, from the highest network's end). */
function spanningCidr(values: unknown[]): string {
  const nets = values.map((x) => {
    const n = typeof x === 'string' ? parseNetwork(x) : undefined;
    if (!n) throw new JinjaError(`cidr_merge: error in netaddr: invalid IPNetwork ${pyRepr(x)}`);
    return n;
  });
  const key = (n: IpNet): bigint[] => [BigInt(n.version), networkOf(n), BigInt(n.prefix - 1), n.ip - networkOf(n)];
  const cmp = (a: IpNet, b: IpNet) => {
    const [ka, kb] = [key(a), key(b)];
    const i = ka.findIndex((x, j) => x !== kb[j]);
    return i < 0 ? 0 : ka[i] < kb[i] ? -1 : 1;
  };
  const min = nets.reduce((a, b) => (cmp(b, a) < 0 ? b : a));
  const max = nets.reduce((a, b) => (cmp(b, a) > 0 ? b : a));
  if (min.version !== max.version) throw new JinjaError('cidr_merge: error in netaddr: IP sequence cannot contain both IPv4 and IPv6!');
  const width = WIDTH[max.version];
  let ipnum = lastOf(max);
  let prefix = max.prefix;
  const lowest = networkOf(min);
  while (prefix > 0 && ipnum > lowest) {
    prefix--;
    ipnum &= -(1n << BigInt(width - prefix));
  }
  return netText({ version: max.version, ip: ipnum, prefix });
}

/** Python's ipaddress.ip_network(strict): no host bits, no partial IPv4, no zero-padded octets. */
function strictNetwork(text: string): IpNet {
  const [addr, p, ...rest] = text.split('/');
  const four = parsePton4(addr);
  const version = four !== undefined ? 4 : 6;
  const ip = four ?? parsePton6(addr);
  const prefix = p === undefined ? WIDTH[version] : /^\d+$/.test(p) ? Number(p) : Number.NaN;
  if (ip === undefined || rest.length || !(prefix >= 0 && prefix <= WIDTH[version])) {
    throw new JinjaError(`Error while using plugin 'usable_range': '${text}' does not appear to be an IPv4 or IPv6 network`);
  }
  const n = { version, ip, prefix } as IpNet;
  if (networkOf(n) !== ip) throw new JinjaError(`Error while using plugin 'usable_range': ${text} has host bits set`);
  return n;
}
const USABLE_RANGE_MAX = 65536n;

const binds =
  <T extends Record<string, unknown>>(fn: string, spec: T, body: (value: unknown, a: { [K in keyof T]: unknown }) => unknown) =>
  (_e: unknown, value: unknown, args: unknown[], kw: Record<string, unknown>) =>
    body(value, bind(fn, args, kw, spec));

export const IPADDR_FILTERS: FilterTable = {
  ipaddr: binds('ipaddr', { query: '', version: 0, alias: 'ipaddr' }, (value, a) => {
    checkType('ipaddr', value, ['str', 'list', 'int']);
    const version = a.version ? Number(asInt('ipaddr', 'version', a.version)) : 0;
    return exact(ipaddr(value, asStr(a.query), version as 0 | 4 | 6, asStr(a.alias) || 'ipaddr'), 'ipaddr');
  }),
  ipv4: binds('ipv4', { query: '' }, (value, a) => {
    checkType('ipv4', value, ['str', 'list', 'int']);
    return exact(ipaddr(value, asStr(a.query), 4, 'ipv4'), 'ipv4');
  }),
  ipv6: binds('ipv6', { query: '' }, (value, a) => {
    checkType('ipv6', value, ['str', 'list', 'int']);
    return exact(ipaddr(value, asStr(a.query), 6, 'ipv6'), 'ipv6');
  }),
  // the collection's ipwrap takes a query argument and drops it (its argument spec names only the value)
  ipwrap: binds('ipwrap', { query: '' }, (value) => {
    checkType('ipwrap', value, ['str', 'list', 'bool']);
    const wrapped = (x: unknown, r: Answer) => (pyTrue(r) ? ipaddr(r, 'wrap') : x);
    const wrap = (x: unknown) => {
      try {
        return Array.isArray(x)
          ? x.map((e) => (pyTrue(ipaddr(e, '', 0, 'ipwrap')) ? ipaddr(e, 'wrap') : e))
          : wrapped(x, ipaddr(x, '', 0, 'ipwrap'));
      } catch {
        return x;
      }
    };
    return wrap(value);
  }),
  ipmath: binds('ipmath', { amount: REQUIRED }, (value, a) => {
    const text = asStr(value);
    const base = text.includes('/') ? parseNetwork(text) : parseAddress(text);
    if (!base) throw new JinjaError(`You must pass a valid IP address; ${text} is invalid`);
    if (!(typeof a.amount === 'number' && Number.isInteger(a.amount)) && !(typeof a.amount === 'string' && pyInt(a.amount) !== undefined)) {
      throw new JinjaError(`You must pass an integer for arithmetic; ${str(a.amount)} is not a valid integer`);
    }
    const ip = base.ip + asInt('ipmath', 'amount', a.amount);
    const r = fromInt(base.version, ip);
    if (!r) throw new JinjaError(`ipmath: ${text} + ${str(a.amount)} is outside valid IP address boundary`);
    return addrText(r.version, r.ip);
  }),
  ipsubnet: binds('ipsubnet', { query: '', index: null }, (value, a) =>
    exact(
      ipsubnet(asStr(value), asStr(a.query), a.index === null || a.index === undefined ? undefined : asInt('ipsubnet', 'index', a.index)),
      'ipsubnet',
    ),
  ),
  nthhost: binds('nthhost', { query: '' }, (value, a) => {
    const v = normalized(asStr(value));
    const query = asStr(a.query);
    if (!v || !query) return false;
    const nth = pyInt(query);
    if (nth === undefined) return false;
    const size = sizeOf(v);
    if (!(size > nth)) return false;
    if (nth < -size) throw new JinjaError(`nthhost: index ${nth} is out of range for ${size} addresses`);
    return addrText(v.version, nth < 0n ? lastOf(v) + nth + 1n : networkOf(v) + nth);
  }),
  next_nth_usable: binds('next_nth_usable', { offset: REQUIRED }, (value, a) => nthUsable('next_nth_usable', value, a.offset, 1n)),
  previous_nth_usable: binds('previous_nth_usable', { offset: REQUIRED }, (value, a) =>
    nthUsable('previous_nth_usable', value, a.offset, -1n),
  ),
  network_in_usable: binds('network_in_usable', { test: REQUIRED }, (value, a) =>
    inside(span(normal(asStr(a.test)), 'network', 'broadcast'), span(normal(asStr(value)), 'first_usable', 'last_usable')),
  ),
  network_in_network: binds('network_in_network', { test: REQUIRED }, (value, a) =>
    inside(span(normal(asStr(a.test)), 'network', 'broadcast'), span(normal(asStr(value)), 'network', 'broadcast')),
  ),
  reduce_on_network: binds('reduce_on_network', { network: REQUIRED }, (value, a) => {
    if (!Array.isArray(value)) throw new JinjaError(`reduce_on_network: expected a list, got ${pyRepr(value)}`);
    const n = span(normal(asStr(a.network)), 'network', 'broadcast');
    return value.filter((x) => inside(span(normal(x), 'network', 'broadcast'), n));
  }),
  cidr_merge: binds('cidr_merge', { action: 'merge' }, (value, a) => {
    if (!Array.isArray(value)) throw new JinjaError(`cidr_merge: expected iterable, got ${pyRepr(value)}`);
    const action = asStr(a.action);
    if (action === 'merge') return cidrMerge(value);
    if (action !== 'span') throw new JinjaError(`cidr_merge: invalid action '${action}'`);
    if (value.length === 0) return null;
    if (value.length === 1) {
      const n = typeof value[0] === 'string' ? parseNetwork(value[0]) : undefined;
      if (!n) throw new JinjaError(`cidr_merge: error in netaddr: invalid IPNetwork ${pyRepr(value[0])}`);
      return netText(n);
    }
    return spanningCidr(value);
  }),
  ip4_hex: binds('ip4_hex', { delimiter: '' }, (value, a) => {
    const parts = asStr(value).split('.').map(pyInt);
    if (parts.length !== 4 || parts.some((p) => p === undefined || p < 0n)) {
      throw new JinjaError(`ip4_hex: expected an IPv4 address, got ${pyRepr(value)}`);
    }
    return parts.map((p) => (p as bigint).toString(16).padStart(2, '0')).join(asStr(a.delimiter));
  }),
  usable_range: binds('usable_range', {}, (value) => {
    const n = strictNetwork(asStr(value));
    const size = sizeOf(n);
    if (size > USABLE_RANGE_MAX)
      throw new JinjaError(`usable_range: ${asStr(value)} has ${size} addresses; runbook lists at most ${USABLE_RANGE_MAX}`);
    const ips = Array.from({ length: Number(size) }, (_, i) => addrText(n.version, n.ip + BigInt(i), false));
    return { usable_ips: ips, number_of_ips: Number(size) };
  }),
};

function nthUsable(fn: string, value: unknown, offset: unknown, sign: 1n | -1n): unknown {
  const v = normalized(asStr(value));
  if (!v) return false;
  if (!(typeof offset === 'number' && Number.isInteger(offset)) && !(typeof offset === 'string' && pyInt(offset) !== undefined)) {
    throw new JinjaError('Must pass in an integer');
  }
  const fl = sizeOf(v) > 1n ? firstLast(v) : undefined;
  if (!fl) return null;
  const ip = v.ip + sign * asInt(fn, 'offset', offset);
  autoText(ip); // netaddr fails on an address below zero before the range check
  return ip >= fl[0] && ip <= fl[1] ? autoText(ip) : null;
}
