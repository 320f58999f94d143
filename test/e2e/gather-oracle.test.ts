// Ansible as the oracle for gather_subset: test/fixtures/e2e/gather-subset/gather.yml (four plays, the shipped
// playbooks' narrowed list first, each writing which facts it sees and a few values) is run by ansible-playbook
// (ansible-core from Debian) on one fresh 1-host lab and by runbook on another; the files must be the same.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { ansibleRecap, HAVE_ANSIBLE, ORACLE_SKIP_WHY, oracleRun, pick, runbookFailures, summaryOf, tree } from './oracle.js';

const DIR = join(ROOT, 'test/fixtures/e2e/gather-subset');
const BASE = '/var/lib/gsub';
const o = oracleRun('gather-oracle', ['gta', 'gtb'], 1, join(DIR, 'gather.yml'), DIR);

// Skipped only without ansible-playbook (the oracle); scripts/setup.sh --tests installs ansible-core, so CI runs it.
describe.skipIf(!HAVE_ANSIBLE)(HAVE_ANSIBLE ? 'gather_subset: runbook against ansible-playbook on identical labs' : ORACLE_SKIP_WHY, () => {
  it('both run the four plays cleanly, with the same recap', () => {
    expect(o.ans.code, o.ans.stdout.slice(-3000) + o.ans.stderr).toBe(0);
    expect(o.rb.code, runbookFailures(o.rb)).toBe(0);
    expect(pick(summaryOf(o.rb.stdout).recap.h1)).toEqual(pick(ansibleRecap(o.ans.stdout).h1));
  });

  it('each play saw the same facts with the same values', () => {
    const want = tree(o.labA, 'h1', BASE);
    const got = tree(o.labB, 'h1', BASE);
    // the oracle wrote one file per play, and the narrowest play saw the distribution but not the user
    expect(Object.keys(want).filter((p) => p.endsWith('.txt'))).toHaveLength(4);
    expect(want['what-the-shipped-playbooks-gather.txt'].content).toMatch(/^os_family True$[\s\S]*^user_id False$/m);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const p of Object.keys(want)) expect(got[p], p).toEqual(want[p]);
  });
});
