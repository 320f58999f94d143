// graph --probe without hosts: the round schedule, the script each host runs, its output parsed back, the verdict
// per pair (table), the exit code, JSON, and the host × host matrix that replaces the circle past 8 hosts.
import { describe, expect, it } from 'vitest';
import { graphExitCode } from '../../../src/cli/graph.js';
import { renderDot } from '../../../src/graph/dot.js';
import { renderJson } from '../../../src/graph/json.js';
import { CIRCLE_MAX_HOSTS, cellStatus, failedLines } from '../../../src/graph/matrix.js';
import { renderMermaid } from '../../../src/graph/mermaid.js';
import { driftLines, type MeshEdge, type MeshGraph } from '../../../src/graph/model.js';
import { applyProbe } from '../../../src/graph/probe-run.js';
import { renderSvg } from '../../../src/graph/svg.js';
import {
  type DirectionResult,
  judgeDirection,
  judgePair,
  meshScript,
  parseBridgeAddrs,
  parseMesh,
  parsePing,
  parseRound,
  roundScript,
  schedule,
} from '../../../src/modules/net/mesh-probe-script.js';

const PING_OK = `PING 192.168.2.1 (192.168.2.1) from 192.168.1.1 : 1372(1400) bytes of data.

--- 192.168.2.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 402ms
rtt min/avg/max/mdev = 0.399/0.683/0.968/0.284 ms`;
const PING_LOST = `PING fe80::1%br0(fe80::1%br0) 56 data bytes

--- fe80::1%br0 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 409ms
`;
const good = { sent: 3, received: 3, avgMs: 0.5 };
const lost = { sent: 3, received: 0 };

describe('schedule', () => {
  it('in n-1 rounds every host sends to every peer once and receives from exactly one peer per round', () => {
    const s = schedule(4);
    expect(new Set(s.map((x) => `${x.from}>${x.to}`)).size).toBe(12);
    for (const r of [1, 2, 3]) expect(new Set(s.filter((x) => x.round === r).map((x) => x.to)).size).toBe(4);
    expect(s.some((x) => x.from === x.to)).toBe(false);
    expect(schedule(1)).toEqual([]);
  });
});

describe('round script', () => {
  const me = { host: 'h1', bridge: 'br0', v4: '192.168.1.1', ll: 'fe80::1', mtu: 1400 };
  const peer = { host: 'h2', bridge: 'br0', v4: '192.168.2.1', ll: 'fe80::2', mtu: 1400 };

  it("pings with don't-fragment at the MTU (payload MTU-28 over IPv4, MTU-48 over IPv6), 64 KB over TCP, every step under a timeout", () => {
    const s = roundScript(me, peer, 47401);
    expect(s).toContain('probe out.full4 ping -4 -n -q -M do -c 3 -i 0.2 -W 1 -s 1372 -I 192.168.1.1 192.168.2.1 &');
    expect(s).toContain('probe out.full6 ping -6 -n -q -M do -c 3 -i 0.2 -W 1 -s 1352 fe80::2%br0 &');
    expect(s).toContain('probe out.small6 ping -6 -n -q -c 3 -i 0.2 -W 2 -s 56 fe80::2%br0 &');
    expect(s).toContain('( timeout 9 nc -6 -l fe80::1%br0 47401 </dev/null');
    expect(s).toContain("timeout 4 bash -c 'exec 3>/dev/tcp/fe80::2%br0/47401 && head -c 65536 /dev/zero >&3'");
    expect(s).toContain('o=$(timeout 5 "$@" 2>&1)');
  });

  it("mesh_probe's script: a listener per peer on port base+sender index, sends to peers from the next index on", () => {
    const all = [1, 2, 3].map((i) => ({ host: `h${i}`, bridge: 'br0', v4: `192.168.${i}.1`, ll: `fe80::${i}`, mtu: 1400 }));
    const s = meshScript(all, 1);
    expect(s.match(/nc -6 -l fe80::2%br0 (\d+)/g)).toEqual(['nc -6 -l fe80::2%br0 47402', 'nc -6 -l fe80::2%br0 47400']);
    expect([...s.matchAll(/\/dev\/tcp\/(fe80::\d)%br0\/(\d+) /g)].map((m) => `${m[1]}:${m[2]}`)).toEqual([
      'fe80::3:47401',
      'fe80::1:47401',
    ]);
    expect(s.indexOf('## peer 2')).toBeLessThan(s.indexOf('## peer 0'));
    const out = `## peer 2\n## small6 0\n${PING_OK}\n## rx 65536\n## peer 0\n## rx \n`;
    expect(parseMesh(out).get(2)).toMatchObject({ pings: { small6: { received: 3 } }, rx: 65536 });
    expect(parseMesh(out).get(0)).toEqual({ pings: {}, rx: 0 });
  });

  it('a host without a link-local address neither listens nor sends over the overlay; it still pings the bridge address', () => {
    const s = roundScript({ ...me, ll: undefined }, peer, 47401);
    expect(s).not.toContain('nc -6');
    expect(s).not.toContain('ping -6');
    expect(s).toContain('probe out.full4');
  });
});

