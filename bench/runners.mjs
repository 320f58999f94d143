// Each contender as a timed child process: runbook, the bare-ssh2 floor, OpenSSH ControlMaster, ansible-playbook.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { commandsA } from './workloads.mjs';

export const ROOT = resolve(import.meta.dirname, '..');
// RUNBOOK_BENCH_BUNDLE: another build's bundle directory (an A/B comparison on the same machine).
export const CLI = join(process.env.RUNBOOK_BENCH_BUNDLE ?? join(ROOT, 'dist/bundle'), 'main.cjs');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Waits until the machine is quiet: two 100 ms windows in a row with under 10 % of all cores busy (at most `maxMs`).
 * A fresh lab is still settling when labUp returns (each OVS host's userspace datapath handles the other hosts'
 * IPv6 chatter on the shared underlay: ~0.4 s of CPU at 20 hosts, none at 10), and that is the lab's boot, not the
 * work of whatever is timed next. Returns how long it waited.
 */
export async function quiet(maxMs = 5000) {
  const busy = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return f[0] + f[1] + f[2] + f[5] + f[6] + f[7]; // user nice system irq softirq steal, in clock ticks (1/100 s)
  };
  const limit = (cpus().length * 100) / 10 / 10; // ticks per 100 ms at 10 % of all cores
  const t0 = Date.now();
  let calm = 0;
  let prev = busy();
  while (calm < 2 && Date.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 100));
    const now = busy();
    calm = now - prev < limit ? calm + 1 : 0;
    prev = now;
  }
  return Date.now() - t0;
}

/** Wall time from spawn to exit, and peak RSS (KB) when /usr/bin/time is there to report it. */
export function timed(cmd, args, opts = {}) {
  return new Promise((res) => {
    const [c, a] = TIME && opts.rss !== false ? [TIME, ['-f', '@@rss %M', cmd, ...args]] : [cmd, args];
    const t0 = process.hrtime.bigint();
    const child = spawn(c, a, { cwd: opts.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const m = /@@rss (\d+)/.exec(stderr);
      res({ ms, code: code ?? -1, stdout, stderr: stderr.replace(/@@rss \d+\n?/, ''), rssKB: m ? Number(m[1]) : undefined });
    });
  });
}

// runbook's JSON summary line: exit code and how many hosts were unreachable or failed.
export function summaryOf(stdout) {
  const line = stdout.trim().split('\n').reverse().find((l) => l.includes('"type":"summary"'));
  if (!line) return { exitCode: -1, unreachable: -1, failed: -1, changed: 0 };
  const s = JSON.parse(line);
  const t = Object.values(s.recap);
  return {
    exitCode: s.exit_code,
    unreachable: t.filter((x) => x.unreachable > 0).length,
    failed: t.filter((x) => x.failed > 0).length,
    changed: t.reduce((n, x) => n + x.changed, 0),
  };
}

export async function runbookRun(playbook, inventory, forks, extra = []) {
  const r = await timed(process.execPath, [CLI, 'run', playbook, '-i', inventory, '-o', 'json', '-f', String(forks), ...extra]);
  return { ms: r.ms, rssKB: r.rssKB, ...summaryOf(r.stdout), err: r.code !== 0 ? r.stderr.slice(-400) : undefined };
}

/**
 * runbook as people watch it: `-o plain`, or `-o tty` on a 100 × 30 pseudo-terminal (util-linux `script`) whose
 * output the benchmark reads, as a terminal would.
 */
export async function runbookOutputRun(playbook, inventory, forks, mode) {
  const args = [CLI, 'run', playbook, '-i', inventory, '-f', String(forks), '-o', mode];
  if (mode === 'plain') {
    const r = await timed(process.execPath, args, { rss: false });
    return { ms: r.ms, exitCode: r.code };
  }
  const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;
  const inner = `stty rows 30 cols 100; exec ${[process.execPath, ...args].map(q).join(' ')}`;
  const r = await timed('script', ['-qfec', inner, '/dev/null'], { rss: false });
  return { ms: r.ms, exitCode: r.code };
}

// The floors: bare ssh2 with an exec channel per command (floor.mjs), or one persistent sh per host (floor-shell.mjs).
export async function floorRun(fleet, n, workDir, tasks = commandsA().length, script = 'floor.mjs') {
  const targets = join(workDir, `floor-${n}.json`);
  writeFileSync(targets, JSON.stringify(fleet.slice(0, n)));
  const r = await timed(process.execPath, [join(ROOT, 'bench', script), targets, String(tasks)]);
  const failures = r.code === 0 ? 0 : (JSON.parse(r.stdout.trim() || '{"failures":-1}').failures ?? -1);
  return { ms: r.ms, rssKB: r.rssKB, failures };
}

export const shellFloorRun = (fleet, n, workDir, tasks) => floorRun(fleet, n, workDir, tasks, 'floor-shell.mjs');

// One master per host (ControlMaster=auto, fresh ControlPath dir per run), commands in sequence per host.
export async function opensshRun(fleet, n, dir, tasks = commandsA().length) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const base = (h) => ['-i', h.keyPath, '-o', `UserKnownHostsFile=${h.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
    '-o', 'ControlMaster=auto', '-o', `ControlPath=${dir}/%C`, '-o', 'ControlPersist=60'];
  const ssh = (args) => new Promise((res) => spawn('ssh', args, { stdio: 'ignore' }).on('close', (c) => res(c)));
  const hosts = fleet.slice(0, n);
  const t0 = process.hrtime.bigint();
  let failures = 0;
  await Promise.all(
    hosts.map(async (h) => {
      for (const c of commandsA(tasks)) {
        if ((await ssh([...base(h), `root@${h.ip}`, c])) !== 0) return void failures++;
      }
    }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await Promise.all(hosts.map((h) => ssh([...base(h), '-O', 'exit', `root@${h.ip}`])));
  rmSync(dir, { recursive: true, force: true });
  return { ms, failures };
}

export function ansibleAvailable() {
  return spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).status === 0;
}

export async function ansibleRun(projectDir, playbook) {
  rmSync(join(projectDir, 'cp'), { recursive: true, force: true });
  const r = await timed('ansible-playbook', [playbook], { cwd: projectDir, env: { ANSIBLE_CONFIG: join(projectDir, 'ansible.cfg') }, rss: false });
  const failures = /unreachable=[1-9]|failed=[1-9]/.test(r.stdout) || r.code !== 0 ? 1 : 0;
  spawnSync('sh', ['-c', `for s in ${join(projectDir, 'cp')}/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit dummy 2>/dev/null; done; true`]);
  return { ms: r.ms, failures, err: failures ? r.stdout.slice(-600) : undefined };
}

// Mean of `n` back-to-back starts of the CLI with these arguments (`node: true`: of Node alone, running args).
export async function startupMs(args, n = 10, o = {}) {
  const times = [];
  for (let i = 0; i < n; i++) times.push((await timed(process.execPath, o.node ? args : [CLI, ...args], { rss: false })).ms);
  return { mean: times.reduce((a, b) => a + b, 0) / n, max: Math.max(...times) };
}
