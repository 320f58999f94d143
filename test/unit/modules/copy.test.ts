import { describe, expect, it } from 'vitest';
import { copy } from '../../../src/modules/copy.js';
import { template } from '../../../src/modules/template.js';
import { at, dirLine, fakeCtx, fakeProbe, fileLine, type Reply, sha, stats } from './fake-probe.js';

const STAT = /stat -L/;
const run = async (args: unknown, reply: Reply, files: Record<string, string | null> = {}, ctx = fakeCtx()) => {
  const probe = fakeProbe([[STAT, reply]], files);
  const plan = await copy.plan(copy.parse(args, at), probe, ctx);
  return { plan, probe };
};
const up = (dest: string, content: string, extra: Record<string, unknown> = {}) => ({
  kind: 'upload',
  dest,
  content: Buffer.from(content),
  ...extra,
});

describe('copy content', () => {
  it('absent file → upload, one probe for dest + parent', async () => {
    const { plan, probe } = await run({ content: 'hi\n', dest: '/etc/motd' }, stats('absent', dirLine()));
    expect(plan).toEqual({
      changed: true,
      steps: [up('/etc/motd', 'hi\n')],
      note: 'created',
      result: { dest: '/etc/motd', checksum: sha('hi\n') },
      // what a loop of copies merges into one script (src/modules/file-batch.ts)
      batch: { paths: ['/etc/motd'], steps: [up('/etc/motd', 'hi\n')] },
    });
    expect(probe.commands).toHaveLength(1);
    expect(probe.commands[0]).toContain('[ -f /etc/motd ]');
    expect(probe.commands[0]).toContain('[ -f /etc ]');
    expect(probe.commands[0]).toContain('set -- "$@" /etc/motd');
    expect(probe.commands[0]).toContain('sha256sum -- "$@"');
  });
  it('same content → unchanged, nothing read', async () => {
    const { plan, probe } = await run({ content: 'hi\n', dest: '/etc/motd' }, stats(fileLine('hi\n'), dirLine()));
    expect(plan).toEqual({ changed: false, note: 'up to date', result: { dest: '/etc/motd', checksum: sha('hi\n') } });
    expect(probe.reads).toEqual([]);
  });
  it('same content, same mode given → unchanged', async () => {
    const { plan } = await run({ content: 'x', dest: '/f', mode: '0600' }, stats(fileLine('x', '600'), dirLine()));
    expect(plan.changed).toBe(false);
  });
  it('changed content keeps the existing mode; owner and group not asked for are left to the upload, which keeps them', async () => {
    const { plan } = await run({ content: 'new', dest: '/f' }, stats(fileLine('old', '600', 'www', 'adm'), dirLine()));
    expect(plan.steps).toEqual([up('/f', 'new', { mode: '0600' })]);
    expect(plan.note).toBe('content changed');
  });
  it('given mode/owner/group and backup go into the upload', async () => {
    const { plan } = await run(
      { content: 'new', dest: '/f', mode: 644, owner: 'root', group: 'wheel', backup: 'yes' },
      stats(fileLine('old', '600'), dirLine()),
    );
    expect(plan.steps).toEqual([up('/f', 'new', { mode: '0644', owner: 'root', group: 'wheel', backup: true })]);
  });
  it('backup is dropped when there is nothing to back up', async () => {
    const { plan } = await run({ content: 'x', dest: '/f', backup: true }, stats('absent', dirLine()));
    expect(plan.steps).toEqual([up('/f', 'x')]);
  });
  it('only mode differs → chmod', async () => {
    const { plan } = await run({ content: 'x', dest: '/f', mode: '0640' }, stats(fileLine('x', '644'), dirLine()));
    expect(plan).toMatchObject({ changed: true, steps: [{ kind: 'exec', cmd: 'chmod 0640 /f' }], note: 'mode 0644 → 0640' });
  });
  it('owner and group differ → one chown', async () => {
    const { plan } = await run({ content: 'x', dest: '/f', owner: 'bob', group: 'staff' }, stats(fileLine('x'), dirLine()));
    expect(plan.steps).toEqual([{ kind: 'exec', cmd: 'chown bob:staff /f' }]);
  });
  it('mode and group differ → chmod && chgrp', async () => {
    const { plan } = await run({ content: 'x', dest: '/f', mode: '0600', group: 'staff' }, stats(fileLine('x'), dirLine()));
    expect(plan.steps).toEqual([{ kind: 'exec', cmd: 'chmod 0600 /f && chgrp staff /f' }]);
  });
  it('numeric owner matches the uid', async () => {
    const { plan } = await run({ content: 'x', dest: '/f', owner: 0 }, stats(fileLine('x'), dirLine()));
    expect(plan.changed).toBe(false);
  });
  it('force: false leaves a differing file alone', async () => {
    const { plan } = await run({ content: 'x', dest: '/f', force: false }, stats(fileLine('y'), dirLine()));
    expect(plan.changed).toBe(false);
    expect(plan.steps).toBeUndefined();
  });
  it('missing parent → failed', async () => {
    const { plan } = await run({ content: 'x', dest: '/nope/f' }, stats('absent', 'absent'));
    expect(plan.failed).toBe('destination directory /nope does not exist');
  });
  it('missing parent in check mode → predicted change (an earlier task would create it)', async () => {
    const { plan } = await run({ content: 'x', dest: '/nope/f' }, stats('absent', 'absent'), {}, fakeCtx({ check: true }));
    expect(plan).toMatchObject({ changed: true, note: 'would create /nope/f once /nope exists' });
    expect(plan.failed).toBeUndefined();
  });
  it('dest is a directory with content → failed', async () => {
    const { plan } = await run({ content: 'x', dest: '/etc' }, stats(dirLine(), dirLine()));
    expect(plan.failed).toBe('/etc is a directory');
  });
  it('diff: old and new text, old read only because diff is on', async () => {
    const { plan, probe } = await run(
      { content: 'b\n', dest: '/f' },
      stats(fileLine('a\n'), dirLine()),
      { '/f': 'a\n' },
      fakeCtx({ diff: true }),
    );
    expect(plan.diff).toEqual([{ path: '/f', before: 'a\n', after: 'b\n' }]);
    expect(probe.reads).toEqual(['/f']);
  });
  it('diff: new file has empty before', async () => {
    const { plan } = await run({ content: 'b\n', dest: '/f' }, stats('absent', dirLine()), {}, fakeCtx({ diff: true }));
    expect(plan.diff).toEqual([{ path: '/f', before: '', after: 'b\n' }]);
  });
  it('diff: binary old content is not shown', async () => {
    const { plan } = await run({ content: 'b', dest: '/f' }, stats(fileLine('a\0'), dirLine()), { '/f': 'a\0' }, fakeCtx({ diff: true }));
    expect(plan.diff?.[0].before).toBe('(binary or large file)');
  });
  it('diff: large old file is not even read', async () => {
    const big = 'file 644 root root 0 0 999999 abc';
    const { plan, probe } = await run({ content: 'b', dest: '/f' }, stats(big, dirLine()), {}, fakeCtx({ diff: true }));
    expect(plan.diff?.[0]).toEqual({ path: '/f', before: '(binary or large file)', after: 'b' });
    expect(probe.reads).toEqual([]);
  });
  it('a failing probe throws', async () => {
    await expect(run({ content: 'x', dest: '/f' }, { code: 1, stderr: 'boom' })).rejects.toThrow('could not inspect /f, /: boom');
  });
});

