// A Linux bridge (docker's br0) with exactly its addresses, MTU, state and ports, read back in one probe.

import { cmd, quote } from '../../remote/quote.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { ipBatch } from './ip-batch.js';
import { cidrList, ifname } from './net-args.js';
import { firstError, jsonOf, section, sections } from './probe-text.js';

export interface BridgeArgs {
  name: string;
  state: 'present' | 'absent';
  addresses?: string[];
  mtu?: number;
  up: boolean;
  ports?: string[];
  portsUp: boolean;
  exclusivePorts: boolean;
  useBrctl: boolean;
}

interface IpLink {
  ifname: string;
  flags?: string[];
  mtu?: number;
  master?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

interface Have {
  up: boolean;
  mtu?: number;
  addresses: string[];
  ports: string[];
  /** attached ports whose link is down (a down port forwards nothing) */
  downPorts: string[];
}

const describe = (name: string, h: Have | undefined): string =>
  h === undefined
    ? `(no bridge ${name})\n`
    : [
        `bridge ${name} ${h.up ? 'up' : 'down'}${h.mtu ? ` mtu ${h.mtu}` : ''}`,
        ...h.addresses.map((a) => `address ${a}`),
        ...h.ports.map((p) => `port ${p}${h.downPorts.includes(p) ? ' down' : ''}`),
      ].join('\n') + '\n';

/**
 * The changes as one command (one frame on the host, not one per change), in order; the first that fails ends it
 * and is named on stderr after its own message, so the task says which change failed and why.
 */
export function chain(cmds: string[]): Step {
  if (cmds.length === 1) return { kind: 'exec', cmd: cmds[0] };
  return { kind: 'exec', cmd: cmds.map((c) => `${c} || { r=$?; echo ${quote(`failed: ${c}`)} >&2; exit $r; }`).join('\n') };
}

// One `ip -d addr` gives the link (kind, flags, MTU) and its addresses; nothing runs for a bridge that is not there.
// The ports and whether each is up come from sysfs with the shell's own `read` ("<port> <flags in hex>"): one
// process fewer than `ip link show master`, on every probe of a bridge.
export const bridgeProbe = (name: string, brctl: boolean): string =>
  [
    `echo @@exists; if [ -e ${quote(`/sys/class/net/${name}`)} ]; then echo yes`,
    section('link', cmd('ip', '-j', '-d', 'addr', 'show', 'dev', name)),
    `${section(
      'ports',
      `for p in ${quote(`/sys/class/net/${name}/brif`)}/*; do [ -e "$p" ] || continue; n=\${p##*/}; f=; read -r f < "/sys/class/net/$n/flags"; echo "$n $f"; done`,
    )}; else echo no; fi`,
    ...(brctl ? [section('brctl', 'command -v brctl')] : []),
  ].join('; ');

/** The ports' lines of bridgeProbe: name and whether its link is up (IFF_UP, bit 0 of the flags). */
export function bridgePorts(text: string | undefined): { ifname: string; up: boolean }[] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[0])
    .map(([ifname, flags]) => ({ ifname, up: (Number.parseInt(flags ?? '0', 16) & 1) === 1 }));
}

