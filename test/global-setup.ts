// One temporary directory for the whole test run: every test's mkdtemp(tmpdir()) lands in it (TMPDIR, read by
// os.tmpdir() in the workers and by the programs the tests start), and it goes when the run ends, so a run leaves
// nothing in /tmp however its tests clean up. Mode 1777 like /tmp itself: tests that become another user write there too.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'rb-test-run-'));
  chmodSync(root, 0o1777);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
