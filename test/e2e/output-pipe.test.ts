// A large -o json run read through a pipe by a slow reader: every line arrives, the summary last (process.exit
// used to cut piped output short, since Node writes pipes asynchronously on Linux).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from './helpers.js';

describe('output through a pipe', () => {
  it('-o json to a reader that starts late still gets every line and the summary', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'rb-pipe-'));
    const pb = join(dir, 'big.yaml');
    // about 1.3 MB of stdout in one task:result line, far more than a pipe holds
    writeFileSync(pb, '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: seq 1 200000\n');
    const child = spawn(process.execPath, [CLI, 'run', pb, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    const exited = new Promise<number>((res) => child.on('exit', (c) => res(c ?? -1)));
    // the reader starts late: by then runbook has written everything and is waiting (or, before, had exited)
    await new Promise((res) => setTimeout(res, 1500));
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => (out += d));
    child.stdout.resume();
    await new Promise((res) => child.stdout.on('end', res));
    const code = await exited;
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    const result = lines.map((l) => JSON.parse(l)).find((e) => e.type === 'task:result');
    expect(result.stdout.split('\n')).toHaveLength(200000);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'summary', exit_code: 0 });
  }, 60_000);
});
