// Ansible as the oracle: test/fixtures/e2e/ansible-idioms/idioms.yml (everyday Ansible idioms: free-form k=v,
// inline chdir=/creates=, filters, subscripts, inline if, a .j2 with for/if/set/macro, when with a method call,
// with_dict, a loop whose when names its item, remote_user, FQCN modules, playbook-dir group_vars, omit, nested variables; play-level run_once and
// ignore_errors, a templated hosts:, a role with allow_duplicates; what roles for several OSes do: fact-named and
// first-found vars_files, file/template lookups in args and loops, an OS-only task file with a module runbook lacks
// behind when:, templated ignore_errors and no_log, notify on a block, setype; and, in thirteenth.yml, imported with
// vars and tags: play-wide role vars, a self-including include_tasks, import_tasks under handlers,
// with_inventory_hostnames, templated run_once/become/throttle/retries, file without state) is run by ansible-playbook
// (ansible-core from Debian) on one fresh 2-host lab and by runbook on another; every file, directory and link the
// play leaves under /var/lib/idioms must be the same on both (type, mode, owner, link target, content), the recaps
// must count alike, and a rerun of runbook must change nothing.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runbook } from './helpers.js';
import { ansibleRecap, HAVE_ANSIBLE, ORACLE_SKIP_WHY, oracleRun, pick, runbookFailures, summaryOf, tree } from './oracle.js';

const DIR = join(ROOT, 'test/fixtures/e2e/ansible-idioms');
const PLAYBOOK = join(DIR, 'idioms.yml');
/** Where the play writes (in the hosts' private /var: /srv and /opt are the machine's, shared by every lab host). */
const BASE = '/var/lib/idioms';
const HOSTS = ['h1', 'h2'];
const LAB_ANSIBLE = 'ora';
const LAB_RUNBOOK = 'orb';
const o = oracleRun('ansible-oracle', [LAB_ANSIBLE, LAB_RUNBOOK], HOSTS.length, PLAYBOOK, DIR);

// Skipped only without ansible-playbook (the oracle); scripts/setup.sh --tests installs ansible-core, so CI runs it.
describe.skipIf(!HAVE_ANSIBLE)(
  HAVE_ANSIBLE ? 'everyday Ansible idioms: runbook against ansible-playbook on identical labs' : ORACLE_SKIP_WHY,
  () => {
    it('ansible-playbook runs the playbook cleanly (the oracle itself)', () => {
      expect(o.ans.code, o.ans.stdout.slice(-3000) + o.ans.stderr).toBe(0);
      const recap = ansibleRecap(o.ans.stdout);
      expect(Object.keys(recap).sort()).toEqual(HOSTS);
      for (const h of HOSTS) expect(recap[h]).toMatchObject({ failed: 0, unreachable: 0 });
      // the oracle wrote something worth comparing
      const t = tree(o.labA, 'h1', BASE);
      expect(Object.keys(t).length).toBeGreaterThan(20);
      expect(t['conf/app.conf'].content).toContain('# Ansible managed');
      // delegate_facts: h1 set the fact for h2 too; delegate_to alone kept h2's own
      const t2 = tree(o.labA, 'h2', BASE);
      expect([t2['delegated-fact.txt'].content, t2['own-fact.txt'].content]).toEqual(['set by h1\n', 'h2\n']);
      // the templated environment reached the command; the async task ran to its end
      expect([t2['env-template.txt'].content, t2['async.txt'].content]).toEqual(['from-a-template\n', 'polled\n']);
      // thirteenth.yml: every role's defaults and vars reach the whole play (a role's own first), the import's vars
      // reach its plays, a file that includes itself retried twice, an imported handler ran, no state kept a directory
      expect(t['roles-pre.txt'].content).toBe('x=from-rvb only_rva=rva rvb_var=var-of-rvb imported=from-the-import\n');
      expect([t['roles-rva.txt'].content, t['roles-rvb.txt'].content]).toEqual([
        'x=from-rva only_rvb=rvb rvb_var=var-of-rvb\n',
        'x=from-rvb only_rva=rva\n',
      ]);
      expect([t['retry.txt'].content, t['imported-handler.txt'].content]).toEqual(['tries=3\n', 'ran on h1\n']);
      expect([t['host-h2.txt'].content, t.stateless.type, t.stateless.mode]).toEqual(['h2\n', 'd', '0700']);
    });

    it('runbook runs the same playbook cleanly', () => {
      expect(o.rb.code, runbookFailures(o.rb)).toBe(0);
      expect(summaryOf(o.rb.stdout).exit_code).toBe(0);
    });

    it('both leave identical trees under /var/lib/idioms on every host (type, mode, owner, link target, content)', () => {
      for (const h of HOSTS) {
        const want = tree(o.labA, h, BASE);
        const got = tree(o.labB, h, BASE);
        expect(Object.keys(got).sort(), `${h}: paths under ${BASE}`).toEqual(Object.keys(want).sort());
        for (const p of Object.keys(want)) expect(got[p], `${h}:${BASE}/${p}`).toEqual(want[p]);
      }
    });

    it('the recaps count alike (ok, changed, skipped per host)', () => {
      const a = ansibleRecap(o.ans.stdout);
      const b = summaryOf(o.rb.stdout).recap;
      for (const h of HOSTS) expect(pick(b[h]), h).toEqual(pick(a[h]));
    });

    it('a rerun of runbook changes nothing', async () => {
      const r = await runbook(['run', PLAYBOOK, '-i', o.labB.inventoryPath, '-o', 'json'], { timeoutMs: 240_000 });
      const s = summaryOf(r.stdout);
      expect(s.exit_code, r.stderr).toBe(0);
      for (const h of HOSTS) expect(s.recap[h], h).toMatchObject({ changed: 0, failed: 0 });
    });
  },
);
