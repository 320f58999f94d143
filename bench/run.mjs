// `npm run bench`: runbook against the bare-ssh2 floor, OpenSSH ControlMaster and Ansible, on lab hosts, as ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ansibleAvailable, quiet, ansibleRun, floorRun, opensshRun, runbookOutputRun, runbookRun, shellFloorRun, startupMs } from './runners.mjs';
import { printTable } from './table.mjs';
import { TASKS_A, fleetInventory, fleetOf, sliceInventory, writeAnsibleProject, writePlaybookA } from './workloads.mjs';

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const quick = flag('--quick');
const reps = Number(opt('--reps', quick ? 1 : 3));
// HOSTS or HOSTSxTASKS: 20x30 is 20 hosts × 30 shell tasks (workload A's steps, continued).
const sizesA = (opt('--sizes', quick ? '10,20' : '20x30,100x10')).split(',').map((s) => {
  const [h, t] = s.split('x').map(Number);
  return { n: h, tasks: t || TASKS_A };
});
const sizesB = (opt('--mesh-sizes', quick ? '3' : '10,20')).split(',').filter(Boolean).map(Number);
const scale = Number(opt('--scale', quick ? 0 : 500));
const out = opt('--out', join(ROOT, 'bench/results.json'));
const work = join(ROOT, '.lab/bench');
const GRE = join(ROOT, 'playbooks/gre-mesh.yaml');

