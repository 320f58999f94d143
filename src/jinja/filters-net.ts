// The project's IPv4 CIDR helpers as filters, under the names the Handlebars templates use, so both syntaxes share them.
import { type Cidr, formatIp, maskOf, networkOf, nthHost, overlaps, parseCidr } from '../shared/cidr.js';
import type { FilterTable } from './filters-util.js';
import { isMapping, JinjaError, type Kwargs } from './values.js';

function cidr(name: string, v: unknown): Cidr {
  const c = parseCidr(v);
  if (typeof c === 'string') throw new JinjaError(`${name}: ${c}`);
  return c;
}

const onCidr =
  (name: string, fn: (c: Cidr, args: unknown[], kw: Kwargs) => unknown) => (_e: unknown, v: unknown, args: unknown[], kw: Kwargs) =>
    fn(cidr(name, v), args, kw);

/** The CIDR filters by name: `'10.0.0.7/24' | network` is "10.0.0.0", `| host_addr(1)` is "10.0.0.1". */
export const NET_FILTERS: FilterTable = {
  address: onCidr('address', (c) => formatIp(c.addr)),
  network: onCidr('network', (c) => formatIp(networkOf(c))),
  prefix: onCidr('prefix', (c) => c.prefix),
  netmask: onCidr('netmask', (c) => formatIp(maskOf(c.prefix))),
  broadcast: onCidr('broadcast', (c) => formatIp((networkOf(c) | ~maskOf(c.prefix)) >>> 0)),
  cidr_network: onCidr('cidr_network', (c) => `${formatIp(networkOf(c))}/${c.prefix}`),
  host_addr: onCidr('host_addr', (c, [n]) => {
    const r = nthHost(c, typeof n === 'string' && /^-?\d+$/.test(n) ? Number(n) : (n as number));
    if (typeof r === 'string') throw new JinjaError(`host_addr: ${r}`);
    return formatIp(r);
  }),
  // An IPv4 address as 8 hex digits: short, stable interface names such as gre-c0a82a83 (≤ 15 chars).
  ip_hex: (_e, v) => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(typeof v === 'string' ? v : '');
    if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new JinjaError(`ip_hex: expected an IPv4 address, got ${JSON.stringify(v)}`);
    return m
      .slice(1)
      .map((o) => Number(o).toString(16).padStart(2, '0'))
      .join('');
  },
  // `hostvars | subnet_overlaps(groups.mesh, inventory_hostname, 'docker_subnet')`: the other hosts whose prefix overlaps mine.
  subnet_overlaps: (_e, hv, [hosts, me, key]) => {
    const vars = (h: unknown): Record<string, unknown> => {
      const all = isMapping(hv) ? hv : {};
      const x = all[String(h)];
      return isMapping(x) ? x : {};
    };
    const cidrOf = (h: unknown) => {
      const v = vars(h)[String(key)];
      if (v === undefined) return undefined;
      const c = parseCidr(v);
      if (typeof c === 'string') throw new JinjaError(`subnet_overlaps: host ${String(h)}: ${String(key)} ${c}`);
      return c;
    };
    const mine = cidrOf(me);
    if (!mine || !Array.isArray(hosts)) return [];
    return hosts
      .filter((h) => String(h) !== String(me))
      .filter((h) => {
        const c = cidrOf(h);
        return c !== undefined && overlaps(mine, c);
      });
  },
};