describe('parsing a round', () => {
  it('ping summaries, the transfer time and the bytes received', () => {
    expect(parsePing(PING_OK)).toEqual({ sent: 3, received: 3, avgMs: 0.683 });
    expect(parsePing(PING_LOST)).toEqual({ sent: 3, received: 0, avgMs: undefined });
    const out = `## small6 0\n${PING_OK}\n## full6 1\n${PING_LOST}\n## tcp 124 4012\n## rx 2720\n`;
    expect(parseRound(out)).toEqual({
      pings: { small6: { sent: 3, received: 3, avgMs: 0.683 }, full6: { sent: 3, received: 0, avgMs: undefined } },
      tcpExit: 124,
      tcpMs: 4012,
      rx: 2720,
    });
    expect(parseRound('## rx \n').rx).toBe(0);
  });

  it('ip -j addr show dev br0: the IPv4 address and the link-local one', () => {
    const json = JSON.stringify([
      {
        ifname: 'br0',
        mtu: 1400,
        addr_info: [
          { family: 'inet', local: '192.168.1.1', prefixlen: 24, scope: 'global' },
          { family: 'inet6', local: 'fe80::88ef:f6ff:fe81:bbd5', prefixlen: 64, scope: 'link' },
        ],
      },
    ]);
    expect(parseBridgeAddrs(json)).toEqual({ v4: '192.168.1.1', ll: 'fe80::88ef:f6ff:fe81:bbd5', mtu: 1400 });
    expect(parseBridgeAddrs('')).toEqual({ v4: undefined, ll: undefined, mtu: undefined });
  });
});

describe('verdict per direction', () => {
  const d = (x: Partial<DirectionResult>): DirectionResult => ({
    from: 'h1',
    to: 'h2',
    small6: good,
    full6: good,
    small4: good,
    full4: good,
    tcpBytes: 65536,
    ...x,
  });
  it.each([
    ['everything arrives', d({}), 'ok', []],
    [
      'small overlay pings lost',
      d({ small6: lost, full6: lost }),
      'noroute',
      ['h1 -> h2: no reply across the overlay (ping to the bridge link-local address)'],
    ],
    [
      'full-size overlay pings lost',
      d({ full6: lost, tcpBytes: 2720 }),
      'mtu',
      [
        "h1 -> h2: MTU black hole across the overlay: small pings pass, 1400-byte packets with don't-fragment are lost",
        'h1 -> h2: TCP stalled: 2720 of 65536 bytes arrived in 4 s',
      ],
    ],
    [
      'full-size pings between bridge addresses lost',
      d({ full4: lost }),
      'mtu',
      ["h1 -> h2: MTU black hole between the bridge addresses: small pings pass, 1400-byte packets with don't-fragment are lost"],
    ],
    ['pings pass, the transfer does not', d({ tcpBytes: 0 }), 'tcp', ['h1 -> h2: TCP stalled: 0 of 65536 bytes arrived in 4 s']],
    ['the host could not run the probe', d({ error: 'h1: channel closed' }), 'noroute', ['h1 -> h2: h1: channel closed']],
  ])('%s', (_name, dir, status, problems) => {
    expect(judgeDirection(dir, 1400)).toEqual({ status, problems });
  });

  it('a pair: the worse direction wins, latency is the mean overlay round trip', () => {
    const ab = d({ small6: { ...good, avgMs: 0.4 } });
    const ba = { ...d({ small6: { ...good, avgMs: 0.6 }, full6: lost }), from: 'h2', to: 'h1' };
    expect(judgePair([ab], 1400)).toEqual({ status: 'ok', latencyMs: 0.4, problems: [] });
    expect(judgePair([ab, ba], 1400)).toMatchObject({ status: 'mtu', latencyMs: 0.5 });
    expect(judgePair([], 1400)).toEqual({ status: 'unverified', problems: [] });
  });
});

