// `node bench/safety.mjs [--hosts 4] [--reps 3]`: what network safety costs on gre-mesh: first run and no-op rerun
// with the safety (--confirm-timeout 60) and without (0), each pair on a fresh OVS lab "gbn", printed as ratios,
// with the SSH logins each run cost per host (from the lab sshd logs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runbookRun } from './runners.mjs';

const argv = process.argv.slice(2);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const hosts = Number(opt('--hosts', 4));
const reps = Number(opt('--reps', 3));
const GRE = join(ROOT, 'playbooks/gre-mesh.yaml');
const { labUp, labDown } = await import('../dist/lab/lab.js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const logins = (lab) => lab.hosts.map((h) => (readFileSync(join(lab.dir, 'logs', `${h.name}.log`), 'utf8').match(/Accepted publickey/g) ?? []).length);
const perHost = (a, b) => Math.max(...b.map((x, i) => x - a[i]));

const rows = { on: { first: [], rerun: [], firstLogins: [], rerunLogins: [] }, off: { first: [], rerun: [], firstLogins: [], rerunLogins: [] } };
for (let r = 0; r < reps; r++) {
  // alternate which goes first, so drift on a shared machine hits both alike
  for (const mode of r % 2 ? ['on', 'off'] : ['off', 'on']) {
    const lab = await labUp({ name: 'gbn', count: hosts, ovs: true });
    try {
      const extra = ['--confirm-timeout', mode === 'on' ? '60' : '0'];
      const l0 = logins(lab);
      const first = await runbookRun(GRE, lab.inventoryPath, hosts, extra);
      const l1 = logins(lab);
      const rerun = await runbookRun(GRE, lab.inventoryPath, hosts, extra);
      const l2 = logins(lab);
      if (first.exitCode !== 0 || rerun.exitCode !== 0 || rerun.changed) throw new Error(`${mode}: exit ${first.exitCode}/${rerun.exitCode}, rerun changed ${rerun.changed}: ${first.err ?? rerun.err ?? ''}`);
      rows[mode].first.push(first.ms);
      rows[mode].rerun.push(rerun.ms);
      rows[mode].firstLogins.push(perHost(l0, l1));
      rows[mode].rerunLogins.push(perHost(l1, l2));
      process.stderr.write(`bench: rep ${r + 1} safety ${mode}: first ${first.ms.toFixed(0)} ms, rerun ${rerun.ms.toFixed(0)} ms\n`);
    } finally {
      await labDown({ name: 'gbn' });
    }
  }
}
const m = (k, x) => median(rows[k][x]);
console.log(`gre-mesh, ${hosts} hosts, ${reps} reps (median ms; logins = most SSH logins any one host saw in the run)`);
console.log(`first run   safety on ${m('on', 'first').toFixed(0)}  off ${m('off', 'first').toFixed(0)}  ratio ${(m('on', 'first') / m('off', 'first')).toFixed(2)}×  logins on ${m('on', 'firstLogins')} off ${m('off', 'firstLogins')}`);
console.log(`no-op rerun safety on ${m('on', 'rerun').toFixed(0)}  off ${m('off', 'rerun').toFixed(0)}  ratio ${(m('on', 'rerun') / m('off', 'rerun')).toFixed(2)}×  logins on ${m('on', 'rerunLogins')} off ${m('off', 'rerunLogins')}`);
