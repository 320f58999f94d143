// The benchmark's printed report: times, ratios measured in the same run, and the targets beside them.
const f = (ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
const x = (a, b) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);
const mb = (kb) => (kb ? `${(kb / 1024).toFixed(0)} MB` : '—');
const pad = (cells, w) => cells.map((c, i) => String(c).padEnd(w[i])).join('  ');

function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  process.stdout.write(`${pad(head, w)}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${rows.map((r) => pad(r, w)).join('\n')}\n`);
}

// Prints every section present in the results object.
export function printTable(r) {
  process.stdout.write(`\nrunbook benchmark — ${r.date}, ${r.cores} cores, median of ${r.reps} run(s), ulimit -n ${r.ulimitN}\n\n`);
  process.stdout.write('Workload A: shell tasks (a write and a read-back each), gather_facts false, cold connections (runbook --forks = hosts)\n');
  process.stdout.write('floors, bare ssh2: an exec channel per command (exec), or one persistent sh per host (shell); runbook sits between\n');
  table(
    ['hosts', 'tasks', 'exec floor', 'shell floor', 'runbook', 'OpenSSH CM', 'Ansible dflt', 'Ansible best', 'rb/exec floor (≤0.6 @20×30, ≤0.75 @100)', 'rb/shell floor', 'OpenSSH/rb (>1)', 'Ansible best/rb (≥15)', 'ms/host-task', 'rb RSS', 'failures'],
    r.A.map((a) => [
      a.hosts,
      a.tasks,
      f(a.ms.floor),
      f(a.ms.floorShell),
      f(a.ms.runbook),
      f(a.ms.openssh),
      f(a.ms.ansibleDefault),
      f(a.ms.ansibleBest),
      x(a.ms.runbook, a.ms.floor),
      x(a.ms.runbook, a.ms.floorShell),
      x(a.ms.openssh, a.ms.runbook),
      x(a.ms.ansibleBest, a.ms.runbook),
      (a.ms.runbook / (a.hosts * a.tasks)).toFixed(2),
      mb(a.rssKB.runbook),
      Object.values(a.failures).reduce((n, v) => n + v, 0),
    ]),
  );
  if (r.A.some((a) => a.ms.tty !== undefined)) {
    process.stdout.write('\nOutput: workload A with -o plain and with the live view on a 100 × 30 pseudo-terminal\n');
    const rows = r.A.map((a) => [a.hosts, f(a.ms.plain), f(a.ms.tty), x(a.ms.tty, a.ms.plain)]);
    if (r.scale?.tty && r.scale?.plain) rows.push([r.scale.hosts, f(r.scale.plain.ms), f(r.scale.tty.ms), x(r.scale.tty.ms, r.scale.plain.ms)]);
    table(['hosts', '-o plain', 'live view (pty)', 'live/plain (≤1.05)'], rows);
  }
  if (r.scale) {
    const s = r.scale;
    process.stdout.write(`\nScale: workload A on ${s.hosts} hosts, 1 run\n`);
    table(
      ['hosts', 'exec floor', 'shell floor', 'runbook', 'rb/exec floor (≤0.8)', 'rb/shell floor', 'ms/host-task', 'rb RSS (≤250 MB)', 'unreachable', 'failed', 'exit'],
      [[s.hosts, f(s.floor.ms), f(s.floorShell?.ms), f(s.runbook.ms), x(s.runbook.ms, s.floor.ms), x(s.runbook.ms, s.floorShell?.ms), (s.runbook.ms / (s.hosts * s.tasks)).toFixed(2), mb(s.runbook.rssKB), s.runbook.unreachable, s.runbook.failed, s.runbook.exitCode]],
    );
  }
  if (r.B.length) {
    // workload A itself: 10 tasks (a 20x30 row is not the workload the rerun is held against)
    const a20 = r.A.find((a) => a.hosts === 20 && a.tasks === 10)?.ms.runbook;
    const b10 = r.B.find((b) => b.hosts === 10)?.first.ms;
    process.stdout.write('\nWorkload B: playbooks/gre-mesh.yaml, fresh ovs lab per run\n');
    table(
      [
        'hosts',
        'first run',
        'no-op rerun',
        'A, same lab',
        'A, plain lab',
        'first/A same lab (≤4)',
        'first/first@10 (≤2.2)',
        'rerun/A same lab',
        'rerun/A plain lab, adjacent (≤1.5)',
        'rerun/A@20×10 row above',
        'rb RSS',
        'changed on rerun',
      ],
      r.B.map((b) => [
        b.hosts,
        f(b.first.ms),
        f(b.rerun.ms),
        b.aSameLab ? f(b.aSameLab.ms) : '—',
        b.aPlainLab ? f(b.aPlainLab.ms) : '—',
        b.aSameLab ? x(b.first.ms, b.aSameLab.ms) : '—',
        b.hosts !== 10 ? x(b.first.ms, b10) : '—',
        b.rerunOverASameLab ? `${b.rerunOverASameLab.toFixed(2)}×` : '—',
        b.rerunOverAPlainLab ? `${b.rerunOverAPlainLab.toFixed(2)}×` : '—',
        b.hosts === 20 ? x(b.rerun.ms, a20) : '—',
        mb(b.rerun.rssKB),
        b.rerun.runs.map((x) => x.changed).join(','),
      ]),
    );
  }
  process.stdout.write('\nStartup, mean of 10 starts (target ≤ 150 ms)\n');
  table(['command', 'mean', 'max'], Object.entries(r.startup).map(([k, v]) => [k, `${v.mean.toFixed(0)} ms`, `${v.max.toFixed(0)} ms`]));
  for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
}
