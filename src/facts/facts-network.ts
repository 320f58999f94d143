// Network facts (interfaces, addresses, default routes) from the facts script, as ansible-core 2.14's LinuxNetwork has them.
import type { Sections } from './facts-parse.js';

type Facts = Record<string, unknown>;
type Iface = Record<string, unknown>;

// /sys/class/net/<dev>/type → Ansible's interface type
const TYPES: Record<string, string> = { '1': 'ether', '32': 'infiniband', '512': 'ppp', '772': 'loopback', '65534': 'tunnel' };

const v4 = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const dotted = (n: number) => [24, 16, 8, 0].map((b) => Math.floor(n / 2 ** b) % 256).join('.');

export function networkFacts(s: Sections): Facts {
  const ifaces = new Map<string, Iface>();
  const dev = (name: string) => {
    let i = ifaces.get(name);
    if (!i) ifaces.set(name, (i = { device: name }));
    return i;
  };
  // grep -H output: /sys/class/net/<dev>/<file>:<value>
  for (const l of s.sysnet ?? []) {
    const m = /^\/sys\/class\/net\/([^/]+)\/(.+?):(.*)$/.exec(l);
    if (!m) continue;
    const [, name, file, val] = m;
    const i = dev(name);
    if (file === 'address') {
      if (val && val !== '00:00:00:00:00:00') i.macaddress = val;
    } else if (file === 'mtu') i.mtu = Number(val);
    else if (file === 'operstate') i.active = val !== 'down';
    else if (file === 'type') i.type ??= TYPES[val] ?? 'unknown';
    else if (file === 'speed') {
      if (/^-?\d+$/.test(val)) i.speed = Number(val);
    } else if (file === 'flags') i.promisc = (Number.parseInt(val, 16) & 0x100) > 0;
    else if (file === 'bridge/bridge_id')
      Object.assign(i, { type: 'bridge', id: val, interfaces: (i.interfaces as string[] | undefined) ?? [] });
    else if (file === 'bridge/stp_state') i.stp = val === '1';
    else if (file === 'bonding/slaves') Object.assign(i, { type: 'bonding', slaves: val.split(/\s+/).filter(Boolean) });
    else if (file === 'bonding/mode') i.mode = val.split(/\s+/)[0];
    else if (file.startsWith('brif/')) {
      i.type = 'bridge';
      ((i.interfaces ??= []) as string[]).push(file.slice(5));
    }
  }
  const routes = { v4: defaultRoute(s.route4 ?? [], '8.8.8.8'), v6: defaultRoute(s.route6 ?? [], '2404:6800:400a:800::1012') };
  const all4: string[] = [];
  const all6: string[] = [];
  for (const l of s.addr ?? []) {
    // 2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global secondary eth0:1\       valid_lft …
    const w = l.replace(/\\.*$/, '').trim().split(/\s+/);
    const name = w[1]?.replace(/@.*$/, '');
    if (!name || (w[2] !== 'inet' && w[2] !== 'inet6')) continue;
    const i = dev(name);
    const [address, plen = w[2] === 'inet' ? '32' : '128'] = w[3].split('/');
    const at = (k: string) => (w.indexOf(k) > 0 ? w[w.indexOf(k) + 1] : undefined);
    if (w[2] === 'inet') {
      const bits = Number(plen);
      const mask = bits === 0 ? 0 : (2 ** 32 - 2 ** (32 - bits)) >>> 0;
      const entry = {
        address,
        broadcast: at('brd') ?? '',
        netmask: dotted(mask),
        network: dotted((v4(address) & mask) >>> 0),
        prefix: plen,
      };
      if (!w.includes('secondary') && !i.ipv4) i.ipv4 = entry;
      else ((i.ipv4_secondaries ??= []) as Iface[]).push(entry);
      if (!address.startsWith('127.')) all4.push(address);
      if (routes.v4.address === address) Object.assign(routes.v4, entry, pick(i, 'macaddress', 'mtu', 'type'), { alias: w[w.length - 1] });
    } else {
      const entry = { address, prefix: plen, scope: at('scope') ?? '' };
      ((i.ipv6 ??= []) as Iface[]).push(entry);
      if (address !== '::1') all6.push(address);
      if (routes.v6.address === address)
        Object.assign(routes.v6, { prefix: plen, scope: entry.scope }, pick(i, 'macaddress', 'mtu', 'type'));
    }
  }
  const facts: Facts = {
    interfaces: [...ifaces.keys()],
    all_ipv4_addresses: all4,
    all_ipv6_addresses: all6,
    default_ipv4: routes.v4,
    default_ipv6: routes.v6,
  };
  for (const [name, i] of ifaces) facts[name.replace(/-/g, '_')] = i;
  return facts;
}

const pick = (o: Iface, ...keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

// `ip route get <addr>`: dev, src and via of the route a packet to the internet would take.
function defaultRoute(lines: string[], probe: string): Facts {
  const w = (lines[0] ?? '').trim().split(/\s+/);
  const out: Facts = {};
  if (w[0] !== probe) return out;
  for (let k = 0; k < w.length - 1; k++) {
    if (w[k] === 'dev') out.interface = w[k + 1];
    else if (w[k] === 'src') out.address = w[k + 1];
    else if (w[k] === 'via' && w[k + 1] !== probe) out.gateway = w[k + 1];
  }
  return out;
}
