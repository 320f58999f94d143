import { describe, expect, test } from 'vitest';
import { blockinfile, editBlock } from '../../../../src/modules/files/blockinfile.js';
import { editIni, ini_file } from '../../../../src/modules/files/ini_file.js';
import { editReplace, replace } from '../../../../src/modules/files/replace.js';
import { at, dirLine, fakeCtx, fakeProbe, fileLine, stats } from '../fake-probe.js';

const blk = (over: object) => blockinfile.parse({ path: '/f', ...over }, at);
const rep = (over: object) => replace.parse({ path: '/f', ...over }, at);
const ini = (over: object) => ini_file.parse({ path: '/f', ...over }, at);

describe('blockinfile: editBlock', () => {
  test.each([
    ['appended at EOF', 'a\n', { block: 'x' }, 'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n', 'Block inserted'],
    [
      'EOF without final newline',
      'a',
      { block: 'x' },
      'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n',
      'Block inserted',
    ],
    [
      'BOF',
      'a\n',
      { block: 'x', insertbefore: 'BOF' },
      '# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\na\n',
      'Block inserted',
    ],
    [
      'after the last match',
      'a\nb\na\nc\n',
      { block: 'x', insertafter: '^a' },
      'a\nb\na\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\nc\n',
      'Block inserted',
    ],
    [
      'before a match',
      'a\nb\n',
      { block: 'x', insertbefore: '^b' },
      'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\nb\n',
      'Block inserted',
    ],
    [
      'no match → EOF',
      'a\n',
      { block: 'x', insertafter: '^zz' },
      'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n',
      'Block inserted',
    ],
    [
      'replaced in place',
      'a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\nb\n',
      { block: 'new' },
      'a\n# BEGIN ANSIBLE MANAGED BLOCK\nnew\n# END ANSIBLE MANAGED BLOCK\nb\n',
      'Block inserted',
    ],
    [
      'same block → unchanged',
      'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n',
      { block: 'x' },
      'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n',
      '',
    ],
    [
      'absent removes',
      'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\nb\n',
      { state: 'absent' },
      'a\nb\n',
      'Block removed',
    ],
    ['empty block removes', 'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n', { block: '' }, 'a\n', 'Block removed'],
    [
      'custom marker and marks',
      'a\n',
      { block: 'x', marker: '; {mark} managed', marker_begin: 'start', marker_end: 'stop' },
      'a\n; start managed\nx\n; stop managed\n',
      'Block inserted',
    ],
  ])('%s', (_n, before, args, after, msg) => {
    expect(editBlock(before, blk(args))).toEqual({ text: after, msg });
  });
  test('a new file', () =>
    expect(editBlock(null, blk({ block: 'x' }))).toEqual({
      text: '# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n',
      msg: 'File created',
    }));
  test('insertafter and insertbefore are exclusive', () =>
    expect(() => blk({ insertafter: 'a', insertbefore: 'b' })).toThrow('give only one of'));
  test('a bad regex is refused at load', () => expect(() => blk({ insertafter: '(' })).toThrow('not a valid regular expression'));
});

