// End-to-end helpers: a lab per test file, the real CLI as a child process, and OpenSSH to read hosts back.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LabInfo, labDown, labUp } from '../../src/lab/lab.js';

export const ROOT = resolve(import.meta.dirname, '../..');
// The shipped artifact (the bundle package.json's bin points at), so the tests run what users run.
export const CLI = resolve(ROOT, 'dist/bundle/main.cjs');

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Newest modification time of what the bundle is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'scripts/bundle.mjs', 'scripts/bundle-warmup.mjs', 'package.json', 'tsconfig.json']) walk(resolve(ROOT, p));
  return newest;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Builds the bundle when it is missing or older than a source, so e2e tests never run an old one. */
export function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource()) return;
  // Test files run in parallel workers: one builds, the others wait for it (a lock older than 5 min is stale).
  const lock = resolve(ROOT, 'dist/.build-lock');
  mkdirSync(resolve(ROOT, 'dist'), { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    while (existsSync(lock) && Date.now() - statSync(lock).mtimeMs < 300_000) sleep(200);
    if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource()) return;
    rmSync(lock, { recursive: true, force: true });
    ensureBuilt();
    return;
  }
  try {
    const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs the real CLI, never a TTY, no colour. */
export function runbook(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Reads a host's state with the real OpenSSH client. */
export function onHost(lab: LabInfo, host: string, command: string, input = ''): Ran {
  const h = lab.hosts.find((x) => x.name === host);
  if (!h) throw new Error(`no host ${host}`);
  const r = spawnSync(
    'ssh',
    [
      '-i',
      lab.keyPath,
      '-o',
      `UserKnownHostsFile=${lab.knownHostsPath}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'LogLevel=ERROR',
      `root@${h.ip}`,
      command,
    ],
    { encoding: 'utf8', timeout: 30_000, input },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Adds a line to a lab host's own sshd_config and has that sshd read it again (SIGHUP); resolves once the host
 * answers over ssh again.
 */
export async function addSshdConfig(lab: LabInfo, host: string, line: string): Promise<void> {
  const conf = `/etc/runbook-lab/${lab.name}-${host}.sshd_config`;
  const r = onHost(lab, host, `cat >> ${conf} && kill -HUP 1`, `${line}\n`);
  if (r.code !== 0) throw new Error(`sshd_config of ${host}: ${r.stderr}`);
  for (let i = 0; i < 50 && onHost(lab, host, 'true').code !== 0; i++) await new Promise((res) => setTimeout(res, 100));
}

export async function withLab(name: string, count: number, ovs = false, ovsManagement = false): Promise<LabInfo> {
  ensureBuilt();
  return labUp({ name, count, ovs, ovsManagement });
}

export type { LabInfo };
export { labDown, labUp };

/** Per-host counts parsed from the plain recap lines: `h1  ok=3 changed=1 …`. */
export function recapOf(stdout: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const start = stdout.lastIndexOf('PLAY RECAP');
  for (const line of stdout.slice(start).split('\n').slice(1)) {
    const m = /^(\S+)\s+(ok=.*)$/.exec(line.trim());
    if (!m) continue;
    out[m[1]] = Object.fromEntries([...m[2].matchAll(/(\w+)=(\d+)/g)].map((x) => [x[1], Number(x[2])]));
  }
  return out;
}
