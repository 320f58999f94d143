// Ansible as the oracle for iptables: test/fixtures/e2e/ansible-iptables/iptables.yml (conntrack states, multiport,
// limits, an insert at a position, REJECT, LOG, TCP flags, a user chain made for its rule, a rule added then removed,
// a chain policy, nat and mangle rules) run by ansible-playbook on one fresh 2-host lab and by runbook on another;
// each host's `iptables -S` of the filter, nat and mangle tables, and the recaps, must be the same; a runbook rerun
// changes only the rule the playbook adds and then takes away. The lab hosts' own network namespaces hold the rules; the machine's are not touched.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onHost, ROOT, runbook } from './helpers.js';
import { ansibleRecap, HAVE_ANSIBLE, ORACLE_SKIP_WHY, oracleRun, pick, runbookFailures, summaryOf } from './oracle.js';

const DIR = join(ROOT, 'test/fixtures/e2e/ansible-iptables');
const PLAYBOOK = join(DIR, 'iptables.yml');
const HOSTS = ['h1', 'h2'];
const HAVE_IPTABLES = spawnSync('sh', ['-c', 'command -v iptables || test -x /usr/sbin/iptables'], { encoding: 'utf8' }).status === 0;
const RUN = HAVE_ANSIBLE && HAVE_IPTABLES;
const o = RUN ? oracleRun('ansible-oracle-iptables', ['fwa', 'fwb'], HOSTS.length, PLAYBOOK, DIR) : undefined;

const rules = (lab: Parameters<typeof onHost>[0], h: string) =>
  onHost(lab, h, 'PATH=$PATH:/usr/sbin; for t in filter nat mangle; do echo "## $t"; iptables -t $t -S; done').stdout;

// Skipped only without ansible-playbook or iptables; scripts/setup.sh --tests installs both, so CI runs it.
describe.skipIf(!RUN)(RUN ? 'iptables: runbook against ansible-playbook on identical labs' : `${ORACLE_SKIP_WHY} (or iptables)`, () => {
  it('both run the playbook cleanly', () => {
    expect(o!.ans.code, o!.ans.stdout.slice(-3000) + o!.ans.stderr).toBe(0);
    expect(o!.rb.code, runbookFailures(o!.rb)).toBe(0);
  });

  it('each host holds the same rules in filter, nat and mangle', () => {
    for (const h of HOSTS) {
      const want = rules(o!.labA, h);
      // the oracle really made them (so equal-and-empty cannot pass)
      expect(want).toContain('-P FORWARD DROP');
      expect(want).toContain('-N RB-FILTER');
      expect(want).toMatch(/-A INPUT -s 203\.0\.113\.0\/24 -j REJECT --reject-with icmp-port-unreachable\n-A INPUT -m conntrack/);
      expect(want).toContain('-A POSTROUTING -s 192.168.7.0/24 ! -o br-rb -j MASQUERADE');
      expect(want).not.toContain('--dport 25');
      expect(rules(o!.labB, h), h).toBe(want);
    }
  });

  it('the recaps count alike', () => {
    const a = ansibleRecap(o!.ans.stdout);
    const b = summaryOf(o!.rb.stdout).recap;
    for (const h of HOSTS) expect(pick(b[h]), h).toEqual(pick(a[h]));
  });

  it('a rerun of runbook changes only the rule the playbook adds and then removes', async () => {
    const r = await runbook(['run', PLAYBOOK, '-i', o!.labB.inventoryPath, '-o', 'json'], { timeoutMs: 120_000 });
    const s = summaryOf(r.stdout);
    expect(s.exit_code, r.stderr).toBe(0);
    // the add-then-remove pair changes on every run, in both tools (Ansible's module has no way around it)
    for (const h of HOSTS) expect(s.recap[h], h).toMatchObject({ changed: 2, failed: 0 });
  });
});
