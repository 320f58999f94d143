import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fetch, fetchDest } from '../../../../src/modules/files/fetch.js';
import { find, fnmatch, parseEntries, select } from '../../../../src/modules/files/find.js';
import { slurp } from '../../../../src/modules/files/slurp.js';
import { parseStatProbe, stat, statProbe } from '../../../../src/modules/files/stat.js';
import { tempfile } from '../../../../src/modules/files/tempfile.js';
import { firstDifference, kindOf, parseDest, parseListing, unarchive } from '../../../../src/modules/files/unarchive.js';
import { at, fakeCtx, fakeProbe } from '../fake-probe.js';

const statArgs = (o: object = {}) => stat.parse({ path: '/etc/motd', ...o }, at);

describe('stat', () => {
  test('one probe command: stat, link, access, checksum (sha1), attributes', () => {
    const c = statProbe(statArgs());
    expect(c).toContain("stat -c '%f|");
    expect(c).toContain('sha1sum < /etc/motd');
    expect(c).toContain('lsattr -d -- /etc/motd');
    expect(c).not.toContain('file -b');
    expect(statProbe(statArgs({ follow: true, checksum_algorithm: 'sha256', get_mime: true }))).toMatch(
      /stat -L -c .*sha256sum .*file -b --mime-type/,
    );
  });
  test.each([
    [
      'regular file',
      '@@stat\n81a4|0|0|root|root|6|12|34|1|1700000000.5|1700000001.25|1700000002.0|8|4096|0|0\n@@access\nrw\n@@checksum\nabc  -\n@@attr\n--------------e------- /etc/motd\n',
      {
        exists: true,
        path: '/etc/motd',
        mode: '0644',
        isreg: true,
        isdir: false,
        islnk: false,
        size: 6,
        uid: 0,
        pw_name: 'root',
        mtime: 1700000001.25,
        readable: true,
        writeable: true,
        executable: false,
        rusr: true,
        xusr: false,
        roth: true,
        checksum: 'abc',
        attributes: ['extents'],
      },
    ],
    [
      'directory',
      '@@stat\n41ed|0|0|root|root|4096|1|1|2|1|1|1|8|4096|0|0\n@@access\nrwx\n',
      { mode: '0755', isdir: true, isreg: false, executable: true },
    ],
    [
      'symlink, not followed',
      '@@stat\na1ff|0|0|root|root|6|1|1|1|1|1|1|0|4096|0|0\n@@link\nmotd.real\n/etc/motd.real\n@@access\nrw\n@@checksum\nabc  -\n',
      { islnk: true, lnk_target: 'motd.real', lnk_source: '/etc/motd.real', mode: '0777' },
    ],
    ['setuid', '@@stat\n89ed|0|0|root|root|1|1|1|1|1|1|1|0|4096|0|0\n@@access\nr\n', { mode: '4755', isuid: true, isgid: false }],
  ])('%s', (_n, out, want) => expect(parseStatProbe(statArgs(), out)).toMatchObject(want));
  test('a link has no checksum (lstat is not a regular file)', () =>
    expect(
      parseStatProbe(statArgs(), '@@stat\na1ff|0|0|root|root|6|1|1|1|1|1|1|0|4096|0|0\n@@checksum\nabc  -\n').checksum,
    ).toBeUndefined());
  test('absent → exists: false, never changed', async () => {
    const plan = await stat.plan(statArgs(), fakeProbe([[/^echo @@stat/, '@@stat\n@@access\n\n']]), fakeCtx());
    expect(plan).toEqual({ changed: false, note: '/etc/motd is absent', result: { stat: { exists: false } } });
  });
  test('unknown checksum algorithm refused', () => expect(() => statArgs({ checksum_algorithm: 'crc' })).toThrow('must be one of'));
});

describe('slurp', () => {
  test('content base64', async () => {
    const plan = await slurp.plan(slurp.parse({ src: '/etc/hostname' }, at), fakeProbe([], { '/etc/hostname': 'h1\n' }), fakeCtx());
    expect(plan.result).toEqual({ content: Buffer.from('h1\n').toString('base64'), source: '/etc/hostname', encoding: 'base64' });
    expect(plan.changed).toBe(false);
  });
  test('missing file fails', async () => {
    const plan = await slurp.plan(slurp.parse({ path: '/nope' }, at), fakeProbe([], { '/nope': null }), fakeCtx());
    expect(plan.failed).toBe('file not found: /nope');
  });
});

