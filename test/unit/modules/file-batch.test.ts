// file/lineinfile/copy loops merged into one script: each item's plan from scripted probe replies, the merged
// script out, and that script run by a real sh on a scratch directory (what the "host" holds afterwards).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copy } from '../../../src/modules/copy.js';
import { file } from '../../../src/modules/file.js';
import { type FileBatch, mergeFileSteps } from '../../../src/modules/file-batch.js';
import { lineinfile } from '../../../src/modules/lineinfile.js';
import type { ModuleDef, Plan, Step } from '../../../src/modules/types.js';
import { at, dirLine, fakeCtx, fakeProbe, fileLine, stats } from './fake-probe.js';

async function plansOf<P>(
  def: ModuleDef<P>,
  items: object[],
  probeFor: (args: Record<string, string>) => ReturnType<typeof fakeProbe>,
): Promise<Plan[]> {
  const out: Plan[] = [];
  for (const args of items) out.push(await def.plan(def.parse(args, at), probeFor(args as Record<string, string>), fakeCtx()));
  return out;
}
const run = (steps: Step[]) => {
  const [s] = steps;
  if (s.kind !== 'exec') throw new Error('expected one script');
  return spawnSync('sh', ['-c', s.cmd], { encoding: 'utf8' });
};

describe('file loops: one script', () => {
  it('lineinfile on three files: each item is planned alone, the merged script writes all three', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-fb-'));
    const paths = ['a.conf', 'b.conf', 'c.conf'].map((f) => join(dir, f));
    writeFileSync(paths[0], 'x=1\n');
    writeFileSync(paths[2], "it's=here\n");
    const items = paths.map((path) => ({ path, line: 'managed=yes', create: true, mode: '0640' }));
    const plans = await plansOf(lineinfile, items, ({ path }) => {
      const have = existsSync(path) ? readFileSync(path, 'utf8') : null;
      return fakeProbe(
        [[/stat -L/, stats(have === null ? 'absent' : fileLine(have, '644'), dirLine())]],
        have === null ? {} : { [path]: have },
      );
    });
    expect(plans.map((p) => p.note)).toEqual(['line added', 'line added', 'line added']);
    const steps = lineinfile.merge!(plans.map((p) => p.batch))!;
    expect(steps).toHaveLength(1);
    const r = run(steps);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(paths.map((p) => readFileSync(p, 'utf8'))).toEqual(['x=1\nmanaged=yes\n', 'managed=yes\n', "it's=here\nmanaged=yes\n"]);
    expect(paths.map((p) => (statSync(p).mode & 0o777).toString(8))).toEqual(['640', '640', '640']);
  });

  it('file state=directory and copy: commands and uploads in item order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-fb-'));
    const dirs = await plansOf(
      file,
      [
        { path: join(dir, 'x'), state: 'directory', mode: '0750' },
        { path: join(dir, 'y'), state: 'directory' },
      ],
      () => fakeProbe([[/stat/, stats('absent', dirLine())]]),
    );
    const files = await plansOf(
      copy,
      [
        { dest: join(dir, 'x.txt'), content: 'one\n' },
        { dest: join(dir, 'bin.dat'), content: '\u0000\u00ff' },
      ],
      () => fakeProbe([[/stat -L/, stats('absent', dirLine())]]),
    );
    const r = run(mergeFileSteps([...dirs, ...files].map((p) => p.batch as FileBatch))!);
    expect(r.status).toBe(0);
    expect((statSync(join(dir, 'x')).mode & 0o777).toString(8)).toBe('750');
    expect(statSync(join(dir, 'y')).isDirectory()).toBe(true);
    expect(readFileSync(join(dir, 'x.txt'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(dir, 'bin.dat'))).toEqual(Buffer.from('\u0000\u00ff', 'utf8'));
  });

  it('stops at the first failing step and says why (the executor then applies item by item to name it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-fb-'));
    const steps = mergeFileSteps([
      { paths: [join(dir, 'a')], steps: [{ kind: 'exec', cmd: `mkdir -- ${join(dir, 'a')}` }] },
      { paths: [join(dir, 'b')], steps: [{ kind: 'exec', cmd: `mkdir -- ${join(dir, 'nope', 'b')}` }] },
      { paths: [join(dir, 'c')], steps: [{ kind: 'upload', dest: join(dir, 'c'), content: Buffer.from('c') }] },
    ])!;
    const r = run(steps);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/nope/);
    expect(existsSync(join(dir, 'a'))).toBe(true);
    expect(existsSync(join(dir, 'c'))).toBe(false);
  });

  it('an `exit 0` inside one step ends that step only, as in its own exec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-fb-'));
    const r = run(
      mergeFileSteps([
        { paths: [join(dir, 'a')], steps: [{ kind: 'exec', cmd: 'exit 0' }] },
        { paths: [join(dir, 'b')], steps: [{ kind: 'exec', cmd: `mkdir -- ${join(dir, 'b')}` }] },
      ])!,
    );
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'b'))).toBe(true);
  });

  it.each<[string, string[][]]>([
    ['the same path twice', [['/etc/a.conf'], ['/etc/a.conf']]],
    ['a path inside another item’s directory', [['/srv/app'], ['/srv/app/conf']]],
  ])('%s: applied one by one (undefined)', (_, paths) => {
    expect(mergeFileSteps(paths.map((p) => ({ paths: p, steps: [{ kind: 'exec', cmd: 'true' }] })))).toBeUndefined();
  });

  it('siblings with a common prefix are not nested: /srv/app and /srv/app2 merge', () => {
    expect(
      mergeFileSteps([
        { paths: ['/srv/app'], steps: [{ kind: 'exec', cmd: 'true' }] },
        { paths: ['/srv/app2'], steps: [{ kind: 'exec', cmd: 'true' }] },
      ]),
    ).toHaveLength(1);
  });

  it('links and validated copies are never merged', async () => {
    const link = await plansOf(file, [{ path: '/tmp/l', src: '/etc/hosts', state: 'link' }], () =>
      fakeProbe([[/stat/, stats('absent', dirLine())]]),
    );
    const checked = await plansOf(copy, [{ dest: '/etc/x', content: 'x', validate: 'true %s' }], () =>
      fakeProbe([[/stat -L/, stats('absent', dirLine())]]),
    );
    expect([...link, ...checked].map((p) => [p.changed, p.batch])).toEqual([
      [true, undefined],
      [true, undefined],
    ]);
  });
});