describe('copy src', () => {
  const ctx = fakeCtx({ readLocal: (p) => (p === 'files/app.conf' ? Buffer.from('conf') : Buffer.from('?')) });
  it('trailing slash → dest/basename(src)', async () => {
    const { plan, probe } = await run({ src: 'files/app.conf', dest: '/etc/app/' }, stats('absent', dirLine()), {}, ctx);
    expect(plan.steps).toEqual([up('/etc/app/app.conf', 'conf')]);
    expect(probe.commands[0]).toContain('[ -f /etc/app/app.conf ]');
  });
  it('dest is a directory → dest/basename(src), stat of the child in the same probe', async () => {
    const { plan, probe } = await run({ src: 'files/app.conf', dest: '/etc/app' }, stats(dirLine(), dirLine(), fileLine('conf')), {}, ctx);
    expect(plan).toMatchObject({ changed: false, result: { dest: '/etc/app/app.conf' } });
    expect(probe.commands).toHaveLength(1);
  });
  it('dest is a file → overwritten', async () => {
    const { plan } = await run({ src: 'files/app.conf', dest: '/etc/app.conf' }, stats(fileLine('old'), dirLine(), 'absent'), {}, ctx);
    expect(plan.steps).toEqual([up('/etc/app.conf', 'conf', { mode: '0644' })]);
  });
});

describe('copy parse', () => {
  it.each([
    [{ content: 'x' }, 'missing required argument "dest"'],
    [{ dest: '/f' }, 'give one of content, src'],
    [{ dest: '/f', content: 'x', src: 'y' }, 'give only one of content, src'],
    [{ dest: '/f', content: 'x', mode: 'rw' }, 'argument "mode" must be an octal mode such as "0644", got "rw"'],
    [{ dest: '/f', content: 'x', force: 'sure' }, 'argument "force" must be a boolean'],
    [{ dest: '/f', content: 'x', dset: '/g' }, 'unknown argument "dset" for module "copy"'],
    [{ dest: '/d/', content: 'x' }, 'cannot use content with a directory as dest'],
    [{ dest: ['/f'], content: 'x' }, 'argument "dest" must be a string, got a list'],
  ])('%j', (args, msg) => expect(() => copy.parse(args, at)).toThrow(msg));
  it('unrendered templates pass', () =>
    expect(copy.parse({ dest: '{{ d }}/', content: 'x', mode: '{{ m }}', force: '{{ f }}' }, at)).toMatchObject({ mode: '{{ m }}' }));
  it('YAML 1.2 number 0644 (read as 644) means 0644', () =>
    expect(copy.parse({ dest: '/f', content: 'x', mode: 644 }, at).mode).toBe('0644'));
  it('a map as content is JSON', () => expect(copy.parse({ dest: '/f', content: { a: 1 } }, at).content).toBe('{\n  "a": 1\n}\n'));
});

describe('template', () => {
  const ctx = fakeCtx({ renderFile: (p) => `rendered ${p}\n` });
  it('renders and uploads', async () => {
    const probe = fakeProbe([[STAT, stats('absent', dirLine(), 'absent')]]);
    const plan = await template.plan(template.parse({ src: 'motd.hbs', dest: '/etc/motd', mode: '0644' }, at), probe, ctx);
    expect(plan.steps).toEqual([up('/etc/motd', 'rendered motd.hbs\n', { mode: '0644' })]);
  });
  it('matching host → unchanged', async () => {
    const probe = fakeProbe([[STAT, stats(fileLine('rendered motd.hbs\n'), dirLine(), 'absent')]]);
    const plan = await template.plan(template.parse({ src: 'motd.hbs', dest: '/etc/motd' }, at), probe, ctx);
    expect(plan.changed).toBe(false);
  });
  it.each([
    [{ dest: '/f' }, 'missing required argument "src"'],
    [{ src: 'a', dest: '/f', content: 'x' }, 'unknown argument "content" for module "template"'],
  ])('parse %j', (args, msg) => expect(() => template.parse(args, at)).toThrow(msg));
});
