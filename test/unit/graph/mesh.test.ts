// The mesh graph from a 3-host inventory: plan, live comparison, and exact output of the three renderers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFormat } from '../../../src/cli/graph.js';
import { badEdges, dotString, renderDot } from '../../../src/graph/dot.js';
import { compareLive, type HostState, parseOvsInterfaces, parseRoutes } from '../../../src/graph/live.js';
import { renderMermaid } from '../../../src/graph/mermaid.js';
import { driftLines, grePortName, type MeshGraph, planMesh } from '../../../src/graph/model.js';
import { circleLayout, renderSvg } from '../../../src/graph/svg.js';
import { loadInventory } from '../../../src/inventory/load.js';

const INVENTORY = `all:
  children:
    mesh:
      hosts:
        h1: {ansible_host: 10.0.0.1, bridge_cidr: 192.168.1.1/24, docker_subnet: 192.168.1.0/24}
        h2: {ansible_host: 10.0.0.2, bridge_cidr: 192.168.2.1/24, docker_subnet: 192.168.2.0/24}
        "h<3>": {ansible_host: 10.0.0.3, bridge_cidr: 192.168.3.1/24, docker_subnet: 192.168.3.0/24}
    other:
      hosts:
        web: {ansible_host: 10.0.0.9}
`;
let dir = '';
let plan: MeshGraph;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rb-graph-'));
  writeFileSync(join(dir, 'inv.yaml'), INVENTORY);
  plan = planMesh(loadInventory([join(dir, 'inv.yaml')]), ['h1', 'h2', 'h<3>'], 'GRE mesh: mesh');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A host that holds exactly its planned tunnels and routes. */
function healthy(self: number): HostState {
  const peers = [1, 2, 3].filter((i) => i !== self);
  return {
    ports: peers.map((i) => ({ name: grePortName(`10.0.0.${i}`), remoteIp: `10.0.0.${i}` })),
    routes: [{ dst: '10.0.0.0/24' }, ...peers.map((i) => ({ dst: `192.168.${i}.0/24`, gateway: `10.0.0.${i}` }))],
  };
}

describe('plan', () => {
  it('has every host of the group as a node and an edge for every pair', () => {
    expect(plan.nodes.map((n) => [n.name, n.address, n.bridgeCidr, n.dockerSubnet])).toEqual([
      ['h1', '10.0.0.1', '192.168.1.1/24', '192.168.1.0/24'],
      ['h2', '10.0.0.2', '192.168.2.1/24', '192.168.2.0/24'],
      ['h<3>', '10.0.0.3', '192.168.3.1/24', '192.168.3.0/24'],
    ]);
    expect(plan.edges.map((e) => `${e.a}--${e.b}:${e.state}`)).toEqual(['h1--h2:planned', 'h1--h<3>:planned', 'h2--h<3>:planned']);
  });

  it('names GRE ports as gre-mesh does (ip_hex)', () => {
    expect(grePortName('192.168.42.131')).toBe('gre-c0a82a83');
    expect(grePortName('10.0.0.2')).toBe('gre-0a000002');
  });
});

