// Ansible as the oracle: what the ansible-core comparison tests share — running ansible-playbook against a lab,
// reading its recap and runbook's JSON summary, and walking a host's files into comparable records.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LabInfo, labDown, onHost, runbook, withLab } from './helpers.js';

/** A path as both tools must leave it: type, mode, owner, link target, content (and hard-link count of files). */
export interface Entry {
  type: 'f' | 'd' | 'l';
  mode: string;
  owner: string;
  target?: string;
  content?: string;
  links?: number;
}

// One python3 walk on the host: every path under a root, as JSON. Paths under a .git directory are left out: git
// writes its index and reflogs with the time of the clone (a clone is compared by HEAD and status instead).
const walk = (base: string) => `/usr/bin/python3 -c '
import json, os, pwd, grp, stat, sys
base = sys.argv[1]; out = {}
def add(p):
    st = os.lstat(p); rel = os.path.relpath(p, base)
    e = {"mode": oct(stat.S_IMODE(st.st_mode))[2:].zfill(4), "owner": pwd.getpwuid(st.st_uid).pw_name + ":" + grp.getgrgid(st.st_gid).gr_name}
    if stat.S_ISLNK(st.st_mode): e.update(type="l", target=os.readlink(p))
    elif stat.S_ISDIR(st.st_mode): e.update(type="d")
    else: e.update(type="f", content=open(p, encoding="utf-8", errors="backslashreplace").read(), links=st.st_nlink)
    out[rel] = e
if not os.path.lexists(base): print("{}"); sys.exit(0)
add(base)
for root, dirs, files in os.walk(base):
    if ".git" in dirs: dirs.remove(".git")
    for n in dirs + files: add(os.path.join(root, n))
print(json.dumps(out, sort_keys=True))
' ${base}`;

export function tree(lab: LabInfo, host: string, base: string): Record<string, Entry> {
  const r = onHost(lab, host, walk(base));
  if (r.code !== 0) throw new Error(`reading ${base} on ${lab.name}/${host}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export const HAVE_ANSIBLE = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).status === 0;

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** ansible-playbook against a lab: its key, its known_hosts (strict), the machine's python3, one master per host. */
export function ansiblePlaybook(lab: LabInfo, work: string, playbook: string, cwd: string, extra: string[] = []): Promise<Ran> {
  const env = {
    ...process.env,
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`,
    ANSIBLE_CONTROL_PATH_DIR: join(work, 'cp'),
    ANSIBLE_LOCAL_TEMP: join(work, 'tmp'),
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_STDOUT_CALLBACK: 'default',
  };
  const t0 = Date.now();
  return new Promise((res) => {
    const child = spawn('ansible-playbook', ['-i', lab.inventoryPath, ...extra, playbook], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // close the ControlPersist masters this run left behind
      spawnSync('sh', [
        '-c',
        `for s in "${join(work, 'cp')}"/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit dummy 2>/dev/null; done; true`,
      ]);
      res({ code: code ?? -1, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Ansible's `h1 : ok=27 changed=21 unreachable=0 failed=0 skipped=1 …` recap lines. */
export function ansibleRecap(stdout: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const m of stdout.slice(stdout.lastIndexOf('PLAY RECAP')).matchAll(/^(\S+)\s+:\s+(ok=.*)$/gm))
    out[m[1]] = Object.fromEntries([...m[2].matchAll(/(\w+)=(\d+)/g)].map((x) => [x[1], Number(x[2])]));
  return out;
}

/** runbook's `-o json` summary line. */
export function summaryOf(stdout: string): { recap: Record<string, Record<string, number>>; exit_code: number } {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.includes('"type":"summary"'));
  if (!line) throw new Error(`no JSON summary in runbook's output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line);
}

/** The recap counts both tools report. */
export const pick = (r: Record<string, number> | undefined) =>
  r && { ok: r.ok, changed: r.changed, skipped: r.skipped, failed: r.failed, unreachable: r.unreachable };

/**
 * The same playbook, side by side: ansible-playbook on labA, runbook (-o json) on labB; prints both times.
 * extra: arguments for each (e.g. `-e @vars.json`, one file per lab).
 */
export async function sideBySide(
  name: string,
  labs: { ansible: LabInfo; runbook: LabInfo },
  work: string,
  playbook: string,
  cwd: string,
  extra: { ansible?: string[]; runbook?: string[] } = {},
): Promise<{ ans: Ran; rb: Ran }> {
  const t0 = Date.now();
  const timedRunbook = async () => ({
    ...(await runbook(['run', playbook, '-i', labs.runbook.inventoryPath, ...(extra.runbook ?? []), '-o', 'json'], { timeoutMs: 240_000 })),
    ms: Date.now() - t0,
  });
  const [ans, rb] = await Promise.all([ansiblePlaybook(labs.ansible, work, playbook, cwd, extra.ansible), timedRunbook()]);
  process.stderr.write(`${name}: ansible-playbook ${ans.ms} ms, runbook ${rb.ms} ms (run side by side)\n`);
  return { ans, rb };
}

/** Why runbook's run failed, for an assertion message: its stderr and the first failed results. */
export function runbookFailures(rb: Ran): string {
  const failed = rb.stdout
    .split('\n')
    .filter((l) => l.includes('"status":"failed"') || l.includes('"type":"error"'))
    .slice(0, 6)
    .join('\n');
  return `runbook run exited ${rb.code}\n${rb.stderr}${failed}`;
}

/** Why an oracle suite is skipped: without ansible-playbook there is nothing to compare runbook with. */
export const ORACLE_SKIP_WHY =
  'SKIPPED: ansible-playbook is not installed (apt-get install -y --no-install-recommends ansible-core, or bash scripts/setup.sh --tests)';

/** Two fresh labs and the playbook's run on each: ansible-playbook on labA, runbook on labB. */
export interface OracleRun {
  labA: LabInfo;
  labB: LabInfo;
  ans: Ran;
  rb: Ran;
}

/**
 * Registers the suite's beforeAll and afterAll: two fresh labs of `hosts` hosts named `labs`, the playbook run on them
 * side by side (sideBySide), and both labs and the work directory removed after. Nothing without ansible-playbook.
 * The object returned is filled in by the beforeAll.
 */
export function oracleRun(name: string, labs: [string, string], hosts: number, playbook: string, dir: string): OracleRun {
  const o = {} as OracleRun;
  let work: string | undefined;
  beforeAll(async () => {
    if (!HAVE_ANSIBLE) return;
    work = mkdtempSync(join(tmpdir(), `rb-${name}-`));
    o.labA = await withLab(labs[0], hosts);
    o.labB = await withLab(labs[1], hosts);
    Object.assign(o, await sideBySide(name, { ansible: o.labA, runbook: o.labB }, work, playbook, dir));
  }, 300_000);
  afterAll(async () => {
    if (!HAVE_ANSIBLE) return;
    for (const lab of labs) await labDown({ name: lab });
    if (work) rmSync(work, { recursive: true, force: true });
  });
  return o;
}
