import { describe, expect, it } from 'vitest';
import { lineinfile } from '../../../src/modules/lineinfile.js';
import { at, dirLine, fakeCtx, fakeProbe, fileLine, stats } from './fake-probe.js';

const P = '/etc/conf';
const run = async (before: string | null, args: Record<string, unknown>, ctx = fakeCtx(), parentExists = true) => {
  const stat = before === null ? 'absent' : fileLine(before, '640', 'root', 'adm');
  const probe = fakeProbe([[/stat -L/, stats(stat, parentExists ? dirLine() : 'absent')]], before === null ? {} : { [P]: before });
  const plan = await lineinfile.plan(lineinfile.parse({ path: P, ...args }, at), probe, ctx);
  return { plan, probe };
};
const uploaded = (plan: Awaited<ReturnType<typeof run>>['plan']) => {
  const s = plan.steps?.find((x) => x.kind === 'upload');
  return s?.kind === 'upload' ? s.content.toString() : undefined;
};

describe('lineinfile: content', () => {
  it.each([
    // [before, args, after (undefined = unchanged)]
    ['a=1\nb=2\n', { regexp: '^b=', line: 'b=3' }, 'a=1\nb=3\n'],
    ['b=1\nb=2\n', { regexp: '^b=', line: 'b=3' }, 'b=1\nb=3\n'], // last match is replaced
    ['b=1\nb=2\n', { regexp: '^b=', line: 'b=3', firstmatch: true }, 'b=3\nb=2\n'],
    ['a=1\nb=3\n', { regexp: '^b=', line: 'b=3' }, undefined],
    ['a=1\n', { regexp: '^b=', line: 'b=3' }, 'a=1\nb=3\n'], // no match → EOF
    ['a=1\nb=3\n', { regexp: '^c=', line: 'b=3' }, undefined], // no regexp match, line present
    ['a=1\n', { line: 'a=1' }, undefined],
    ['a=1\n', { line: 'b=2' }, 'a=1\nb=2\n'],
    ['a=1', { line: 'b=2' }, 'a=1\nb=2\n'], // missing final newline is added first
    ['', { line: 'x' }, 'x\n'],
    ['a\nb\n', { line: 'x', insertbefore: 'BOF' }, 'x\na\nb\n'],
    ['a\nb\n', { line: 'x', insertafter: 'BOF' }, 'x\na\nb\n'],
    ['a\nb\n', { line: 'x', insertafter: 'EOF' }, 'a\nb\nx\n'],
    ['[s]\nk=1\n[t]\n', { line: 'n=2', insertafter: '^\\[s\\]' }, '[s]\nn=2\nk=1\n[t]\n'],
    ['[s]\nn=2\n[t]\n', { line: 'n=2', insertafter: '^\\[s\\]' }, undefined],
    ['[s]\nk=1\n[t]\n', { line: 'n=2', insertbefore: '^\\[t\\]' }, '[s]\nk=1\nn=2\n[t]\n'],
    ['#a\n#b\nx\n', { line: 'n', insertafter: '^#' }, '#a\n#b\nn\nx\n'], // last insertafter match
    ['#a\n#b\nx\n', { line: 'n', insertafter: '^#', firstmatch: true }, '#a\nn\n#b\nx\n'],
    ['a\n', { line: 'n', insertafter: '^zzz' }, 'a\nn\n'], // insertafter unmatched → EOF
    ['a\n#end', { line: 'n', insertafter: '^#end' }, 'a\n#end\nn\n'],
    ['x=1\n', { regexp: '^(\\w+)=1', line: '\\1=2', backrefs: true }, 'x=2\n'],
    ['y=1\n', { regexp: '^(?P<k>\\w+)=1$', line: '\\g<k>=9', backrefs: true }, 'y=9\n'],
    ['a\n', { regexp: '^zzz(.*)', line: '\\1', backrefs: true }, undefined], // backrefs: no match, no change
    ['a=1\nb=2\na=3\n', { regexp: '^a=', state: 'absent' }, 'b=2\n'],
    ['a\nb\na\n', { line: 'a', state: 'absent' }, 'b\n'],
    ['a\nb\n', { line: 'c', state: 'absent' }, undefined],
  ])('%j %j', async (before, args, after) => {
    const { plan } = await run(before, args);
    expect(plan.failed).toBeUndefined();
    expect(plan.changed).toBe(after !== undefined);
    expect(uploaded(plan)).toBe(after);
  });
});