describe('renderers (plan)', () => {
  it('dot', () => {
    expect(renderDot(plan)).toBe(`graph "GRE mesh: mesh" {
  graph [layout="circo", label="GRE mesh: mesh", labelloc="t"];
  node [shape="box", fontname="Helvetica", fontsize="10"];
  edge [fontname="Helvetica", fontsize="9"];
  "h1" [label="h1\\n10.0.0.1\\nbr 192.168.1.1/24\\ndocker 192.168.1.0/24"];
  "h2" [label="h2\\n10.0.0.2\\nbr 192.168.2.1/24\\ndocker 192.168.2.0/24"];
  "h<3>" [label="h<3>\\n10.0.0.3\\nbr 192.168.3.1/24\\ndocker 192.168.3.0/24"];
  "h1" -- "h2";
  "h1" -- "h<3>";
  "h2" -- "h<3>";
}
`);
    expect(dotString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('mermaid', () => {
    expect(renderMermaid(plan)).toBe(`graph LR
  %% GRE mesh: mesh
  n0["h1<br/>10.0.0.1<br/>br 192.168.1.1/24<br/>docker 192.168.1.0/24"]
  n1["h2<br/>10.0.0.2<br/>br 192.168.2.1/24<br/>docker 192.168.2.0/24"]
  n2["h#lt;3#gt;<br/>10.0.0.3<br/>br 192.168.3.1/24<br/>docker 192.168.3.0/24"]
  n0 --- n1
  n0 --- n2
  n1 --- n2
`);
  });

  it('svg: hosts on a circle, one line per edge, everything escaped', () => {
    const svg = renderSvg(plan);
    expect(circleLayout(3).points).toEqual([
      { x: 0, y: -150 },
      { x: 129.9, y: 75 },
      { x: -129.9, y: 75 },
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="540" height="536"')).toBe(true);
    expect(svg.match(/<g class="node host" data-node=/g)).toHaveLength(3);
    expect(svg).toContain('<line class="edge planned" data-a="h1" data-b="h2" data-state="planned" x1="0" y1="-150" x2="129.9" y2="75">');
    expect(svg).toContain('data-node="h&lt;3&gt;"');
    expect(svg).toContain('<text x="0" y="-168" class="name">h1</text>');
    expect(svg).not.toContain('<3>');
    expect(svg).not.toMatch(/href|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});

describe('live comparison', () => {
  const states = () =>
    new Map<string, HostState>([
      ['h1', healthy(1)],
      ['h2', healthy(2)],
      ['h<3>', healthy(3)],
    ]);

  it('all present: every edge ok, nothing to report', () => {
    const g = compareLive(plan, states());
    expect(g.edges.map((e) => e.state)).toEqual(['ok', 'ok', 'ok']);
    expect(driftLines(g)).toEqual([]);
  });

  it('a deleted GRE port marks exactly that edge missing', () => {
    const s = states();
    s.get('h1')!.ports = s.get('h1')!.ports.filter((p) => p.remoteIp !== '10.0.0.2');
    const g = compareLive(plan, s);
    expect(g.edges.map((e) => `${e.a}--${e.b}:${e.state}`)).toEqual(['h1--h2:missing', 'h1--h<3>:ok', 'h2--h<3>:ok']);
    expect(g.edges[0].problems).toEqual(['h1 has no GRE port to h2 (gre-0a000002, remote_ip 10.0.0.2)']);
    const dot = renderDot(g);
    expect(dot).toContain(
      '"h1" -- "h2" [color="red", style="dashed", label="missing", class="missing", tooltip="h1 has no GRE port to h2 (gre-0a000002, remote_ip 10.0.0.2)"];',
    );
    expect(badEdges(g)).toHaveLength(1);
    const mm = renderMermaid(g);
    expect(mm).toContain('  n0 -. missing .- n1\n');
    expect(mm).toContain('  linkStyle 0 stroke:red,stroke-width:2px,stroke-dasharray:5 5\n');
    expect(renderSvg(g)).toMatch(/<line class="edge missing" data-a="h1" data-b="h2" data-state="missing"/);
  });

  it('a missing route is missing too', () => {
    const s = states();
    s.get('h2')!.routes = s.get('h2')!.routes.filter((r) => r.dst !== '192.168.3.0/24');
    const g = compareLive(plan, s);
    expect(g.edges[2]).toEqual({ a: 'h2', b: 'h<3>', state: 'missing', problems: ['h2 has no route to 192.168.3.0/24 via 10.0.0.3'] });
  });

  it('an unexpected tunnel gets a red edge to an "unknown" node', () => {
    const s = states();
    s.get('h2')!.ports.push({ name: 'gre-0a000063', remoteIp: '10.0.0.99' });
    const g = compareLive(plan, s);
    expect(g.nodes.at(-1)).toEqual({ id: 'unknown 10.0.0.99', kind: 'unknown', name: 'unknown 10.0.0.99', address: '10.0.0.99' });
    expect(g.edges.at(-1)).toEqual({
      a: 'h2',
      b: 'unknown 10.0.0.99',
      state: 'unexpected',
      problems: ['h2 has GRE port gre-0a000063 to 10.0.0.99, which is not a planned peer'],
    });
    expect(renderDot(g)).toContain(
      '"unknown 10.0.0.99" [label="unknown\\n10.0.0.99", shape="ellipse", color="red", fontcolor="red", class="unknown"];',
    );
    expect(renderDot(g)).toContain('"h2" -- "unknown 10.0.0.99" [color="red", label="unexpected", class="unexpected"');
    const mm = renderMermaid(g);
    expect(mm).toContain('  u3(("unknown<br/>10.0.0.99"))\n');
    expect(mm).toContain('  n1 ---|unexpected| u3\n  linkStyle 3 stroke:red,stroke-width:2px\n');
    expect(renderSvg(g)).toContain('<g class="node unknown bad" data-node="unknown 10.0.0.99">');
  });

  it('an unreachable host is a red node; its edges are unverified unless the other end misses its half', () => {
    const s = states();
    s.set('h<3>', { ports: [], routes: [], error: 'connect ECONNREFUSED 10.0.0.3:22' });
    const g = compareLive(plan, s);
    expect(g.nodes[2].unreachable).toBe('connect ECONNREFUSED 10.0.0.3:22');
    expect(g.edges.map((e) => e.state)).toEqual(['ok', 'unverified', 'unverified']);
    expect(renderDot(g)).toContain(
      '"h<3>" [label="h<3>\\n10.0.0.3\\nbr 192.168.3.1/24\\ndocker 192.168.3.0/24\\nunreachable", color="red", fontcolor="red", class="unreachable"',
    );
    expect(renderMermaid(g)).toContain('  class n2 bad\n');
    expect(renderSvg(g)).toContain(
      '<g class="node host bad" data-node="h&lt;3&gt;"><title>h&lt;3&gt;: unreachable: connect ECONNREFUSED 10.0.0.3:22</title>',
    );
    expect(driftLines(g)).toEqual(['h<3>: unreachable: connect ECONNREFUSED 10.0.0.3:22']);
  });
});

describe('parsing what the hosts print', () => {
  it('ovs-vsctl --format=json list interface: GRE ports with remote_ip', () => {
    const json = JSON.stringify({
      data: [
        ['gre-0a000002', 'gre', ['map', [['remote_ip', '10.0.0.2']]]],
        ['br-phy', 'internal', ['map', []]],
        ['obr0', 'internal', ['map', []]],
      ],
      headings: ['name', 'type', 'options'],
    });
    expect(parseOvsInterfaces(json)).toEqual([{ name: 'gre-0a000002', remoteIp: '10.0.0.2' }]);
  });

  it('ip -j route', () => {
    expect(
      parseRoutes('[{"dst":"192.168.2.0/24","gateway":"10.0.0.2","dev":"br-phy","flags":[]},{"dst":"10.0.0.0/24","dev":"br-phy"}]'),
    ).toEqual([
      { dst: '192.168.2.0/24', gateway: '10.0.0.2' },
      { dst: '10.0.0.0/24', gateway: undefined },
    ]);
  });
});

describe('format choice', () => {
  it('--format, else the -o extension, else mermaid', () => {
    expect(graphFormat({ format: 'dot', output: 'x.svg' })).toBe('dot');
    expect(graphFormat({ output: 'mesh.svg' })).toBe('svg');
    expect(graphFormat({ output: 'mesh.gv' })).toBe('dot');
    expect(graphFormat({ output: 'mesh.mmd' })).toBe('mermaid');
    expect(graphFormat({})).toBe('mermaid');
    expect(() => graphFormat({ output: 'mesh.png' })).toThrow(/cannot tell the format/);
  });
});