if (process.getuid?.() !== 0) throw new Error('the benchmark needs root (it starts lab hosts in network namespaces)');
if (!existsSync(join(ROOT, 'dist/bundle/main.cjs'))) throw new Error('build first: npm run -s build');
const { labUp, labDown } = await import('../dist/lab/lab.js');
mkdirSync(work, { recursive: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const log = (s) => process.stderr.write(`bench: ${s}\n`);
const results = { date: new Date().toISOString(), reps, cores: (await import('node:os')).cpus().length, ulimitN: spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim(), startup: {}, A: [], B: [], scale: undefined, notes: [] };
const labs = [];
// Every fresh lab is left to settle before anything is timed on it (see quiet()); the waits are in the results.
results.settleMs = [];
const up = async (o) => {
  labs.push(o.name);
  const lab = await labUp(o);
  results.settleMs.push({ lab: o.name, hosts: o.count, ms: await quiet() });
  return lab;
};
process.on('SIGINT', async () => {
  for (const name of labs) await labDown({ name }).catch(() => undefined);
  process.exit(130);
});

// Startup: --help and --syntax-check on every shipped playbook, 10 starts each; Node's own start for scale.
results.startup['node -e 0 (Node alone)'] = await startupMs(['-e', '0'], 10, { node: true });
results.startup.help = await startupMs(['--help']);
for (const f of readdirSync(join(ROOT, 'playbooks')).filter((f) => /\.ya?ml$/.test(f)))
  results.startup[`syntax-check ${f}`] = await startupMs(['run', join('playbooks', f), '--syntax-check']);

// Workload A at each size: all contenders interleaved per repetition, so drift hits them alike.
const playA = writePlaybookA(work);
const skip = new Set((opt('--skip', '')).split(',').filter(Boolean));
const hasAnsible = ansibleAvailable() && !flag('--no-ansible');
if (!hasAnsible)
  results.notes.push(
    flag('--no-ansible') ? 'Ansible skipped (--no-ansible)' : 'ansible-playbook not installed (apt-get install -y ansible-core): Ansible columns skipped',
  );
try {
  const maxA = Math.max(...sizesA.map((s) => s.n));
  log(`lab bna: ${maxA} hosts`);
  const fleet = fleetOf([await up({ name: 'bna', count: maxA })]);
  for (const { n, tasks } of sizesA) {
    const play = writePlaybookA(work, tasks);
    const inv = fleetInventory(fleet, n, join(work, `a-${n}.yaml`));
    const ans = hasAnsible
      ? { def: writeAnsibleProject(join(work, `ans-def-${n}`), fleet, n, { forks: 5, pipelining: false }), best: writeAnsibleProject(join(work, `ans-best-${n}`), fleet, n, { forks: n, pipelining: true }) }
      : undefined;
    const runs = { floor: [], floorShell: [], runbook: [], openssh: [], ansibleDefault: [], ansibleBest: [], plain: [], tty: [] };
    for (let r = 0; r < reps; r++) {
      log(`A ${n} hosts × ${tasks} tasks, run ${r + 1}/${reps}`);
      runs.floor.push(await floorRun(fleet, n, work, tasks));
      runs.floorShell.push(await shellFloorRun(fleet, n, work, tasks));
      runs.runbook.push(await runbookRun(play, inv, n));
      if (!skip.has('openssh')) runs.openssh.push(await opensshRun(fleet, n, join(work, 'cm'), tasks));
      // The live view against plain output, back to back, as a user at a terminal would see it.
      if (!skip.has('output')) {
        runs.plain.push(await runbookOutputRun(play, inv, n, 'plain'));
        runs.tty.push(await runbookOutputRun(play, inv, n, 'tty'));
      }
      if (ans) {
        runs.ansibleBest.push(await ansibleRun(ans.best, play));
        if (r === 0 || n <= 20) runs.ansibleDefault.push(await ansibleRun(ans.def, play));
      }
    }
    results.A.push(summarize(n, tasks, runs));
  }
} finally {
  await labDown({ name: 'bna' });
}

// Workload B: gre-mesh first run on fresh hosts, then the no-op rerun, then workload A on the same hosts and on a
// plain lab (bnp, up for all of B): each rerun/A ratio compares runs a few seconds apart, so drift hits both alike
// (workload A's own row above was measured minutes earlier).
if (!existsSync(GRE)) results.notes.push('workload B skipped: playbooks/gre-mesh.yaml not found');
else
  try {
    const plainLab = sizesB.length ? await up({ name: 'bnp', count: Math.max(...sizesB) }) : undefined;
    for (const n of sizesB) {
      const first = [];
      const rerun = [];
      const aSame = [];
      const aPlain = [];
      for (let r = 0; r < reps; r++) {
        log(`B ${n} hosts, run ${r + 1}/${reps} (fresh ovs lab bnb)`);
        try {
          const lab = await up({ name: 'bnb', count: n, ovs: true });
          const inv = sliceInventory(lab, n, join(work, `b-${n}.yaml`));
          first.push(await runbookRun(GRE, inv, n));
          rerun.push(await runbookRun(GRE, inv, n));
          aSame.push(await runbookRun(playA, inv, n));
          aPlain.push(await runbookRun(playA, sliceInventory(plainLab, n, join(work, `bp-${n}.yaml`)), n));
        } finally {
          await labDown({ name: 'bnb' });
        }
      }
      const over = (as) => median(rerun.map((x, i) => x.ms / as[i].ms));
      results.B.push({
        hosts: n,
        first: pick(first),
        rerun: pick(rerun),
        aSameLab: pick(aSame),
        aPlainLab: pick(aPlain),
        rerunOverASameLab: over(aSame),
        rerunOverAPlainLab: over(aPlain),
      });
    }
  } finally {
    await labDown({ name: 'bnp' }).catch(() => undefined);
  }

// Scale: one run of workload A on many hosts (labs of ≤ 200 hosts each: bnc, bnd, bne…), runbook and the floor.
if (scale > 0) {
  const names = Array.from({ length: Math.ceil(scale / 200) }, (_, i) => `bn${'cdefghij'[i]}`);
  try {
    const parts = [];
    for (const [i, name] of names.entries()) {
      const count = Math.min(200, scale - i * 200);
      log(`lab ${name}: ${count} hosts, OpenSSH's default MaxStartups 10:30:100`);
      parts.push(await up({ name, count, maxStartups: 'default' }));
    }
    const fleet = fleetOf(parts);
    const inv = fleetInventory(fleet, scale, join(work, `a-${scale}.yaml`));
    const floor = await floorRun(fleet, scale, work);
    const floorShell = await shellFloorRun(fleet, scale, work, TASKS_A);
    const rb = await runbookRun(playA, inv, scale);
    const plain = skip.has('output') ? undefined : await runbookOutputRun(playA, inv, scale, 'plain');
    const tty = skip.has('output') ? undefined : await runbookOutputRun(playA, inv, scale, 'tty');
    results.scale = { hosts: scale, tasks: TASKS_A, floor, floorShell, runbook: rb, plain, tty };
  } finally {
    for (const name of names) await labDown({ name });
  }
}

writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
printTable(results);
process.stdout.write(`\nresults: ${out}\n`);

function pick(rs) {
  return { ms: median(rs.map((r) => r.ms)), rssKB: median(rs.map((r) => r.rssKB ?? 0)), runs: rs };
}

function summarize(hosts, tasks, runs) {
  const m = (k) => (runs[k].length ? median(runs[k].map((r) => r.ms)) : undefined);
  const fails = (k) => runs[k].reduce((n, r) => n + (r.failures ?? 0) + (r.unreachable ?? 0) + (r.failed ?? 0) + (r.exitCode > 0 ? 1 : 0), 0);
  return {
    hosts,
    tasks,
    ms: { floor: m('floor'), floorShell: m('floorShell'), runbook: m('runbook'), openssh: m('openssh'), ansibleDefault: m('ansibleDefault'), ansibleBest: m('ansibleBest'), plain: m('plain'), tty: m('tty') },
    rssKB: { floor: median(runs.floor.map((r) => r.rssKB ?? 0)), runbook: median(runs.runbook.map((r) => r.rssKB ?? 0)) },
    failures: Object.fromEntries(Object.keys(runs).map((k) => [k, fails(k)])),
    runs: Object.fromEntries(Object.keys(runs).map((k) => [k, runs[k].length])),
  };
}