describe('fetch', () => {
  const ctx = (baseDir: string) => fakeCtx({ baseDir, vars: { inventory_hostname: 'h1' } });
  test.each([
    [{ src: '/etc/x.conf', dest: 'out' }, '/play/out/h1/etc/x.conf'],
    [{ src: '/etc/x.conf', dest: 'out/', flat: true }, '/play/out/x.conf'],
    [{ src: '/etc/x.conf', dest: '/abs/y', flat: true }, '/abs/y'],
  ])('%j → %s', (args, want) => expect(fetchDest(fetch.parse(args, at), ctx('/play'))).toBe(want));
  const sha1 = '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed'; // "hello world"
  test('differs → download and a local-write step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fetch-'));
    const probe = fakeProbe([[/sha1sum/, `@@sha1\n${sha1}  -\n`]], { '/etc/x': 'hello world' });
    const plan = await fetch.plan(fetch.parse({ src: '/etc/x', dest: 'o' }, at), probe, ctx(dir));
    expect(plan.steps).toEqual([{ kind: 'local-write', path: join(dir, 'o/h1/etc/x'), content: Buffer.from('hello world') }]);
    expect(plan.result).toMatchObject({ checksum: sha1, remote_checksum: sha1 });
  });
  test('same checksum → nothing read, unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fetch-'));
    writeFileSync(join(dir, 'x'), 'hello world');
    const probe = fakeProbe([[/sha1sum/, `@@sha1\n${sha1}  -\n`]]);
    const plan = await fetch.plan(fetch.parse({ src: '/etc/x', dest: 'x', flat: true }, at), probe, ctx(dir));
    expect(plan.changed).toBe(false);
    expect(probe.reads).toEqual([]);
    expect(readFileSync(join(dir, 'x'), 'utf8')).toBe('hello world');
  });
  test('checksum mismatch after download fails', async () => {
    const probe = fakeProbe([[/sha1sum/, `@@sha1\n${sha1}  -\n`]], { '/etc/x': 'changed meanwhile' });
    const plan = await fetch.plan(fetch.parse({ src: '/etc/x', dest: 'o' }, at), probe, ctx(mkdtempSync(join(tmpdir(), 'fetch-'))));
    expect(plan.failed).toBe('checksum mismatch');
  });
  test.each([
    [true, { failed: 'the remote file does not exist, not transferring' }],
    [false, { changed: false, note: 'the remote file does not exist, not transferring' }],
  ])('missing with fail_on_missing=%s', async (fom, want) => {
    const plan = await fetch.plan(
      fetch.parse({ src: '/x', dest: 'o', fail_on_missing: fom }, at),
      fakeProbe([[/sha1sum/, '@@missing\n\n']]),
      ctx('/p'),
    );
    expect(plan).toMatchObject(want);
  });
  test('a directory fails', async () => {
    const plan = await fetch.plan(fetch.parse({ src: '/etc', dest: 'o' }, at), fakeProbe([[/sha1sum/, '@@dir\n\n']]), ctx('/p'));
    expect(plan.failed).toBe('remote file is a directory, fetch cannot work on directories');
  });
});

describe('tempfile', () => {
  test('file: created with set -C under umask 077, always changed', async () => {
    const plan = await tempfile.plan(tempfile.parse({ suffix: '.x' }, at), fakeProbe(), fakeCtx());
    expect(plan.changed).toBe(true);
    const path = plan.result?.path as string;
    expect(path).toMatch(/^\/tmp\/ansible\.[a-z0-9_]{8}\.x$/);
    expect(plan.steps).toEqual([{ kind: 'exec', cmd: `(umask 077 && set -C && : > ${path})` }]);
  });
  test('directory in path with prefix', async () => {
    const plan = await tempfile.plan(tempfile.parse({ state: 'directory', path: '/var/tmp', prefix: 'b.' }, at), fakeProbe(), fakeCtx());
    expect(plan.steps?.[0]).toMatchObject({ kind: 'exec', cmd: expect.stringMatching(/^mkdir -m 0700 -- \/var\/tmp\/b\.\w{8}$/) });
  });
  test('check mode: skipped as Ansible (no check-mode support)', async () => {
    const plan = await tempfile.plan(tempfile.parse({}, at), fakeProbe(), fakeCtx({ check: true }));
    expect(plan.skipped).toBeDefined();
  });
  test('a slash in prefix is refused', () => expect(() => tempfile.parse({ prefix: 'a/b' }, at)).toThrow('must not contain "/"'));
});

const rec = (type: string, mode: string, size: number, mtime: number, path: string) =>
  `${type}\t${mode}\t0\t0\troot\troot\t${size}\t1\t1\t1\t${mtime}\t${mtime}\t${mtime}\t${path}\0`;