describe('blockinfile: plan', () => {
  const STAT = /stat -L/;
  test('missing file without create fails as Ansible', async () => {
    const probe = fakeProbe([[STAT, stats('absent', dirLine())]]);
    const plan = await blockinfile.plan(blk({ block: 'x' }), probe, fakeCtx());
    expect(plan).toMatchObject({ changed: false, failed: 'Path /f does not exist !' });
  });
  test('create: upload with the block, msg File created', async () => {
    const probe = fakeProbe([[STAT, stats('absent', dirLine())]]);
    const plan = await blockinfile.plan(blk({ block: 'x', create: true, mode: '0600' }), probe, fakeCtx());
    expect(plan.changed).toBe(true);
    expect(plan.steps?.[0]).toMatchObject({ kind: 'upload', dest: '/f', mode: '0600' });
    expect(plan.result?.msg).toBe('File created');
  });
  test('rerun: unchanged, nothing written', async () => {
    const text = '# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n';
    const probe = fakeProbe([[STAT, stats(fileLine(text), dirLine())]], { '/f': text });
    const plan = await blockinfile.plan(blk({ block: 'x' }), probe, fakeCtx());
    expect(plan).toMatchObject({ changed: false });
    expect(plan.steps).toBeUndefined();
  });
  test('validate: upload to a temporary name, check, rename', async () => {
    const probe = fakeProbe([[STAT, stats(fileLine('a\n'), dirLine())]], { '/f': 'a\n' });
    const plan = await blockinfile.plan(blk({ block: 'x', validate: 'check %s', backup: true }), probe, fakeCtx());
    const [up, check, backup, mv] = plan.steps ?? [];
    expect(up).toMatchObject({ kind: 'upload' });
    expect(up.kind === 'upload' && up.dest).toMatch(/^\/\.f\.runbook-validate-[0-9a-f]{8}$/);
    expect(check.kind === 'exec' && check.cmd).toMatch(/^\{ check \/\.f\.runbook-validate-/);
    expect(backup.kind === 'exec' && backup.cmd).toContain('cp -p -- /f /f.');
    expect(mv.kind === 'exec' && mv.cmd).toMatch(/^mv -f -- \/\.f\.runbook-validate-\w+ \/f$/);
  });
  test('validate without %s is refused', () => expect(() => blk({ validate: 'visudo -c' })).toThrow('validate must contain %s'));
});

describe('replace', () => {
  test.each([
    [
      'every match, multiline, backrefs',
      'colour=red\ncolour=blue\n',
      { regexp: '^colour=(\\w+)$', replace: 'color=\\1' },
      'color=red\ncolor=blue\n',
      '2 replacements made',
    ],
    ['named groups', 'a=1\n', { regexp: '(?P<k>\\w)=(?P<v>\\d)', replace: '\\g<v>=\\g<k>' }, '1=a\n', '1 replacements made'],
    ['only after', 'x\n[s]\nx\n', { regexp: 'x', replace: 'y', after: '\\[s\\]' }, 'x\n[s]\ny\n', '1 replacements made'],
    ['only before', 'x\n[s]\nx\n', { regexp: 'x', replace: 'y', before: '\\[s\\]' }, 'y\n[s]\nx\n', '1 replacements made'],
    ['between', 'x\nA\nx\nB\nx\n', { regexp: 'x', replace: 'y', after: 'A', before: 'B' }, 'x\nA\ny\nB\nx\n', '1 replacements made'],
  ])('%s', (_n, before, args, after, msg) => expect(editReplace(before, rep(args))).toEqual({ text: after, msg }));
  test('no match → unchanged', () => expect(editReplace('a\n', rep({ regexp: 'zz' }))).toEqual({ msg: '' }));
  test('replacement equal to the match → unchanged', () =>
    expect(editReplace('a\n', rep({ regexp: 'a', replace: 'a' }))).toEqual({ msg: '' }));
  test('after not matching → message, unchanged', () =>
    expect(editReplace('a\n', rep({ regexp: 'a', after: 'zz' })).msg).toBe(
      'Pattern for before/after params did not match the given file: zz(?P<subsection>.*)',
    ));
  test('missing file fails', async () => {
    const probe = fakeProbe([[/stat -L/, stats('absent', dirLine())]]);
    expect(await replace.plan(rep({ regexp: 'a' }), probe, fakeCtx())).toMatchObject({ failed: 'Path /f does not exist !' });
  });
  test('a change uploads the new text keeping the mode', async () => {
    const probe = fakeProbe([[/stat -L/, stats(fileLine('a\n', '600'), dirLine())]], { '/f': 'a\n' });
    const plan = await replace.plan(rep({ regexp: 'a', replace: 'b' }), probe, fakeCtx());
    expect(plan.steps).toEqual([{ kind: 'upload', dest: '/f', content: Buffer.from('b\n'), mode: '0600' }]);
    expect(plan.result?.msg).toBe('1 replacements made');
  });
});

describe('ini_file', () => {
  test.each([
    ['new file', null, { section: 'db', option: 'host', value: 'h' }, '[db]\nhost = h\n', 'section and option added'],
    [
      'added to its section',
      '[db]\nport = 1\n\n[web]\nx = 1\n',
      { section: 'db', option: 'host', value: 'h' },
      '[db]\nport = 1\nhost = h\n\n[web]\nx = 1\n',
      'option added',
    ],
    [
      'changed in place',
      '[db]\nhost = old\nport = 1\n',
      { section: 'db', option: 'host', value: 'h' },
      '[db]\nhost = h\nport = 1\n',
      'option changed',
    ],
    ['no_extra_spaces', '[db]\n', { section: 'db', option: 'host', value: 'h', no_extra_spaces: true }, '[db]\nhost=h\n', 'option added'],
    [
      'duplicates removed (exclusive)',
      '[db]\nhost = a\nhost = b\n',
      { section: 'db', option: 'host', value: 'b' },
      '[db]\nhost = b\n',
      'option changed',
    ],
    [
      'option removed',
      '[db]\nhost = a\nport = 1\n',
      { section: 'db', option: 'host', state: 'absent' },
      '[db]\nport = 1\n',
      'option changed',
    ],
    ['section removed', '[a]\nx = 1\n[db]\nhost = a\n', { section: 'db', state: 'absent' }, '[a]\nx = 1\n', 'section removed'],
    [
      'allow_no_value',
      '[db]\n',
      { section: 'db', option: 'skip-name-resolve', allow_no_value: true },
      '[db]\nskip-name-resolve\n',
      'option added',
    ],
    [
      'commented option is replaced',
      '[db]\n# host = x\n',
      { section: 'db', option: 'host', value: 'x' },
      '[db]\nhost = x\n',
      'option changed',
    ],
    ['global option (no section)', 'a = 1\n[s]\n', { option: 'b', value: '2' }, 'a = 1\nb = 2\n[s]\n', 'option added'],
  ])('%s', (_n, before, args, after, msg) => expect(editIni(before, ini(args))).toEqual({ text: after, msg }));
  test('same value → unchanged', () =>
    expect(editIni('[db]\nhost = h\n', ini({ section: 'db', option: 'host', value: 'h' })).text).toBeUndefined());
  test('a missing final newline is a change', () =>
    expect(editIni('[db]\nhost = h', ini({ section: 'db', option: 'host', value: 'h' })).text).toBe('[db]\nhost = h\n'));
  test('value is needed for state=present', async () => {
    const plan = await ini_file.plan(ini({ section: 'db', option: 'host' }), fakeProbe(), fakeCtx());
    expect(plan.failed).toContain("Parameter 'value(s)' must be defined");
  });
  test('create: false and a missing file fails', async () => {
    const probe = fakeProbe([[/stat -L/, stats('absent', dirLine())]]);
    const plan = await ini_file.plan(ini({ section: 'db', option: 'host', value: 'h', create: false }), probe, fakeCtx());
    expect(plan.failed).toBe('Destination /f does not exist!');
  });
  test('missing parent directory is created before the upload', async () => {
    const probe = fakeProbe([[/stat -L/, stats('absent', 'absent')]]);
    const plan = await ini_file.plan(ini({ path: '/etc/app/x.ini', section: 'db', option: 'host', value: 'h' }), probe, fakeCtx());
    expect(plan.steps?.[0]).toEqual({ kind: 'exec', cmd: 'mkdir -p -- /etc/app' });
  });
});
