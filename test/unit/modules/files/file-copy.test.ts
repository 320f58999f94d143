import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { copy } from '../../../../src/modules/copy.js';
import { treeBase } from '../../../../src/modules/copy-tree.js';
import { file } from '../../../../src/modules/file.js';
import { template } from '../../../../src/modules/template.js';
import { at, dirLine, fakeCtx, fakeProbe, fileLine, type Reply, sha, stats } from '../fake-probe.js';

const cmds = (steps: unknown) =>
  (steps as { kind: string; cmd?: string; dest?: string }[]).map((s) => (s.kind === 'exec' ? s.cmd : `upload ${s.dest}`));

describe('file: recurse', () => {
  const p = file.parse({ path: '/srv/app', state: 'directory', recurse: true, mode: '0750', owner: 'www' }, at);
  test('a tree entry differs → chmod -R and chown -R', async () => {
    const probe = fakeProbe([
      [/stat -L/, stats(dirLine('750', 'www'), dirLine())],
      [/^find \/srv\/app -mindepth 1/, '/srv/app/x\n'],
    ]);
    const plan = await file.plan(p, probe, fakeCtx());
    expect(probe.commands[1]).toBe('find /srv/app -mindepth 1 ! -type l \\( ! -perm 0750 -o ! -user www \\) -print -quit 2>&1');
    expect(cmds(plan.steps)).toEqual(['chmod -R 0750 /srv/app && chown -R -h www /srv/app']);
  });
  test('tree matches → unchanged', async () => {
    const probe = fakeProbe([
      [/stat -L/, stats(dirLine('750', 'www'), dirLine())],
      [/^find /, ''],
    ]);
    expect((await file.plan(p, probe, fakeCtx())).changed).toBe(false);
  });
  test('recurse needs state=directory: given another, refused at load; not given, the path must be a directory or absent', async () => {
    expect(() => file.parse({ path: '/x', recurse: true, state: 'file' }, at)).toThrow("recurse option requires state to be 'directory'");
    const onFile = await file.plan(
      file.parse({ path: '/x', recurse: true }, at),
      fakeProbe([[/stat -L/, stats(fileLine('x'), dirLine())]]),
      fakeCtx(),
    );
    expect(onFile.failed).toBe("recurse option requires state to be 'directory'");
    const absent = await file.plan(
      file.parse({ path: '/x', recurse: true, mode: '0750' }, at),
      fakeProbe([
        [/stat -L/, stats('absent', dirLine())],
        [/^find /, ''],
      ]),
      fakeCtx(),
    );
    expect(cmds(absent.steps)).toEqual(['mkdir -p -- /x && chmod 0750 /x']);
  });
});

describe('file: state=hard', () => {
  const p = file.parse({ path: '/b', src: '/a', state: 'hard' }, at);
  const run = (statLines: string, inodes: string) =>
    file.plan(
      p,
      fakeProbe([
        [/^if /, statLines],
        [/^stat -c '%d:%i'/, inodes],
      ]),
      fakeCtx(),
    );
  test('absent → ln', async () => expect(cmds((await run(stats('absent', dirLine()), '1:5\nmissing\n')).steps)).toEqual(['ln -- /a /b']));
  test('same inode → unchanged', async () => expect((await run(stats(fileLine('x'), dirLine()), '1:5\n1:5\n')).changed).toBe(false));
  test('another file, no force → failed', async () =>
    expect((await run(stats(fileLine('x'), dirLine()), '1:5\n1:6\n')).failed).toContain('set force: true'));
  test('missing src → failed', async () =>
    expect((await run(stats('absent', dirLine()), 'missing\nmissing\n')).failed).toBe('src /a does not exist'));
  test('src needed', () => expect(() => file.parse({ path: '/b', state: 'hard' }, at)).toThrow('state=hard needs src'));
});

describe('file: modification_time / access_time', () => {
  const stamp = '202401021200.00';
  const secs = new Date(2024, 0, 2, 12, 0, 0).getTime() / 1000;
  test.each([
    [{ modification_time: 'now' }, undefined, ['touch -m -- /f']],
    [{ modification_time: stamp }, `${secs + 1} 0`, [`touch -m -t ${stamp} -- /f`]],
    [{ modification_time: stamp }, `${secs} 0`, []],
    [{ access_time: stamp, modification_time: 'preserve' }, `0 ${secs}`, []],
  ])('%j', async (args, now, want) => {
    const script: [RegExp, Reply][] = [[/stat -L/, stats(fileLine('x'), dirLine())]];
    if (now) script.push([/^stat -c '%Y %X'/, now]);
    const plan = await file.plan(file.parse({ path: '/f', ...args }, at), fakeProbe(script), fakeCtx());
    expect(plan.steps ? cmds(plan.steps) : []).toEqual(want);
  });
  test('another format is refused', () =>
    expect(() => file.parse({ path: '/f', modification_time: '2024-01-01' }, at)).toThrow('YYYYMMDDhhmm.SS'));
});