describe('find', () => {
  test.each([
    ['a.conf', '*.conf', true],
    ['a.conf', 'a.?onf', true],
    ['a.conf', '[ab].conf', true],
    ['c.conf', '[!ab].conf', true],
    ['a.conf.bak', '*.conf', false],
  ])('fnmatch(%s, %s) = %s', (name, pat, want) => expect(fnmatch(name, pat)).toBe(want));
  const entries = parseEntries(
    `${rec('f', '644', 10, 100, '/d/a.conf') + rec('f', '600', 2000, 900, '/d/b.txt') + rec('d', '755', 4096, 100, '/d/sub') + rec('f', '644', 1, 100, '/d/.hidden.conf') + rec('l', '777', 5, 100, '/d/link.conf')}\n`,
  );
  const args = (o: object) => find.parse({ paths: '/d', ...o }, at);
  test('parsed entries carry statinfo keys', () => {
    expect(entries).toHaveLength(5);
    expect(entries[1]).toMatchObject({
      path: '/d/b.txt',
      mode: '0600',
      isreg: true,
      size: 2000,
      mtime: 900,
      pw_name: 'root',
      rusr: true,
      roth: false,
    });
  });
  test.each([
    [{}, ['/d/a.conf', '/d/b.txt']],
    [{ patterns: '*.conf' }, ['/d/a.conf']],
    [{ patterns: '*.conf', hidden: true }, ['/d/a.conf', '/d/.hidden.conf']],
    [{ file_type: 'directory' }, ['/d/sub']],
    [{ file_type: 'link' }, ['/d/link.conf']],
    [{ file_type: 'any', excludes: '*.conf' }, ['/d/b.txt', '/d/sub']],
    [{ size: '1k' }, ['/d/b.txt']],
    [{ size: '-100b' }, ['/d/a.conf']],
    [{ age: '10m' }, ['/d/a.conf']],
    [{ age: '-10m' }, ['/d/b.txt']],
    [{ patterns: 'a\\.', use_regex: true }, ['/d/a.conf']],
  ])('%j', (o, want) => expect(select(entries, args(o), 1000).map((e) => e.path)).toEqual(want));
  test('bad age refused', () => expect(() => args({ age: '2 days' })).toThrow('failed to process age'));
  test('plan: one probe for all paths, contains reads candidates, a non-directory is skipped', async () => {
    const probe = fakeProbe(
      [[/^echo @@now/, `@@now\n1000\n@@p0\n${rec('f', '644', 10, 100, '/d/a.conf')}${rec('f', '644', 10, 100, '/d/b.conf')}\n@@skip1\n\n`]],
      {
        '/d/a.conf': 'x\nport = 1\n',
        '/d/b.conf': 'nope\n',
      },
    );
    const plan = await find.plan(find.parse({ paths: ['/d', '/f'], contains: 'port' }, at), probe, fakeCtx());
    expect(probe.commands).toHaveLength(1);
    expect(probe.commands[0]).toContain("find /d -mindepth 1 -maxdepth 1 -printf '%y");
    expect(plan.result).toMatchObject({ matched: 1, examined: 2, skipped_paths: { '/f': "'/f' is not a directory" } });
    expect((plan.result!.files as { path: string }[]).map((f) => f.path)).toEqual(['/d/a.conf']);
  });
  test('recurse with depth', () => {
    const c = find.parse({ paths: '/d', recurse: true, depth: 2 }, at);
    expect(c.depth).toBe(2);
  });
});

