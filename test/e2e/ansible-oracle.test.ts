// Ansible as the oracle: test/fixtures/e2e/ansible-idioms/idioms.yml (everyday Ansible idioms: free-form k=v,
// inline chdir=/creates=, filters, subscripts, inline if, a .j2 with for/if/set/macro, when with a method call,
// with_dict, remote_user, FQCN modules, playbook-dir group_vars, omit, nested variables) is run by ansible-playbook
// (ansible-core from Debian) on one fresh 2-host lab and by runbook on another; every file, directory and link the
// play leaves under /var/lib/idioms must be the same on both (type, mode, owner, link target, content), the recaps
// must count alike, and a rerun of runbook must change nothing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, ROOT, runbook, withLab } from './helpers.js';

const DIR = join(ROOT, 'test/fixtures/e2e/ansible-idioms');
const PLAYBOOK = join(DIR, 'idioms.yml');
/** Where the play writes (in the hosts' private /var: /srv and /opt are the machine's, shared by every lab host). */
const BASE = '/var/lib/idioms';
const HOSTS = ['h1', 'h2'];
const LAB_ANSIBLE = 'ora';
const LAB_RUNBOOK = 'orb';
const HAVE_ANSIBLE = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).status === 0;
const SKIP_WHY =
  'SKIPPED: ansible-playbook is not installed (apt-get install -y --no-install-recommends ansible-core, or bash scripts/setup.sh --tests)';

interface Entry {
  type: 'f' | 'd' | 'l';
  mode: string;
  owner: string;
  target?: string;
  content?: string;
}

// One python3 walk on the host (lab hosts share the machine's /usr): every path under BASE, as JSON.
const WALK = `python3 -c '
import json, os, pwd, grp, stat, sys
base = sys.argv[1]; out = {}
def add(p):
    st = os.lstat(p); rel = os.path.relpath(p, base)
    e = {"mode": oct(stat.S_IMODE(st.st_mode))[2:].zfill(4), "owner": pwd.getpwuid(st.st_uid).pw_name + ":" + grp.getgrgid(st.st_gid).gr_name}
    if stat.S_ISLNK(st.st_mode): e.update(type="l", target=os.readlink(p))
    elif stat.S_ISDIR(st.st_mode): e.update(type="d")
    else: e.update(type="f", content=open(p, encoding="utf-8", errors="backslashreplace").read())
    out[rel] = e
if not os.path.lexists(base): print("{}"); sys.exit(0)
add(base)
for root, dirs, files in os.walk(base):
    for n in dirs + files: add(os.path.join(root, n))
print(json.dumps(out, sort_keys=True))
' ${BASE}`;

function tree(lab: LabInfo, host: string): Record<string, Entry> {
  const r = onHost(lab, host, WALK);
  if (r.code !== 0) throw new Error(`reading ${BASE} on ${lab.name}/${host}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** ansible-playbook against a lab: its key, its known_hosts (strict), the machine's python3, one master per host. */
function ansiblePlaybook(lab: LabInfo, work: string): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
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
    const child = spawn('ansible-playbook', ['-i', lab.inventoryPath, PLAYBOOK], { cwd: DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
function ansibleRecap(stdout: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const m of stdout.slice(stdout.lastIndexOf('PLAY RECAP')).matchAll(/^(\S+)\s+:\s+(ok=.*)$/gm))
    out[m[1]] = Object.fromEntries([...m[2].matchAll(/(\w+)=(\d+)/g)].map((x) => [x[1], Number(x[2])]));
  return out;
}

/** runbook's `-o json` summary line. */
function summaryOf(stdout: string): { recap: Record<string, Record<string, number>>; exit_code: number } {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.includes('"type":"summary"'));
  if (!line) throw new Error(`no JSON summary in runbook's output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line);
}

const pick = (r: Record<string, number> | undefined) =>
  r && { ok: r.ok, changed: r.changed, skipped: r.skipped, failed: r.failed, unreachable: r.unreachable };

let labA: LabInfo;
let labB: LabInfo;
let work: string;
let ans: Awaited<ReturnType<typeof ansiblePlaybook>>;
let rb: { code: number; stdout: string; stderr: string; ms: number };

beforeAll(async () => {
  if (!HAVE_ANSIBLE) return;
  work = mkdtempSync(join(tmpdir(), 'rb-oracle-'));
  labA = await withLab(LAB_ANSIBLE, HOSTS.length);
  labB = await withLab(LAB_RUNBOOK, HOSTS.length);
  const t0 = Date.now();
  const timedRunbook = async () => ({
    ...(await runbook(['run', PLAYBOOK, '-i', labB.inventoryPath, '-o', 'json'], { timeoutMs: 240_000 })),
    ms: Date.now() - t0,
  });
  [ans, rb] = await Promise.all([ansiblePlaybook(labA, work), timedRunbook()]);
  const a = ans;
  process.stderr.write(`ansible-oracle: ansible-playbook ${a.ms} ms, runbook ${rb.ms} ms (run side by side)\n`);
}, 300_000);

afterAll(async () => {
  if (!HAVE_ANSIBLE) return;
  await labDown({ name: LAB_ANSIBLE });
  await labDown({ name: LAB_RUNBOOK });
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!HAVE_ANSIBLE)(
  HAVE_ANSIBLE ? 'everyday Ansible idioms: runbook against ansible-playbook on identical labs' : SKIP_WHY,
  () => {
    it('ansible-playbook runs the playbook cleanly (the oracle itself)', () => {
      expect(ans.code, ans.stdout.slice(-3000) + ans.stderr).toBe(0);
      const recap = ansibleRecap(ans.stdout);
      expect(Object.keys(recap).sort()).toEqual(HOSTS);
      for (const h of HOSTS) expect(recap[h]).toMatchObject({ failed: 0, unreachable: 0 });
      // the oracle wrote something worth comparing
      const t = tree(labA, 'h1');
      expect(Object.keys(t).length).toBeGreaterThan(20);
      expect(t['conf/app.conf'].content).toContain('# Ansible managed');
    });

    it('runbook runs the same playbook cleanly', () => {
      const errors = rb.stdout
        .split('\n')
        .filter((l) => l.includes('"status":"failed"') || l.includes('"type":"error"'))
        .slice(0, 6)
        .join('\n');
      expect(rb.code, `runbook run exited ${rb.code}\n${rb.stderr}${errors}`).toBe(0);
      expect(summaryOf(rb.stdout).exit_code).toBe(0);
    });

    it('both leave identical trees under /var/lib/idioms on every host (type, mode, owner, link target, content)', () => {
      for (const h of HOSTS) {
        const want = tree(labA, h);
        const got = tree(labB, h);
        expect(Object.keys(got).sort(), `${h}: paths under ${BASE}`).toEqual(Object.keys(want).sort());
        for (const p of Object.keys(want)) expect(got[p], `${h}:${BASE}/${p}`).toEqual(want[p]);
      }
    });

    it('the recaps count alike (ok, changed, skipped per host)', () => {
      const a = ansibleRecap(ans.stdout);
      const b = summaryOf(rb.stdout).recap;
      for (const h of HOSTS) expect(pick(b[h]), h).toEqual(pick(a[h]));
    });

    it('a rerun of runbook changes nothing', async () => {
      const r = await runbook(['run', PLAYBOOK, '-i', labB.inventoryPath, '-o', 'json'], { timeoutMs: 240_000 });
      const s = summaryOf(r.stdout);
      expect(s.exit_code, r.stderr).toBe(0);
      for (const h of HOSTS) expect(s.recap[h], h).toMatchObject({ changed: 0, failed: 0 });
    });
  },
);
