// The live view in a real pseudo-terminal (util-linux `script`), read back through a terminal emulator
// (@xterm/headless): 60 lab hosts in a 30-row terminal, one near the top failing early; and --rerun failed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Terminal } from '@xterm/headless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CLI, type LabInfo, labDown, runbook, withLab } from './helpers.js';

const LAB = 'live';
const ROWS = 30;
const COLS = 100;
let lab: LabInfo;
let dir: string;

beforeAll(async () => {
  lab = await withLab(LAB, 60);
  dir = mkdtempSync(join(tmpdir(), 'rb-live-'));
}, 180_000);
afterAll(async () => {
  await labDown({ name: LAB });
});

/** Runs the CLI on a pty of ROWS × COLS; resolves with every byte it wrote and a terminal fed with them. */
function inPty(args: string[], onData?: (term: Terminal, raw: string) => void): Promise<{ raw: string; term: Terminal; code: number }> {
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 5000 });
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const inner = `stty rows ${ROWS} cols ${COLS}; exec ${[process.execPath, CLI, ...args].map(q).join(' ')}`;
  const env = { ...process.env, XDG_STATE_HOME: dir, TERM: 'xterm-256color' } as Record<string, string>;
  delete env.CI;
  delete env.NO_COLOR;
  const child = spawn('script', ['-qfec', inner, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  child.stdout.on('data', (d: Buffer) => {
    const s = d.toString('utf8');
    raw += s;
    term.write(s, () => onData?.(term, raw));
  });
  return new Promise((res) => child.on('close', (code) => term.write('', () => res({ raw, term, code: code ?? -1 }))));
}

const screenOf = (term: Terminal) => {
  const b = term.buffer.active;
  return Array.from({ length: ROWS }, (_, i) => b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
};

describe('live view on a 30-row pseudo-terminal, 60 hosts', () => {
  it('the host that failed early is on screen mid-run; frames fit the screen; the final screen is the summary', async () => {
    const pb = join(dir, 'fleet.yml');
    writeFileSync(
      pb,
      '- hosts: all\n  gather_facts: false\n  tasks:\n' +
        "    - name: early check\n      fail: {msg: h2 is out of disk}\n      when: inventory_hostname == 'h2'\n" +
        '    - name: slow work\n      shell: sleep 3\n',
    );
    let midRun: string[] | undefined;
    const { raw, term, code } = await inPty(['run', pb, '-i', lab.inventoryPath, '-f', '60'], (t) => {
      if (!midRun && /slow work \(\ds\)/.test(screenOf(t).join('\n'))) midRun = screenOf(t);
    });
    expect(code).toBe(2);
    expect(midRun, raw.slice(-2000)).toBeDefined();
    const view = midRun as string[];
    expect(view[0]).toMatch(/^PLAY \[all\] {2}task 2\/2: slow work/);
    expect(view[1]).toMatch(/\/60 done · \d+ running · 1 failed · 0 unreachable/);
    expect(view.find((l) => /^h2 /.test(l))).toMatch(/failed: h2 is out of disk/);
    expect(view.some((l) => /^\+ \d+ more/.test(l))).toBe(true);
    // Every cursor-up stays within the screen (a frame is never taller than the screen minus one line).
    const ups = [...raw.matchAll(/\x1b\[(\d+)A/g)].map((m) => Number(m[1]));
    expect(ups.length).toBeGreaterThan(0);
    expect(Math.max(...ups)).toBeLessThan(ROWS);
    const final = screenOf(term).join('\n');
    expect(final).toMatch(/60 hosts in [\d.]+s: 0 ok, 59 changed, 1 failed, 0 unreachable/);
    expect(final).toMatch(/^\+ \d+ more hosts \(every host: -o plain or -o json\)$/m);
    expect(final).toMatch(/1 host failed: h2 is out of disk {2}h2/);
    expect(final).toMatch(/PLAY RECAP {2}60 hosts/);
    expect(final).not.toMatch(/PLAY \[all\]/);
  }, 120_000);
});

describe('--rerun failed', () => {
  it('after a run where 3 of 20 hosts were unreachable, selects exactly those 3', async () => {
    const inv = parse(readFileSync(lab.inventoryPath, 'utf8'));
    const hosts = inv.all.children?.mesh?.hosts ?? inv.all.hosts;
    const twenty = Object.keys(hosts).slice(0, 20);
    for (const h of Object.keys(hosts)) if (!twenty.includes(h)) delete hosts[h];
    for (const h of ['h4', 'h11', 'h17']) hosts[h].ansible_port = 1; // nothing listens: connection refused
    const invPath = join(dir, 'twenty.yaml');
    writeFileSync(invPath, stringify(inv));
    const pb = join(dir, 'ping.yml');
    writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n');
    const env = { XDG_STATE_HOME: dir };
    const first = await runbook(['run', pb, '-i', invPath], { env });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    expect(first.stdout).toMatch(
      /3 hosts unreachable: port 1: connection refused \(is sshd running, and is the port right\?\) {2}h4, h11, h17/,
    );
    const listed = await runbook(['run', pb, '-i', invPath, '--rerun', 'failed', '--list-hosts'], { env });
    expect(listed.stdout).toBe('play "all" (all): 3 hosts\n  h4\n  h11\n  h17\n');
    const retry = join(dir, 'ping.retry');
    writeFileSync(retry, 'h4\nh17\n');
    const fromFile = await runbook(['run', pb, '-i', invPath, '--limit', `@${retry}`, '--list-hosts'], { env });
    expect(fromFile.stdout).toBe('play "all" (all): 2 hosts\n  h4\n  h17\n');
    const fresh = await runbook(['run', join(dir, 'never.yml'), '-i', invPath, '--rerun', 'failed'], { env });
    expect(fresh.code).toBe(4);
  }, 120_000);
});