describe('copy: directory src', () => {
  const root = mkdtempSync(join(tmpdir(), 'copytree-'));
  mkdirSync(join(root, 'tree/sub'), { recursive: true });
  writeFileSync(join(root, 'tree/a'), 'A');
  writeFileSync(join(root, 'tree/sub/b'), 'B');
  const ctx = fakeCtx({ localPath: (p) => join(root, p) });
  test.each([
    ['tree/', '/d', '/d'],
    ['tree', '/d', '/d/tree'],
    ['tree', '/d/', '/d/tree'],
  ])('treeBase(%s, %s) = %s', (src, dest, want) => expect(treeBase(src, dest)).toBe(want));
  test('fresh host: directories made with directory_mode, each file uploaded', async () => {
    const probe = fakeProbe([[/stat -L/, stats('absent', 'absent', 'absent', 'absent')]]);
    const plan = await copy.plan(copy.parse({ src: 'tree/', dest: '/d', directory_mode: '0750', mode: '0600' }, at), probe, ctx);
    expect(cmds(plan.steps)).toEqual([
      'mkdir -p -- /d && chmod 0750 /d && mkdir -p -- /d/sub && chmod 0750 /d/sub',
      'upload /d/a',
      'upload /d/sub/b',
    ]);
    expect(plan.steps?.[1]).toMatchObject({ mode: '0600', content: Buffer.from('A') });
  });
  test('all in place → unchanged', async () => {
    const probe = fakeProbe([[/stat -L/, stats(dirLine(), dirLine(), fileLine('A'), fileLine('B'))]]);
    const plan = await copy.plan(copy.parse({ src: 'tree', dest: '/d' }, at), probe, ctx);
    expect(plan).toMatchObject({ changed: false, result: { dest: '/d/tree/' } });
  });
});

describe('copy: remote_src', () => {
  const p = copy.parse({ src: '/etc/a', dest: '/etc/b', remote_src: true, mode: '0600' }, at);
  test('differs → cp to a temporary name, chmod, mv', async () => {
    const probe = fakeProbe([
      [/@@dir/, '@@file\n\n'],
      [/stat -L/, stats(fileLine('new'), fileLine('old'), dirLine(), 'absent')],
    ]);
    const steps = cmds((await copy.plan(p, probe, fakeCtx())).steps);
    expect(steps[0]).toMatch(
      /^cp -- \/etc\/a \/etc\/\.b\.runbook-cp-\w+ && chmod 0600 \/etc\/\.b\.runbook-cp-\w+ && chown root:root -- \/etc\/\.b\.runbook-cp-\w+$/,
    );
    expect(steps[1]).toMatch(/^mv -f -- \/etc\/\.b\.runbook-cp-\w+ \/etc\/b$/);
  });
  test('same content and mode → unchanged', async () => {
    const probe = fakeProbe([
      [/@@dir/, '@@file\n\n'],
      [/stat -L/, stats(fileLine('x'), fileLine('x', '600'), dirLine(), 'absent')],
    ]);
    expect(await copy.plan(p, probe, fakeCtx())).toMatchObject({ changed: false, result: { checksum: sha('x') } });
  });
  test('directory: diff -rq decides, cp -R copies', async () => {
    const q = copy.parse({ src: '/srv/site/', dest: '/var/www', remote_src: true }, at);
    const probe = fakeProbe([
      [/@@dir/, '@@dir\n\n'],
      [/^diff -rq/, ''],
    ]);
    expect(cmds((await copy.plan(q, probe, fakeCtx())).steps)).toEqual(['mkdir -p -- /var/www && cp -R -- /srv/site/. /var/www']);
  });
});

