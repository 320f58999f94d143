// The probe each mesh host runs (pings and a 64 KB TCP transfer to its peers while it receives from them), its output
// parsed back, and each pair's verdict; shared by `graph --probe` (src/graph/probe-run.ts) and the mesh_probe module. Pure.
import { quote } from '../../remote/quote.js';

/** What one host needs to know to probe: its bridge device, IPv4 bridge address, the bridge's link-local address. */
export interface ProbeEnd {
  host: string;
  bridge: string;
  v4?: string;
  /** The bridge's IPv6 link-local address: reachable only across the L2 overlay, i.e. through the GRE ports. */
  ll?: string;
  mtu: number;
}

export type ProbeStatus = 'ok' | 'mtu' | 'tcp' | 'noroute' | 'unverified';
export const STATUS_TEXT: Record<ProbeStatus, string> = {
  ok: 'ok',
  mtu: 'MTU black hole',
  tcp: 'TCP stalled',
  noroute: 'no route',
  unverified: 'not probed',
};

export interface Ping {
  sent: number;
  received: number;
  avgMs?: number;
}

/** One direction, from → to: the four pings and the bytes `to` received from `from`. */
export interface DirectionResult {
  from: string;
  to: string;
  small6?: Ping;
  full6?: Ping;
  small4?: Ping;
  full4?: Ping;
  tcpBytes?: number;
  tcpMs?: number;
  /** Where the bytes went when not from → to (mesh_probe counts what a host received from its peer). */
  tcpDir?: string;
  error?: string;
}

export interface PairProbe {
  status: ProbeStatus;
  latencyMs?: number;
  /** One line per failed check, naming both hosts. */
  problems: string[];
}

export const TCP_BYTES = 65536;
export const PORT_BASE = 47400;
/** Seconds: each ping (3 packets 0.2 s apart, 1 s wait), the TCP transfer, and the listener that outlives the sender's retries plus transfer. */
const PING_T = 5;
const TCP_T = 4;
const LISTEN_T = 9;

/** The round schedule: in round r (1..n-1) host i sends to host (i+r) mod n, so each host receives from exactly one peer. */
export function schedule(n: number): { round: number; from: number; to: number }[] {
  const out: { round: number; from: number; to: number }[] = [];
  for (let r = 1; r < n; r++) for (let i = 0; i < n; i++) out.push({ round: r, from: i, to: (i + r) % n });
  return out;
}

const llOn = (ll: string, dev: string) => quote(`${ll}%${dev}`);
const CHECKS = ['small6', 'full6', 'small4', 'full4', 'tcp'] as const;

// A listener for one sender (`nc -l ADDR PORT`: netcat-openbsd and ncat alike): the byte count lands in `file`
// when the sender closes (or the wait ends).
const listenLine = (me: ProbeEnd, port: number, file: string, wait: number) =>
  `( timeout ${wait} nc -6 -l ${llOn(me.ll as string, me.bridge)} ${port} </dev/null 2>/dev/null | wc -c >"${file}" ) &`;

/** `probe NAME CMD…`: CMD under a timeout, its exit code and output into "$d/NAME". */
const PROBE_FN = `probe() { n=$1; shift; o=$(timeout ${PING_T} "$@" 2>&1); r=$?; printf '## %s %s\\n%s\\n' "\${n#*.}" "$r" "$o" >"$d/$n"; }`;