export const bridge = defineModule({
  name: 'bridge',
  doc: "A Linux bridge (docker's br0) with exactly its addresses, MTU, state and ports, read back in one probe.",
  example: 'bridge: {name: br0, addresses: [192.168.1.1/24], mtu: 1400, ports: [obr0]}',
  args: {
    name: { required: true, check: ifname, description: 'the bridge device' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'absent deletes the bridge' },
    addresses: { type: 'list', check: cidrList, description: 'exactly these IPv4 addresses in CIDR form (others are removed)' },
    address: { type: 'list', check: cidrList, description: 'one address, the same as addresses' },
    mtu: { type: 'int', description: 'the MTU' },
    up: { type: 'bool', default: true, description: 'link up (false: down)' },
    ports: { type: 'list', description: 'interfaces attached to the bridge (and brought up, unless ports_up is false)' },
    ports_up: { type: 'bool', default: true, description: "bring the listed ports' links up (false: leave their state alone)" },
    exclusive_ports: { type: 'bool', default: false, description: 'detach interfaces not listed in ports' },
    use_brctl: { type: 'bool', default: false, description: 'use brctl (bridge-utils) instead of iproute2' },
  },
  mutually_exclusive: [['address', 'addresses']],
  build: (v): BridgeArgs => ({
    name: v.name,
    state: v.state as BridgeArgs['state'],
    addresses: v.address ?? v.addresses,
    mtu: v.mtu,
    up: v.up,
    ports: v.ports,
    portsUp: v.ports_up,
    exclusivePorts: v.exclusive_ports,
    useBrctl: v.use_brctl,
  }),
  async plan(p, probe) {
    const r = await probe.run(bridgeProbe(p.name, p.useBrctl));
    const s = sections(r.stdout);
    const link = jsonOf<IpLink[]>(s.link)?.[0];
    if (!link && s.exists?.trim() !== 'no') return { changed: false, failed: firstError(r.stderr, `cannot read link ${p.name}`) };
    if (link && link.linkinfo?.info_kind !== 'bridge')
      return { changed: false, failed: `${p.name} exists but is a ${link.linkinfo?.info_kind ?? 'physical'} device, not a bridge` };
    if (p.useBrctl && !s.brctl?.trim())
      return {
        changed: false,
        failed: 'use_brctl: true but brctl is not installed (package bridge-utils), or set use_brctl: false to use iproute2',
      };
    const attached = bridgePorts(s.ports);
    const have: Have | undefined = link && {
      up: link.flags?.includes('UP') ?? false,
      mtu: link.mtu,
      addresses: (link.addr_info ?? []).filter((x) => x.family === 'inet').map((x) => `${x.local}/${x.prefixlen}`),
      ports: attached.map((x) => x.ifname),
      downPorts: attached.filter((x) => !x.up).map((x) => x.ifname),
    };
    // Each change as `ip` words where iproute2 makes it (all of them go in one `ip -batch`), or a command (brctl).
    type Change = { ip: string[] } | { sh: string };
    const ipLink = (...a: string[]): Change => ({ ip: ['link', ...a] });
    const text = (c: Change) => ('sh' in c ? c.sh : cmd('ip', ...c.ip));
    const plan = (changes: Change[], want: Have | undefined, note: string): Plan => {
      if (changes.length === 0) return { changed: false, note };
      const ipLines = changes.flatMap((c) => ('ip' in c ? [c.ip] : []));
      const batch = changes.length > 1 && ipLines.length === changes.length ? ipBatch(ipLines) : undefined;
      return {
        changed: true,
        steps: [batch ? { kind: 'exec', cmd: batch } : chain(changes.map(text))],
        diff: [{ before: describe(p.name, have), after: describe(p.name, want) }],
        note,
      };
    };
    const brctl = (...a: string[]): Change => ({ sh: cmd('brctl', ...a) });

    if (p.state === 'absent') {
      if (!have) return { changed: false, note: `no bridge ${p.name}` };
      const del = p.useBrctl ? [ipLink('set', 'dev', p.name, 'down'), brctl('delbr', p.name)] : [ipLink('del', 'dev', p.name)];
      return plan(del, undefined, `removed bridge ${p.name}`);
    }

    const cur: Have = have ?? { up: false, addresses: [], ports: [], downPorts: [] };
    const steps: Change[] = [];
    if (!have) steps.push(p.useBrctl ? brctl('addbr', p.name) : ipLink('add', 'name', p.name, 'type', 'bridge'));
    if (p.mtu !== undefined && p.mtu !== cur.mtu) steps.push(ipLink('set', 'dev', p.name, 'mtu', String(p.mtu)));
    const ports = p.ports ?? [];
    // A port joins and comes up in one `ip link set` (brctl cannot bring a link up); one already in but down comes up.
    for (const port of ports.filter((x) => !cur.ports.includes(x))) {
      if (!p.useBrctl) steps.push(ipLink('set', 'dev', port, 'master', p.name, ...(p.portsUp ? ['up'] : [])));
      else steps.push(brctl('addif', p.name, port), ...(p.portsUp ? [ipLink('set', 'dev', port, 'up')] : []));
    }
    if (p.portsUp) for (const port of ports.filter((x) => cur.downPorts.includes(x))) steps.push(ipLink('set', 'dev', port, 'up'));
    const extraPorts = p.exclusivePorts ? cur.ports.filter((x) => !ports.includes(x)) : [];
    for (const port of extraPorts) steps.push(p.useBrctl ? brctl('delif', p.name, port) : ipLink('set', 'dev', port, 'nomaster'));
    const addrs = p.addresses;
    for (const c of addrs ? cur.addresses.filter((x) => !addrs.includes(x)) : []) steps.push({ ip: ['addr', 'del', c, 'dev', p.name] });
    for (const c of addrs ? addrs.filter((x) => !cur.addresses.includes(x)) : []) steps.push({ ip: ['addr', 'add', c, 'dev', p.name] });
    if (p.up !== cur.up) steps.push(ipLink('set', 'dev', p.name, p.up ? 'up' : 'down'));

    const want: Have = {
      up: p.up,
      mtu: p.mtu ?? cur.mtu,
      addresses: addrs ?? cur.addresses,
      ports: [...cur.ports.filter((x) => !extraPorts.includes(x)), ...ports.filter((x) => !cur.ports.includes(x))],
      downPorts: p.portsUp ? cur.downPorts.filter((x) => !ports.includes(x)) : cur.downPorts,
    };
    const note = [
      `bridge ${p.name}`,
      ...(want.addresses.length ? [want.addresses.join(' ')] : []),
      ...(want.ports.length ? [`ports ${want.ports.join(' ')}`] : []),
    ].join(', ');
    return plan(steps, want, note);
  },
});