describe('unarchive', () => {
  const TAR = [
    'drwxr-xr-x 0/0               0 2024-01-02 03:04:05 ./',
    'drwxr-xr-x 0/0               0 2024-01-02 03:04:05 ./bundle/',
    '-rw-r--r-- 0/0               4 2024-01-02 03:04:05 ./bundle/a b.txt',
    'lrwxrwxrwx 0/0               0 2024-01-02 03:04:05 ./bundle/l -> a b.txt',
  ].join('\n');
  const members = parseListing('tar', TAR);
  test('tar listing: ./ dropped, links named without their target, UTC mtimes', () =>
    expect(members).toEqual([
      { name: 'bundle', type: 'dir', size: 0, mtime: 1704164645 },
      { name: 'bundle/a b.txt', type: 'file', size: 4, mtime: 1704164645 },
      { name: 'bundle/l', type: 'link', size: 0, mtime: 1704164645 },
    ]));
  test('zip listing', () =>
    expect(
      parseListing(
        'zip',
        'Archive:  z.zip\n-rw-r--r--  3.0 unx        6 tx stor 20261130.140814 d/a.txt\ndrwxr-xr-x  3.0 unx        0 bx stor 20261130.140814 d/\n',
      ),
    ).toEqual([
      { name: 'd/a.txt', type: 'file', size: 6 },
      { name: 'd', type: 'dir', size: 0 },
    ]));
  test('zip magic', () => {
    expect(kindOf(Buffer.from('PK\x03\x04'))).toBe('zip');
    expect(kindOf(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('tar');
  });
  const have = (extra = '') =>
    parseDest(
      `d\t4096\t1\troot\troot\t0\t0\t755\t./bundle\0f\t4\t1704164645.0\troot\troot\t0\t0\t644\t./bundle/a b.txt\0l\t7\t5\troot\troot\t0\t0\t777\t./bundle/l\0${extra}`,
    );
  const none = { exclude: [] as string[] };
  test('all members in place → no difference', () => expect(firstDifference(members, have(), none)).toBeUndefined());
  test.each([
    ['size', parseListing('tar', TAR.replace('  4 2024', '  5 2024')), 'bundle/a b.txt: size differs'],
    [
      'mtime',
      parseListing('tar', TAR.replace('2024-01-02 03:04:05 ./bundle/a', '2024-01-02 03:04:06 ./bundle/a')),
      'bundle/a b.txt: mod time differs',
    ],
    ['missing', [...members, { name: 'bundle/new', type: 'file' as const, size: 1 }], 'bundle/new does not exist'],
  ])('%s differs', (_n, ms, why) => expect(firstDifference(ms, have(), none)).toBe(why));
  test('owner is compared when given', () =>
    expect(firstDifference(members, have(), { ...none, owner: 'www' })).toBe('bundle: owner differs'));
  test('mode is compared when given (links aside), and applied with chmod -R after unpacking', async () => {
    expect(firstDifference(members, have(), { ...none, mode: '0755' })).toBe('bundle/a b.txt: mode differs');
    expect(
      firstDifference(
        members.filter((m) => m.type === 'dir'),
        have(),
        { ...none, mode: '0755' },
      ),
    ).toBeUndefined();
    const p = unarchive.parse({ src: '/tmp/a.tgz', dest: '/opt/x', remote_src: true, mode: '0755' }, at);
    const probe = fakeProbe([
      [/@@dest/, '@@dest\n\n@@magic\n 1f 8b 08 00\n'],
      [/^TZ=UTC tar -tv/, TAR],
      [/^cd \/opt\/x && \{ find/, ''],
    ]);
    const plan = await unarchive.plan(p, probe, fakeCtx());
    expect(plan.steps).toEqual([{ kind: 'exec', cmd: 'tar -x -f /tmp/a.tgz -C /opt/x && chmod -R 0755 -- /opt/x/bundle' }]);
  });
  test('excluded members are not compared', () =>
    expect(firstDifference([...members, { name: 'bundle/x', type: 'file', size: 1 }], have(), { exclude: ['bundle/x'] })).toBeUndefined());
  test('creates exists → skipped; dest missing → failed', async () => {
    const p = unarchive.parse({ src: '/tmp/a.tgz', dest: '/opt/x', remote_src: true, creates: '/opt/x/bin' }, at);
    expect(await unarchive.plan(p, fakeProbe([[/@@dest/, '@@dest\n\n@@creates\n\n']]), fakeCtx())).toMatchObject({
      skipped: 'skipped, since /opt/x/bin exists',
    });
    expect(await unarchive.plan(p, fakeProbe([[/@@dest/, '']]), fakeCtx())).toMatchObject({
      failed: "Destination '/opt/x' is not a directory",
    });
  });
  test('remote_src tar that differs → tar -x on the host', async () => {
    const p = unarchive.parse({ src: '/tmp/a.tgz', dest: '/opt/x', remote_src: true, list_files: true }, at);
    const probe = fakeProbe([
      [/@@dest/, '@@dest\n\n@@magic\n 1f 8b 08 00\n'],
      [/^TZ=UTC tar -tv/, TAR],
      [/^cd \/opt\/x && \{ find/, ''],
    ]);
    const plan = await unarchive.plan(p, probe, fakeCtx());
    expect(plan.steps).toEqual([{ kind: 'exec', cmd: 'tar -x -f /tmp/a.tgz -C /opt/x' }]);
    expect(plan.result).toMatchObject({ handler: 'TgzArchive', files: ['bundle/', 'bundle/a b.txt', 'bundle/l'] });
    expect(plan.note).toBe('unpacked (bundle does not exist)');
  });
  test('a URL src is refused', () => expect(() => unarchive.parse({ src: 'https://x/a.tgz', dest: '/d' }, at)).toThrow('not supported'));
});
