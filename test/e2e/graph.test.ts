// `runbook graph` on a 3-host OVS lab: after gre-mesh every tunnel is there; one GRE port deleted by hand is
// exactly one red dashed (missing) edge in `--live --format dot`; an unreachable host is a red node.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { grePortName } from '../../src/graph/model.js';
import { openChromium } from './chromium.js';
import { type LabInfo, labDown, onHost, ROOT, runbook, withLab } from './helpers.js';

const LAB = 'rgr';
let lab: LabInfo;
let dir: string;

/** DOT edge lines: `"a" -- "b" [attrs];` → { a, b, attrs }. */
function dotEdges(dot: string): { a: string; b: string; attrs: string }[] {
  return [...dot.matchAll(/^ {2}"([^"]+)" -- "([^"]+)"(?: \[(.*)\])?;$/gm)].map((m) => ({ a: m[1], b: m[2], attrs: m[3] ?? '' }));
}

beforeAll(async () => {
  lab = await withLab(LAB, 3, true);
  dir = mkdtempSync(join(tmpdir(), 'rb-graph-'));
  const r = await runbook(['run', join(ROOT, 'playbooks/gre-mesh.yaml'), '-i', lab.inventoryPath], { timeoutMs: 240_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
}, 300_000);
afterAll(async () => {
  await labDown({ name: LAB });
  rmSync(dir, { recursive: true, force: true });
});

describe('runbook graph', () => {
  it('plan: mermaid on stdout by default, one node per mesh host and an edge per pair', async () => {
    const r = await runbook(['graph', '-i', lab.inventoryPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('graph LR\n')).toBe(true);
    for (const h of lab.hosts)
      expect(r.stdout).toContain(
        `["${h.name}<br/>${h.ip}<br/>br 192.168.${h.name.slice(1)}.1/24<br/>docker 192.168.${h.name.slice(1)}.0/24"]`,
      );
    expect(r.stdout.match(/ --- /g)).toHaveLength(3);
  });

  it('--live after gre-mesh: every tunnel and route is there (exit 0, all edges ok)', async () => {
    const r = await runbook(['graph', '-i', lab.inventoryPath, '--live', '--format', 'dot']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const edges = dotEdges(r.stdout);
    expect(edges).toHaveLength(3);
    for (const e of edges) expect(e.attrs).toBe('color="darkgreen", class="ok"');
    expect(r.stderr).toContain('3 tunnels on 3 hosts match the plan');
  });

  it('a GRE port deleted by hand is exactly one missing edge (exit 5)', async () => {
    const h2 = lab.hosts.find((h) => h.name === 'h2');
    const port = grePortName(h2?.ip ?? '');
    const del = onHost(lab, 'h1', `ovs-vsctl del-port obr0 ${port}`);
    expect(del.code, del.stderr).toBe(0);

    const r = await runbook(['graph', '-i', lab.inventoryPath, '--live', '--format', 'dot']);
    expect(r.code, r.stdout + r.stderr).toBe(5);
    const edges = dotEdges(r.stdout);
    const missing = edges.filter((e) => e.attrs.includes('style="dashed"'));
    expect(missing.map((e) => `${e.a}--${e.b}`)).toEqual(['h1--h2']);
    expect(missing[0].attrs).toContain('color="red"');
    expect(missing[0].attrs).toContain(`h1 has no GRE port to h2 (${port}, remote_ip ${h2?.ip})`);
    expect(edges.filter((e) => e.attrs.includes('red'))).toHaveLength(1);
    expect(r.stderr).toContain(`missing h1 -- h2: h1 has no GRE port to h2 (${port}`);

    // The same state as a self-contained SVG file.
    const svgFile = join(dir, 'mesh.svg');
    const s = await runbook(['graph', '-i', lab.inventoryPath, '--live', '-o', svgFile]);
    expect(s.code).toBe(5);
    const svg = readFileSync(svgFile, 'utf8');
    expect(svg.match(/<line class="edge missing" data-a="h1" data-b="h2"/g)).toHaveLength(1);
    expect(svg.match(/<line class="edge ok" data-a=/g)).toHaveLength(2);
  });

  it('the SVG renders in Chromium: three separate readable boxes, the missing edge red and dashed', async () => {
    const browser = await openChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(join(dir, 'mesh.svg')).href);
      const svgBox = await page.locator('svg').first().boundingBox();
      const boxes = await page.locator('g.node rect').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
      expect(boxes).toHaveLength(3);
      for (const [i, a] of boxes.entries()) {
        expect(a.width).toBeGreaterThan(50);
        expect(a.left >= (svgBox?.x ?? 0) && a.right <= (svgBox?.x ?? 0) + (svgBox?.width ?? 0)).toBe(true);
        for (const b of boxes.slice(i + 1)) expect(a.right < b.left || b.right < a.left || a.bottom < b.top || b.bottom < a.top).toBe(true);
      }
      // every label line fits inside its node's box
      const clipped = await page.locator('g.node').evaluateAll((gs) =>
        gs.flatMap((g) => {
          const r = (g.querySelector('rect') as SVGRectElement).getBoundingClientRect();
          return [...g.querySelectorAll('text')]
            .filter((t) => {
              const b = t.getBoundingClientRect();
              return b.left < r.left || b.right > r.right || b.top < r.top || b.bottom > r.bottom;
            })
            .map((t) => t.textContent);
        }),
      );
      expect(clipped).toEqual([]);
      const missing = page.locator('g:not(.legend) > line.edge.missing');
      expect(await missing.count()).toBe(1);
      const style = await missing.evaluate((el) => ({ stroke: getComputedStyle(el).stroke, dash: getComputedStyle(el).strokeDasharray }));
      expect(style).toEqual({ stroke: 'rgb(210, 48, 44)', dash: '8px, 6px' });
      expect(await page.locator('g:not(.legend) > line.edge.ok').evaluateAll((els) => els.map((e) => getComputedStyle(e).stroke))).toEqual([
        'rgb(58, 157, 74)',
        'rgb(58, 157, 74)',
      ]);
      mkdirSync(join(ROOT, 'test/output'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test/output/mesh.png') });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('an unreachable host is a red node', async () => {
    const inv = parse(readFileSync(lab.inventoryPath, 'utf8'));
    inv.all.children.mesh.hosts.h9 = {
      ansible_host: '127.0.0.1',
      ansible_port: 1,
      ansible_user: 'root',
      bridge_cidr: '192.168.9.1/24',
      docker_subnet: '192.168.9.0/24',
    };
    const file = join(dir, 'with-h9.yaml');
    writeFileSync(file, stringify(inv));
    const r = await runbook(['graph', '-i', file, '--live', '--format', 'dot', '--connect-timeout', '5']);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(
      /^ {2}"h9" \[label="h9\\n127\.0\.0\.1\\n.*\\nunreachable", color="red", fontcolor="red", class="unreachable"/m,
    );
    expect(r.stderr).toMatch(/^h9: unreachable: /m);
  });

  it('bad input exits 4', async () => {
    expect((await runbook(['graph', '-i', lab.inventoryPath, '--group', 'nosuch'])).code).toBe(4);
    expect((await runbook(['graph', '-i', lab.inventoryPath, '-o', join(dir, 'mesh.png')])).code).toBe(4);
    expect((await runbook(['graph', '-i', lab.inventoryPath, '--format', 'png'])).code).toBe(4);
  });
});
