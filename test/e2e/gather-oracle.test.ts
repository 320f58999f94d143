// Ansible as the oracle for gather_subset: test/fixtures/e2e/gather-subset/gather.yml (four plays, the shipped
// playbooks' narrowed list first, each writing which facts it sees and a few values) is run by ansible-playbook
// (ansible-core from Debian) on one fresh 1-host lab and by runbook on another; the files must be the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, ROOT, withLab } from './helpers.js';
import { ansibleRecap, HAVE_ANSIBLE, pick, type Ran, runbookFailures, sideBySide, summaryOf, tree } from './oracle.js';

const DIR = join(ROOT, 'test/fixtures/e2e/gather-subset');
const BASE = '/var/lib/gsub';
const SKIP_WHY =
  'SKIPPED: ansible-playbook is not installed (apt-get install -y --no-install-recommends ansible-core, or bash scripts/setup.sh --tests)';

let labA: LabInfo;
let labB: LabInfo;
let work: string;
let ans: Ran;
let rb: Ran;

beforeAll(async () => {
  if (!HAVE_ANSIBLE) return;
  work = mkdtempSync(join(tmpdir(), 'rb-gsub-'));
  labA = await withLab('gsa', 1);
  labB = await withLab('gsb', 1);
  ({ ans, rb } = await sideBySide('gather-oracle', { ansible: labA, runbook: labB }, work, join(DIR, 'gather.yml'), DIR));
}, 300_000);

afterAll(async () => {
  if (!HAVE_ANSIBLE) return;
  await labDown({ name: 'gsa' });
  await labDown({ name: 'gsb' });
  rmSync(work, { recursive: true, force: true });
});

// Skipped only without ansible-playbook (the oracle); scripts/setup.sh --tests installs ansible-core, so CI runs it.
describe.skipIf(!HAVE_ANSIBLE)(HAVE_ANSIBLE ? 'gather_subset: runbook against ansible-playbook on identical labs' : SKIP_WHY, () => {
  it('both run the four plays cleanly, with the same recap', () => {
    expect(ans.code, ans.stdout.slice(-3000) + ans.stderr).toBe(0);
    expect(rb.code, runbookFailures(rb)).toBe(0);
    expect(pick(summaryOf(rb.stdout).recap.h1)).toEqual(pick(ansibleRecap(ans.stdout).h1));
  });

  it('each play saw the same facts with the same values', () => {
    const want = tree(labA, 'h1', BASE);
    const got = tree(labB, 'h1', BASE);
    // the oracle wrote one file per play, and the narrowest play saw the distribution but not the user
    expect(Object.keys(want).filter((p) => p.endsWith('.txt'))).toHaveLength(4);
    expect(want['what-the-shipped-playbooks-gather.txt'].content).toMatch(/^os_family True$[\s\S]*^user_id False$/m);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const p of Object.keys(want)) expect(got[p], p).toEqual(want[p]);
  });
});