// mode: preserve (copy and template, as Ansible): the file lands with its source's own mode
describe('copy / template: mode preserve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-preserve-'));
  writeFileSync(join(dir, 's.sh'), 'hi\n', { mode: 0o750 });
  const ctx = fakeCtx({ readLocal: () => Buffer.from('hi\n'), localPath: (p) => join(dir, p), renderFile: () => 'hi\n' });
  test('a controller file: its mode (here 0750) goes with the upload', async () => {
    const probe = fakeProbe([[/stat -L/, stats('absent', dirLine(), 'absent')]]);
    const plan = await copy.plan(copy.parse({ src: 's.sh', dest: '/usr/local/bin/s.sh', mode: 'preserve' }, at), probe, ctx);
    expect(plan.steps).toMatchObject([{ kind: 'upload', dest: '/usr/local/bin/s.sh', mode: '0750' }]);
  });
  test('an existing file with that mode and content is unchanged; with another mode it is chmod-ed', async () => {
    const same = fakeProbe([[/stat -L/, stats(fileLine('hi\n', '750'), dirLine(), 'absent')]]);
    expect((await copy.plan(copy.parse({ src: 's.sh', dest: '/b/s.sh', mode: 'preserve' }, at), same, ctx)).changed).toBe(false);
    const other = fakeProbe([[/stat -L/, stats(fileLine('hi\n', '644'), dirLine(), 'absent')]]);
    expect(cmds((await copy.plan(copy.parse({ src: 's.sh', dest: '/b/s.sh', mode: 'preserve' }, at), other, ctx)).steps)).toEqual([
      'chmod 0750 /b/s.sh',
    ]);
  });
  test("template: the template file's mode", async () => {
    const probe = fakeProbe([[/stat -L/, stats('absent', dirLine(), 'absent')]]);
    const plan = await template.plan(template.parse({ src: 's.sh', dest: '/b/out', mode: 'preserve' }, at), probe, ctx);
    expect(plan.steps).toMatchObject([{ kind: 'upload', mode: '0750' }]);
  });
  test("remote_src: the host source's mode (its stat answers 711)", async () => {
    const probe = fakeProbe([
      [/@@dir/, '@@file\n\n'],
      [/stat -L/, stats(fileLine('new', '711'), 'absent', dirLine(), 'absent')],
    ]);
    const steps = cmds(
      (await copy.plan(copy.parse({ src: '/etc/a', dest: '/etc/b', remote_src: true, mode: 'preserve' }, at), probe, fakeCtx())).steps,
    );
    expect(steps[0]).toMatch(/&& chmod 0711 \/etc\/\.b\.runbook-cp-\w+$/);
  });
  test("remote_src directory: cp keeps each file's mode", async () => {
    const q = copy.parse({ src: '/srv/site/', dest: '/var/www', remote_src: true, mode: 'preserve' }, at);
    const probe = fakeProbe([
      [/@@dir/, '@@dir\n\n'],
      [/^diff -rq/, ''],
    ]);
    expect(cmds((await copy.plan(q, probe, fakeCtx())).steps)).toEqual([
      'mkdir -p -- /var/www && cp -R --preserve=mode -- /srv/site/. /var/www',
    ]);
  });
  test('with content there is no source mode: refused, naming what to give', () => {
    expect(() => copy.parse({ content: 'x', dest: '/b', mode: 'preserve' }, at)).toThrow('mode: preserve needs src');
    expect(() => file.parse({ path: '/b', mode: 'preserve' }, at)).toThrow('an octal mode such as "0644"');
  });
});

describe('copy / template: validate', () => {
  test('copy: upload to a temporary name, validate, rename', async () => {
    const probe = fakeProbe([[/stat -L/, stats(fileLine('old'), dirLine())]]);
    const plan = await copy.plan(copy.parse({ content: 'new', dest: '/etc/sudoers.d/x', validate: 'visudo -cf %s' }, at), probe, fakeCtx());
    const steps = cmds(plan.steps);
    expect(steps[0]).toMatch(/^upload \/etc\/sudoers\.d\/\.x\.runbook-validate-\w{8}$/);
    expect(steps[1]).toMatch(/^\{ visudo -cf \/etc\/sudoers\.d\/\.x\.runbook-validate-\w{8}\n\} \|\| \{ r=\$\?; rm -f -- /);
    expect(steps[2]).toMatch(/^mv -f -- \/etc\/sudoers\.d\/\.x\.runbook-validate-\w{8} \/etc\/sudoers\.d\/x$/);
  });
  test('unchanged content → validate never runs', async () => {
    const probe = fakeProbe([[/stat -L/, stats(fileLine('same'), dirLine())]]);
    const plan = await copy.plan(copy.parse({ content: 'same', dest: '/f', validate: 'false %s' }, at), probe, fakeCtx());
    expect(plan.changed).toBe(false);
  });
  test('template: validate and backup', async () => {
    const probe = fakeProbe([[/stat -L/, stats(fileLine('old'), dirLine(), 'absent')]]);
    const ctx = fakeCtx({ renderFile: () => 'rendered\n' });
    const plan = await template.plan(template.parse({ src: 'x.j2', dest: '/etc/x', validate: 'test -s %s', backup: true }, at), probe, ctx);
    const steps = cmds(plan.steps);
    expect(steps).toHaveLength(4);
    expect(steps[1]).toContain('test -s /etc/.x.runbook-validate-');
    expect(steps[2]).toContain('cp -p -- /etc/x /etc/x.');
  });
});