// The sender half toward `to`: four pings at once (small and full-size with don't-fragment, overlay and bridge
// addresses), meanwhile 64 KB over TCP; results into "$d/<tag>.<check>".
function sendLines(me: ProbeEnd, to: ProbeEnd | undefined, port: number, tag: string): string[] {
  const lines = ['pids='];
  const bg = (check: string, command: string) => lines.push(`probe ${tag}.${check} ${command} & pids="$pids $!"`);
  if (to?.ll && me.ll) {
    const dst = llOn(to.ll, me.bridge);
    // small pings wait 2 s for the last reply: on a loaded host a slow answer is not "no route" (a healthy pair
    // answers at once, so only a failing one waits longer)
    bg('small6', `ping -6 -n -q -c 3 -i 0.2 -W 2 -s 56 ${dst}`);
    bg('full6', `ping -6 -n -q -M do -c 3 -i 0.2 -W 1 -s ${me.mtu - 48} ${dst}`);
  }
  if (to?.v4 && me.v4) {
    bg('small4', `ping -4 -n -q -c 3 -i 0.2 -W 2 -s 56 -I ${quote(me.v4)} ${quote(to.v4)}`);
    bg('full4', `ping -4 -n -q -M do -c 3 -i 0.2 -W 1 -s ${me.mtu - 28} -I ${quote(me.v4)} ${quote(to.v4)}`);
  }
  if (to?.ll && me.ll) {
    // bash's /dev/tcp sends (no nc flavour needed); the listener's byte count is the proof. Retried only while
    // refused (the peer's listener may start a moment later); a stall ends at the timeout.
    const send = `timeout ${TCP_T} bash -c ${quote(`exec 3>/dev/tcp/${to.ll}%${me.bridge}/${port} && head -c ${TCP_BYTES} /dev/zero >&3`)} 2>/dev/null`;
    lines.push(
      't0=$(date +%s%N); r=1',
      `for i in $(seq 15); do ${send}; r=$?; [ $r -eq 0 ] || [ $r -eq 124 ] && break; sleep 0.2; done`,
      `echo "## tcp $r $(( ($(date +%s%N) - t0) / 1000000 ))" >"$d/${tag}.tcp"`,
    );
  }
  lines.push('[ -z "$pids" ] || wait $pids');
  return lines;
}

const printLines = (tag: string, rx: string) => [
  `for n in ${CHECKS.join(' ')}; do [ -f "$d/${tag}.$n" ] && cat "$d/${tag}.$n"; done`,
  `echo "## rx $(cat "${rx}" 2>/dev/null)"`,
];

// A link-local address is tentative until duplicate address detection ends (a second or more after the bridge
// gets carrier, so right after a rollout): nothing can bind or send from it before. Bounded at 5 s.
const settleLine = (me: ProbeEnd) =>
  `for i in $(seq 25); do ip -6 addr show dev ${quote(me.bridge)} tentative 2>/dev/null | grep -q inet6 || break; sleep 0.2; done`;

// One round of `graph --probe`: receive from whoever sends this round, send to `to`.
export function roundScript(me: ProbeEnd, to: ProbeEnd | undefined, port: number): string {
  const lines = ['d=$(mktemp -d) || exit 1'];
  if (me.ll) lines.push(settleLine(me), listenLine(me, port, '$d/rx', LISTEN_T));
  lines.push(PROBE_FN, ...sendLines(me, to, port, 'out'), 'wait', ...printLines('out', '$d/rx'), 'rm -rf "$d"');
  return lines.join('\n');
}

/**
 * mesh_probe on one host, every host at once: a listener per peer (port PORT_BASE + the sender's index in `all`),
 * then peers one after another from the next index on; per peer a `## peer <index>` block as parseRound reads it.
 */
export function meshScript(all: ProbeEnd[], self: number): string {
  const me = all[self];
  const peers = all.map((_, k) => (self + k) % all.length).slice(1);
  const wait = PING_T + (TCP_T + 4) * Math.max(1, peers.length);
  const lines = ['d=$(mktemp -d) || exit 1'];
  if (me.ll) lines.push(settleLine(me));
  if (me.ll) for (const j of peers) lines.push(listenLine(me, PORT_BASE + j, `$d/rx.${j}`, wait));
  lines.push(PROBE_FN);
  for (const k of peers) lines.push(...sendLines(me, all[k], PORT_BASE + self, `p${k}`));
  lines.push('wait');
  for (const k of peers) lines.push(`echo "## peer ${k}"`, ...printLines(`p${k}`, `$d/rx.${k}`));
  lines.push('rm -rf "$d"');
  return lines.join('\n');
}