/** A live graph of n healthy hosts whose tunnels all match the plan. */
function mesh(n: number): MeshGraph {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `h${i + 1}`,
    kind: 'host' as const,
    name: `h${i + 1}`,
    address: `10.0.0.${i + 1}`,
  }));
  const edges: MeshEdge[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push({ a: nodes[i].id, b: nodes[j].id, state: 'ok', problems: [] });
  return { title: 'GRE mesh: mesh (live)', live: true, nodes, edges };
}
const allPass = (g: MeshGraph): DirectionResult[] =>
  g.edges.flatMap((e) => [
    { from: e.a, to: e.b, small6: good, full6: good, small4: good, full4: good, tcpBytes: 65536 },
    { from: e.b, to: e.a, small6: good, full6: good, small4: good, full4: good, tcpBytes: 65536 },
  ]);

describe('probe on the graph, exit code, JSON', () => {
  it('all pairs pass: exit 0; one black hole: exit 5 naming both hosts; an unreachable host alone: exit 3', () => {
    const g = mesh(3);
    const ok = applyProbe(g, allPass(g), () => 1400);
    expect(ok.edges.map((e) => e.probe?.status)).toEqual(['ok', 'ok', 'ok']);
    expect(graphExitCode(ok)).toBe(0);

    const results = allPass(g).map((r) => (r.from === 'h2' && r.to === 'h3' ? { ...r, full6: lost } : r));
    const bad = applyProbe(g, results, () => 1400);
    expect(graphExitCode(bad)).toBe(5);
    expect(driftLines(bad)).toEqual([
      "probe h2 -- h3: h2 -> h3: MTU black hole across the overlay: small pings pass, 1400-byte packets with don't-fragment are lost",
    ]);
    expect(renderDot(bad)).toContain('"h2" -- "h3" [color="red", label="MTU black hole", class="probe-mtu"');
    expect(renderMermaid(bad)).toContain('  n1 ---|MTU black hole| n2\n');
    expect(renderSvg(bad)).toContain('<line class="edge probe mtu" data-a="h2" data-b="h3"');

    const json = JSON.parse(renderJson(bad));
    expect(json.failed).toEqual([['h2', 'h3']]);
    expect(json.pairs[0]).toMatchObject({ a: 'h2', b: 'h3', ok: false, tunnel: 'ok', probe: { status: 'mtu', latency_ms: 0.5 } });
    expect(json.pairs.slice(1).map((p: { ok: boolean }) => p.ok)).toEqual([true, true]);

    const down: MeshGraph = { ...ok, nodes: ok.nodes.map((n) => (n.id === 'h3' ? { ...n, unreachable: 'connect ECONNREFUSED' } : n)) };
    expect(graphExitCode(down)).toBe(3);
  });
});

describe('matrix past 8 hosts', () => {
  it(`up to ${CIRCLE_MAX_HOSTS} hosts stay a circle; more are a matrix with a cell per ordered pair`, () => {
    expect(renderSvg(mesh(8))).toContain('<line class="edge ok"');
    const g = mesh(20);
    const svg = renderSvg(applyProbe(g, allPass(g), () => 1400));
    expect(svg).not.toContain('<line');
    expect(svg.match(/<g class="cell ok" data-a=/g)).toHaveLength(380);
    expect(svg.match(/<g class="cell self">/g)).toHaveLength(20);
    expect(svg).toContain('<g class="cell ok" data-a="h1" data-b="h2" data-status="ok"><rect x="');
    expect(svg).toContain('>0.50 ms</text>');
    expect(svg).toContain('Every pair passed.');
  });

  it('cells take the tunnel state, then the probe verdict; the list under the matrix has only what failed', () => {
    const g = mesh(10);
    g.nodes[9].unreachable = 'connect ETIMEDOUT';
    const results = allPass(g).map((r) => (r.from === 'h3' && r.to === 'h4' ? { ...r, tcpBytes: 0 } : r));
    const p = applyProbe(g, results, () => 1400);
    p.edges[0] = { ...p.edges[0], state: 'missing', problems: ['h1 has no GRE port to h2 (gre-0a000002, remote_ip 10.0.0.2)'] };
    expect(cellStatus(p.edges[0])).toBe('missing');
    expect(failedLines(p)).toEqual([
      'h10: unreachable: connect ETIMEDOUT',
      'h1 — h2: tunnel or route missing',
      '    h1 has no GRE port to h2 (gre-0a000002, remote_ip 10.0.0.2)',
      'h3 — h4: TCP stalled',
      '    h3 -> h4: TCP stalled: 0 of 65536 bytes arrived in 4 s',
    ]);
    const svg = renderSvg(p);
    expect(svg.match(/<g class="cell missing" data-a=/g)).toHaveLength(2);
    expect(svg.match(/<g class="cell tcp" data-a=/g)).toHaveLength(2);
    expect(svg).toContain('<text class="host row bad" data-host="h10"');
    expect(svg).toContain('>Failed pairs:</text>');
  });
});
