// `--report run.html` on a 3-host lab, opened in a real headless Chromium: timeline rows and bars, the failed bar,
// recap order, diffs, masking, and not a single request leaving the page.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChromium } from './chromium.js';
import { type LabInfo, labDown, ROOT, runbook, withLab } from './helpers.js';

const LAB = 'rpt';
const NOLOG = 'NOLOGREPORTSENTINEL4d2';
const PLAYBOOK = `- name: report tour
  hosts: mesh
  gather_facts: false
  tasks:
    - name: a config file <app.conf>
      copy: {dest: /root/app.conf, content: "port=8080\\nhost={{ inventory_hostname }}\\n"}
    - name: loop over items
      shell: "echo {{ item }}"
      loop: [a, b]
    - name: hidden output
      shell: echo ${NOLOG}
      no_log: true
    - name: fails on h2
      shell: "echo 'broken <pipe> on {{ inventory_hostname }}' >&2; exit 3"
      when: inventory_hostname == 'h2'
    - name: after the failure
      command: "true"
`;
// h1, h3: copy, 2 loop items, hidden, skipped failure, after = 6; h2 stops after its failure = 5.
const BARS = { h1: 6, h2: 5, h3: 6 };

let lab: LabInfo;
let dir: string;
let profile: string;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  lab = await withLab(LAB, 3);
  dir = mkdtempSync(join(tmpdir(), 'rb-report-'));
  profile = mkdtempSync(join(tmpdir(), 'rb-chromium-'));
  writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK);
});
afterAll(async () => {
  await browser?.close();
  await labDown({ name: LAB });
  rmSync(dir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

describe('runbook run --report', () => {
  let stdout = '';
  const html = () => readFileSync(join(dir, 'run.html'), 'utf8');

  it('writes the report beside a normal run; the terminal gets no diffs without --diff', async () => {
    const r = await runbook(['run', join(dir, 'pb.yaml'), '-i', lab.inventoryPath, '-o', 'json', '--report', join(dir, 'run.html')]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    stdout = r.stdout;
    const results = stdout.split('\n').filter((l) => l.includes('"type":"task:result"'));
    expect(results).toHaveLength(BARS.h1 + BARS.h2 + BARS.h3);
    expect(results.some((l) => l.includes('"diff"'))).toBe(false);
    expect(html()).toContain('<span class="d-add">+port=8080</span>');
  });

  it('holds no no_log output and no raw markup from task names or stderr', () => {
    const text = html();
    expect(text).not.toContain(NOLOG);
    expect(stdout).not.toContain(NOLOG);
    expect(text).not.toContain('<app.conf>');
    expect(text).not.toContain('<pipe>');
    expect(text).toContain('broken &lt;pipe&gt; on h2');
  });

  it('renders in Chromium: a row per host, a bar per result, the failed bar, recap order, diffs, no requests', async () => {
    browser = await openChromium(profile);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'run.html')).href);

    expect(await page.title()).toContain('pb.yaml');
    const rows = page.locator('svg.timeline g.row');
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-host')))).toEqual(['h1', 'h2', 'h3']);
    for (const [h, n] of Object.entries(BARS))
      expect(await page.locator(`svg.timeline g.row[data-host="${h}"] rect.bar`).count(), h).toBe(n);
    expect(await page.locator('rect.bar[data-item]').count()).toBe(6);

    const failed = page.locator('rect.bar[data-status="failed"]');
    expect(await failed.count()).toBe(1);
    expect(await failed.getAttribute('data-host')).toBe('h2');
    expect(await failed.getAttribute('data-task')).toBe('fails on h2');
    expect(await failed.evaluate((el) => getComputedStyle(el).fill)).toBe('rgb(210, 48, 44)');
    const box = await failed.boundingBox();
    expect(box?.width).toBeGreaterThan(0);

    // Hovering shows task, duration, command and stderr.
    await failed.hover();
    const tip = page.locator('#tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const tipText = (await tip.textContent()) ?? '';
    expect(tipText).toContain('h2: fails on h2');
    expect(tipText).toMatch(/failed · \d+\.\d\ds/);
    expect(tipText).toMatch(/\ncmd: .*echo .*broken <pipe> on h2.*exit 3/);
    expect(tipText).toContain('\nrc=3\n');
    expect(tipText).toContain('\nstderr:\nbroken <pipe> on h2');

    const recapRows = page.locator('table.recap tbody tr');
    expect(await recapRows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-host')}:${e.className}`))).toEqual([
      'h2:failed',
      'h1:changed',
      'h3:changed',
    ]);
    expect(await page.locator('details.file-diff[data-path="/root/app.conf"]').count()).toBe(3);

    mkdirSync(join(ROOT, 'test/output'), { recursive: true });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height: Math.min(4000, height) });
    await page.screenshot({ path: join(ROOT, 'test/output/report.png') });

    expect(errors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
  }, 120_000);

  it('works on exec too, and a report path in a missing directory is bad input before any host is touched', async () => {
    const r = await runbook(['exec', 'mesh', '-i', lab.inventoryPath, '--report', join(dir, 'exec.html'), '--', 'echo hi']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const text = readFileSync(join(dir, 'exec.html'), 'utf8');
    expect(text.match(/<rect class="bar s-changed"/g)).toHaveLength(3);
    const bad = await runbook([
      'exec',
      'mesh',
      '-i',
      lab.inventoryPath,
      '--report',
      join(dir, 'nope/exec.html'),
      '--',
      'touch /root/touched',
    ]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('does not exist');
  });
});