/** meshScript's output: each peer's round, by index. */
export function parseMesh(out: string): Map<number, ReturnType<typeof parseRound>> {
  const res = new Map<number, ReturnType<typeof parseRound>>();
  for (const chunk of out.split(/^## peer /m).slice(1)) {
    const nl = chunk.indexOf('\n');
    res.set(Number(chunk.slice(0, nl < 0 ? undefined : nl)), parseRound(nl < 0 ? '' : chunk.slice(nl + 1)));
  }
  return res;
}

// `3 packets transmitted, 3 received, …` and `rtt min/avg/max/mdev = 0.4/0.5/0.6/0.1 ms`.
export function parsePing(out: string): Ping {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(out);
  return { sent: Number(m?.[1] ?? 0), received: Number(m?.[2] ?? 0), avgMs: rtt ? Number(rtt[1]) : undefined };
}

/** A round's output: the pings and transfer time of the sender half, the bytes of the listener half. */
export function parseRound(out: string): {
  pings: Partial<Record<'small6' | 'full6' | 'small4' | 'full4', Ping>>;
  tcpMs?: number;
  tcpExit?: number;
  rx?: number;
} {
  const res: ReturnType<typeof parseRound> = { pings: {} };
  for (const sec of out.split(/^## /m).slice(1)) {
    const [head, ...body] = sec.split('\n');
    const [name, a, b] = head.trim().split(/\s+/);
    if (name === 'tcp') Object.assign(res, { tcpExit: Number(a), tcpMs: Number(b) });
    else if (name === 'rx') res.rx = a === undefined || a === '' ? 0 : Number(a);
    else if (name === 'small6' || name === 'full6' || name === 'small4' || name === 'full4') res.pings[name] = parsePing(body.join('\n'));
  }
  return res;
}

const passed = (p?: Ping) => !!p && p.received > 0;

// One direction's verdict: no route (even small pings fail), MTU black hole (small pass, full-size DF fail), TCP stalled.
export function judgeDirection(d: DirectionResult, mtu: number): { status: ProbeStatus; problems: string[] } {
  const where = `${d.from} -> ${d.to}`;
  if (d.error) return { status: 'noroute', problems: [`${where}: ${d.error}`] };
  const v: { status: ProbeStatus; problems: string[] } = { status: 'ok', problems: [] };
  const worse = (s: ProbeStatus, why: string, dir = where) => {
    v.problems.push(`${dir}: ${why}`);
    if (RANK[s] > RANK[v.status]) v.status = s;
  };
  if (!passed(d.small6)) worse('noroute', 'no reply across the overlay (ping to the bridge link-local address)');
  else if (!passed(d.full6))
    worse('mtu', `MTU black hole across the overlay: small pings pass, ${mtu}-byte packets with don't-fragment are lost`);
  if (!passed(d.small4)) worse('noroute', 'no reply from the bridge address (ping)');
  else if (!passed(d.full4))
    worse('mtu', `MTU black hole between the bridge addresses: small pings pass, ${mtu}-byte packets with don't-fragment are lost`);
  // Behind a black hole the transfer stalls too: said as well, the verdict stays the cause.
  if (v.status !== 'noroute' && (d.tcpBytes ?? 0) < TCP_BYTES)
    worse('tcp', `TCP stalled: ${d.tcpBytes ?? 0} of ${TCP_BYTES} bytes arrived in ${TCP_T} s`, d.tcpDir);
  return v;
}

const RANK: Record<ProbeStatus, number> = { ok: 0, unverified: 1, tcp: 2, mtu: 3, noroute: 4 };

/** Both directions of a pair: the worse verdict, all problems, the mean overlay round trip. */
export function judgePair(dirs: DirectionResult[], mtu: number): PairProbe {
  if (!dirs.length) return { status: 'unverified', problems: [] };
  const verdicts = dirs.map((d) => judgeDirection(d, mtu));
  const status = verdicts.reduce<ProbeStatus>((s, v) => (RANK[v.status] > RANK[s] ? v.status : s), 'ok');
  const rtts = dirs.map((d) => d.small6?.avgMs).filter((v): v is number => v !== undefined);
  const latencyMs = rtts.length ? Math.round((rtts.reduce((a, b) => a + b, 0) / rtts.length) * 1000) / 1000 : undefined;
  return { status, latencyMs, problems: verdicts.flatMap((v) => v.problems) };
}

// `ip -j addr show dev br0` → the IPv4 address and the link-local IPv6 address.
export function parseBridgeAddrs(json: string): { v4?: string; ll?: string; mtu?: number } {
  const [dev] = JSON.parse(json || '[]') as { mtu?: number; addr_info?: { family: string; local: string; scope: string }[] }[];
  const info = dev?.addr_info ?? [];
  return {
    v4: info.find((a) => a.family === 'inet')?.local,
    ll: info.find((a) => a.family === 'inet6' && a.scope === 'link')?.local,
    mtu: dev?.mtu,
  };
}
