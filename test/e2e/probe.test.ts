// `graph --live --probe` and gre-mesh `verify: true` on a 3-host OVS lab: a healthy mesh passes; one host's
// underlay MTU lowered (tunnels, ports and routes untouched) fails exactly that host's pairs as an MTU black hole;
// a deleted GRE port fails its pair; past 8 hosts the SVG is a matrix that Chromium renders readably.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { grePortName } from '../../src/graph/model.js';
import { openChromium } from './chromium.js';
import { type LabInfo, labDown, onHost, ROOT, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'prob';
const MESH = join(ROOT, 'playbooks/gre-mesh.yaml');
let lab: LabInfo;
let dir: string;

interface Pair {
  a: string;
  b: string;
  ok: boolean | null;
  tunnel: string;
  probe: { status: string; latency_ms: number | null; problems: string[] } | null;
}
const probeJson = async (inv = lab.inventoryPath) => {
  const r = await runbook(['graph', '-i', inv, '--live', '--probe', '-o', 'json', '--connect-timeout', '5'], { timeoutMs: 180_000 });
  const doc = JSON.parse(r.stdout) as { failed: string[][]; pairs: Pair[] };
  return { r, doc, by: (a: string, b: string) => doc.pairs.find((p) => p.a === a && p.b === b) as Pair };
};
const ipOf = (h: string) => lab.hosts.find((x) => x.name === h)?.ip ?? '';

/**
 * Lowers (or restores) the MTU of the NIC a host's tunnels leave by (the lab's eth1, under OVS's br-phy; SSH stays on
 * eth0); the mesh's config is not touched.
 */
function underlayMtu(host: string, mtu: number): void {
  const r = onHost(lab, host, `ip link set eth1 mtu ${mtu}`);
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  lab = await withLab(LAB, 3, true);
  dir = mkdtempSync(join(tmpdir(), 'rb-probe-'));
  const r = await runbook(['run', MESH, '-i', lab.inventoryPath], { timeoutMs: 240_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
}, 300_000);
afterAll(async () => {
  await labDown({ name: LAB });
  rmSync(dir, { recursive: true, force: true });
});

describe('graph --live --probe', () => {
  it('a healthy mesh: every pair ok with a latency, exit 0', async () => {
    const { r, doc } = await probeJson();
    expect(r.code, r.stderr).toBe(0);
    expect(doc.failed).toEqual([]);
    expect(doc.pairs.map((p) => `${p.a}-${p.b}:${p.probe?.status}`)).toEqual(['h1-h2:ok', 'h1-h3:ok', 'h2-h3:ok']);
    for (const p of doc.pairs) expect(p.probe?.latency_ms).toBeGreaterThan(0);
    expect(r.stderr).toContain("probe: every pair passed (full-size pings with don't-fragment, 64 KB over TCP");
  }, 120_000);

  it("one host's underlay MTU lowered: exactly its two pairs fail as an MTU black hole (small pings pass), exit 5", async () => {
    underlayMtu('h2', 1420);
    try {
      const { r, doc, by } = await probeJson();
      expect(r.code, r.stderr).toBe(5);
      expect(doc.failed).toEqual([
        ['h1', 'h2'],
        ['h2', 'h3'],
      ]);
      expect(by('h1', 'h2').probe?.status).toBe('mtu');
      expect(by('h2', 'h3').probe?.status).toBe('mtu');
      expect(by('h1', 'h3')).toMatchObject({ ok: true, tunnel: 'ok', probe: { status: 'ok' } });
      // The tunnels themselves are all in place: only packets show the fault.
      expect(doc.pairs.map((p) => p.tunnel)).toEqual(['ok', 'ok', 'ok']);
      expect(r.stderr).toContain(
        "probe h1 -- h2: h1 -> h2: MTU black hole across the overlay: small pings pass, 1400-byte packets with don't-fragment are lost",
      );
      expect(r.stderr).toContain('probe h2 -- h3: h3 -> h2: MTU black hole');
      expect(r.stderr).not.toMatch(/probe h1 -- h3/);

      const v = await runbook(['run', MESH, '-i', lab.inventoryPath, '-e', 'verify=true'], { timeoutMs: 180_000 });
      expect(v.code, v.stdout).toBe(2);
      const recap = recapOf(v.stdout);
      expect(Object.values(recap).map((h) => [h.changed, h.failed])).toEqual([
        [0, 1],
        [0, 1],
        [0, 1],
      ]);
      expect(v.stdout).toContain('h1 -> h2: MTU black hole across the overlay');
      expect(v.stdout).not.toMatch(/h1 -> h3: MTU|h3 -> h1: MTU/);
    } finally {
      underlayMtu('h2', 1500);
    }
  }, 300_000);

  it('a deleted GRE port fails its pair (tunnel missing, no packets across), exit 5', async () => {
    const port = grePortName(ipOf('h3'));
    expect(onHost(lab, 'h1', `ovs-vsctl del-port obr0 ${port}`).code).toBe(0);
    try {
      const { r, doc, by } = await probeJson();
      expect(r.code).toBe(5);
      expect(doc.failed).toEqual([['h1', 'h3']]);
      expect(by('h1', 'h3')).toMatchObject({ ok: false, tunnel: 'missing', probe: { status: 'noroute' } });
      expect(r.stderr).toContain('probe h1 -- h3: h1 -> h3: no reply across the overlay');
    } finally {
      const fix = await runbook(['run', MESH, '-i', lab.inventoryPath], { timeoutMs: 180_000 });
      expect(fix.code, fix.stdout).toBe(0);
    }
  }, 300_000);

  it('an unreachable host alone: its pairs are not probed, the others pass, exit 3', async () => {
    const inv = parse(readFileSync(lab.inventoryPath, 'utf8'));
    inv.all.children.mesh.hosts.h3.ansible_port = 1;
    const file = join(dir, 'h3-down.yaml');
    writeFileSync(file, stringify(inv));
    const { r, doc, by } = await probeJson(file);
    expect(r.code, r.stderr).toBe(3);
    expect(by('h1', 'h2').probe?.status).toBe('ok');
    expect(by('h1', 'h3')).toMatchObject({ ok: null, tunnel: 'unverified', probe: { status: 'unverified' } });
    expect(doc.failed).toEqual([]);
  }, 120_000);
});

describe('gre-mesh verify: true', () => {
  it('a healthy rollout proves itself and a rerun still changes nothing', async () => {
    const r = await runbook(['run', MESH, '-i', lab.inventoryPath, '-e', 'verify=true'], { timeoutMs: 180_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of Object.values(recapOf(r.stdout))) expect(h).toMatchObject({ changed: 0, failed: 0 });
    expect(r.stdout).toMatch(/ok +verify - full-size pings/);
  }, 200_000);
});

describe('the matrix past 8 hosts', () => {
  it('3 lab hosts (one with a lowered underlay MTU) and 7 unreachable ones: a host × host matrix Chromium renders readably', async () => {
    const inv = parse(readFileSync(lab.inventoryPath, 'utf8'));
    for (let i = 4; i <= 10; i++)
      inv.all.children.mesh.hosts[`far${i}`] = {
        ansible_host: '127.0.0.1',
        ansible_port: 1,
        ansible_user: 'root',
        bridge_cidr: `192.168.${i}.1/24`,
        docker_subnet: `192.168.${i}.0/24`,
      };
    const file = join(dir, 'ten.yaml');
    writeFileSync(file, stringify(inv));
    const svgFile = join(dir, 'matrix.svg');
    underlayMtu('h3', 1420);
    let r: Awaited<ReturnType<typeof runbook>>;
    try {
      r = await runbook(['graph', '-i', file, '--live', '--probe', '-o', svgFile, '--connect-timeout', '5'], { timeoutMs: 180_000 });
    } finally {
      underlayMtu('h3', 1500);
    }
    expect(r.code, r.stderr).toBe(5);
    const svg = readFileSync(svgFile, 'utf8');
    expect(svg).not.toContain('<line class="edge');
    expect(svg.match(/<g class="cell [a-z]+" data-a=/g)).toHaveLength(90);
    expect(svg.match(/<g class="cell ok" data-a="h1" data-b="h2"/g)).toHaveLength(1);
    expect(svg.match(/<g class="cell mtu" data-a="h(1|2)" data-b="h3"/g)).toHaveLength(2);

    const browser = await openChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(svgFile).href);
      const svgBox = (await page.locator('svg').first().boundingBox()) as { x: number; y: number; width: number; height: number };
      // Every cell's text inside its cell; no two cells overlap (they share edges only).
      const cells = await page.locator('g.cell[data-a]').evaluateAll((gs) =>
        gs.map((g) => {
          const r = (g.querySelector('rect') as SVGRectElement).getBoundingClientRect();
          const t = (g.querySelector('text') as SVGTextElement).getBoundingClientRect();
          return {
            r: r.toJSON() as DOMRect,
            inside: t.width === 0 || (t.left >= r.left && t.right <= r.right && t.top >= r.top && t.bottom <= r.bottom),
          };
        }),
      );
      expect(cells).toHaveLength(90);
      expect(cells.filter((c) => !c.inside)).toEqual([]);
      const rects = cells.map((c) => c.r);
      for (const [i, a] of rects.entries())
        for (const b of rects.slice(i + 1))
          expect(a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5).toBe(true);
      // Host labels and the list of failed pairs lie within the picture.
      const texts = await page
        .locator('text.host, g.failed text')
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
      for (const t of texts)
        expect(
          t.left >= svgBox.x - 0.5 &&
            t.right <= svgBox.x + svgBox.width + 0.5 &&
            t.top >= svgBox.y - 0.5 &&
            t.bottom <= svgBox.y + svgBox.height + 0.5,
        ).toBe(true);
      const failed = await page.locator('g.failed text').allTextContents();
      expect(failed[0]).toBe('Failed pairs:');
      expect(failed).toContain('h1 — h3: MTU black hole');
      expect(failed.some((l) => l.startsWith('far4: unreachable'))).toBe(true);
      const mtuFill = await page
        .locator('g.cell.mtu[data-a] rect')
        .first()
        .evaluate((el) => getComputedStyle(el).fill);
      expect(mtuFill).toBe('rgb(232, 89, 12)');
      mkdirSync(join(ROOT, 'test/output'), { recursive: true });
      await page.setViewportSize({ width: Math.ceil(svgBox.width), height: Math.ceil(svgBox.height) });
      await page.screenshot({ path: join(ROOT, 'test/output/mesh-matrix.png') });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