describe('lineinfile: plan', () => {
  it('upload keeps the file mode (its owner and group: the upload keeps them on the host)', async () => {
    const { plan } = await run('a\n', { line: 'b', backup: true });
    expect(plan).toMatchObject({
      changed: true,
      note: 'line added',
      steps: [{ kind: 'upload', dest: P, content: Buffer.from('a\nb\n'), mode: '0640', backup: true }],
    });
  });
  it('given mode wins', async () => {
    const { plan } = await run('a\n', { line: 'b', mode: '0600' });
    expect(plan.steps?.[0]).toMatchObject({ mode: '0600' });
  });
  it('unchanged content, differing mode → chmod only', async () => {
    const { plan } = await run('a\n', { line: 'a', mode: '0600' });
    expect(plan.steps).toEqual([{ kind: 'exec', cmd: 'chmod 0600 /etc/conf' }]);
  });
  it('diff reuses the content already read', async () => {
    const { plan, probe } = await run('a\n', { regexp: '^a', line: 'b' }, fakeCtx({ diff: true }));
    expect(plan.diff).toEqual([{ path: P, before: 'a\n', after: 'b\n' }]);
    expect(plan.note).toBe('line replaced');
    expect(probe.reads).toEqual([P]);
  });
  it('missing file without create → failed', async () => {
    const { plan } = await run(null, { line: 'x' });
    expect(plan).toEqual({ changed: false, failed: '/etc/conf does not exist (set create: true to create it)' });
  });
  it('missing file with create → upload of the line', async () => {
    const { plan, probe } = await run(null, { line: 'x', create: true });
    expect(plan.steps).toEqual([{ kind: 'upload', dest: P, content: Buffer.from('x\n') }]);
    // the read travels with the stat (one round trip); on a missing file it finds nothing and is ignored
    expect(probe.reads).toEqual([P]);
    expect(probe.commands).toHaveLength(1);
  });
  it('missing file and parent with create → mkdir -p first', async () => {
    const { plan } = await run(null, { line: 'x', create: true, mode: '0600' }, fakeCtx(), false);
    expect(plan.steps).toEqual([
      { kind: 'exec', cmd: 'mkdir -p -- /etc' },
      { kind: 'upload', dest: P, content: Buffer.from('x\n'), mode: '0600' },
    ]);
  });
  it('absent on a missing file → ok', async () => {
    const { plan } = await run(null, { line: 'x', state: 'absent' });
    expect(plan).toEqual({ changed: false, note: '/etc/conf does not exist' });
  });
  it('a directory → failed', async () => {
    const probe = fakeProbe([[/stat -L/, stats(dirLine(), dirLine())]]);
    const plan = await lineinfile.plan(lineinfile.parse({ path: '/etc', line: 'x' }, at), probe, fakeCtx());
    expect(plan.failed).toBe('/etc is not a regular file');
  });
});

describe('lineinfile: parse', () => {
  it.each([
    [{ line: 'x' }, 'missing required argument "path"'],
    [{ path: P }, 'missing required argument "line" (state=present)'],
    [{ path: P, state: 'absent' }, 'state=absent needs regexp or line'],
    [{ path: P, line: 'x', insertafter: 'a', insertbefore: 'b' }, 'give only one of insertafter, insertbefore'],
    [{ path: P, line: 'x', backrefs: true }, 'backrefs needs regexp'],
    [{ path: P, line: 'x', regexp: '(' }, 'argument "regexp" is not a valid regular expression'],
    [{ path: P, line: 'x', insertafter: '[' }, 'argument "insertafter" is not a valid regular expression'],
    [{ path: P, line: 'x', create: 'maybe' }, 'argument "create" must be a boolean'],
    [{ path: P, line: 'x', regxp: 'a' }, 'unknown argument "regxp" for module "lineinfile"'],
    [{ path: P, line: 'x', state: 'gone' }, 'must be one of present, absent'],
  ])('%j', (args, msg) => expect(() => lineinfile.parse(args, at)).toThrow(msg));
  it('aliases dest and regex', () =>
    expect(lineinfile.parse({ dest: P, regex: '^a', line: 'a' }, at)).toMatchObject({ path: P, regexp: '^a' }));
  it('a templated regexp is not compiled at load time', () =>
    expect(() => lineinfile.parse({ path: P, line: 'x', regexp: '{{ r }}(' }, at)).not.toThrow());
});

describe('lineinfile: validate', () => {
  it('the new file is uploaded beside the old under a temporary name, checked, then renamed over it', async () => {
    const { plan } = await run('a=1\n', { line: 'b=2', validate: 'visudo -cf %s' });
    const steps = (plan.steps ?? []).map((s) => (s.kind === 'upload' ? `upload ${s.dest}` : s.kind === 'exec' ? s.cmd : s.kind));
    expect(steps[0]).toMatch(/^upload \/etc\/\.conf\.runbook-validate-\w{8}$/);
    expect(steps[1]).toMatch(/^\{ visudo -cf \/etc\/\.conf\.runbook-validate-\w{8}\n\} \|\| \{ r=\$\?; rm -f -- /);
    expect(steps.at(-1)).toMatch(/^mv -f -- \/etc\/\.conf\.runbook-validate-\w{8} \/etc\/conf$/);
    expect(plan.batch).toBeUndefined();
  });

  it('no change → the check never runs; no %s → refused at load', async () => {
    const { plan } = await run('a=1\n', { line: 'a=1', validate: 'false %s' });
    expect(plan.changed).toBe(false);
    expect(() => lineinfile.parse({ path: P, line: 'x', validate: 'visudo -c' }, at)).toThrow('validate must contain %s: visudo -c');
  });
});
