import { describe, expect, it } from 'vitest';
import { git, parseProbe, resolveVersion } from '../../../../src/modules/web/git.js';
import { at, fakeCtx, fakeProbe } from '../fake-probe.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const T = 'c'.repeat(40);
const REPO = 'https://git.example.com/app.git';

const state = (kind: string, o: { head?: string; url?: string; dirty?: boolean; refs?: string } = {}) =>
  `${kind}\nhead ${o.head ?? ''}\nurl ${o.url ?? ''}\ndirty ${o.dirty ? 1 : 0}\nrefs\n${o.refs ?? `ref: refs/heads/main\tHEAD\n${B}\tHEAD\n`}`;

async function plan(args: object, out: string, stderr = '') {
  const probe = fakeProbe([[/^command -v git/, { stdout: out, stderr }]]);
  const p = await git.plan(git.parse({ repo: REPO, dest: '/srv/app', ...args }, at), probe, fakeCtx());
  return { p, probe };
}
const cmdOf = (p: Awaited<ReturnType<typeof plan>>['p']) => (p.steps?.[0]?.kind === 'exec' ? p.steps[0].cmd : '');

describe('git', () => {
  it('absent dest → clone; before null, after the remote HEAD', async () => {
    const { p, probe } = await plan({}, state('absent'));
    expect(p).toMatchObject({ changed: true, result: { before: null, after: B } });
    expect(cmdOf(p)).toBe(`GIT_TERMINAL_PROMPT=0 git clone --recursive -- ${REPO} /srv/app`);
    expect(probe.commands).toHaveLength(1);
    expect(probe.commands[0]).toContain(`git ls-remote --symref ${REPO} HEAD`);
  });

  it('clone of a branch, shallow, single branch, another remote name', async () => {
    const { p } = await plan(
      { version: 'dev', depth: 1, single_branch: true, remote: 'up', recursive: false },
      state('absent', { refs: `${A}\trefs/heads/dev\n` }),
    );
    expect(cmdOf(p)).toBe(`GIT_TERMINAL_PROMPT=0 git clone --origin up --depth 1 --branch dev --single-branch -- ${REPO} /srv/app`);
  });

  it('at the remote sha already → changed:false', async () => {
    const { p } = await plan({}, state('repo', { head: B, url: REPO }));
    expect(p).toEqual({ changed: false, note: `at ${B.slice(0, 12)}`, result: { before: B, after: B, remote_url_changed: false } });
  });

  it('remote moved → fetch and checkout -B of the branch; before/after', async () => {
    const { p } = await plan({ version: 'main' }, state('repo', { head: A, url: REPO, refs: `${B}\trefs/heads/main\n` }));
    expect(p.result).toMatchObject({ before: A, after: B });
    const c = cmdOf(p);
    expect(c).toContain("git -C /srv/app fetch --tags origin '+refs/heads/*:refs/remotes/origin/*'");
    expect(c).toContain('git -C /srv/app checkout -B main origin/main');
    expect(c).toContain('submodule update --init --recursive');
  });

  it('a tag resolves to its peeled commit and is checked out detached', async () => {
    const out = state('repo', { head: A, url: REPO, refs: `${B}\trefs/tags/v1\n${T}\trefs/tags/v1^{}\n` });
    const { p } = await plan({ version: 'v1' }, out);
    expect(p.result).toMatchObject({ after: T });
    expect(cmdOf(p)).toContain('checkout refs/tags/v1');
  });

  it('a sha (short) the checkout is already at → no change', async () => {
    const { p } = await plan({ version: 'aaaaaaa' }, state('repo', { head: A, url: REPO, refs: '' }));
    expect(p.changed).toBe(false);
  });

  it('local modifications → refused unless force; force resets and reports a change', async () => {
    const dirty = state('repo', { head: B, url: REPO, dirty: true });
    expect((await plan({}, dirty)).p.failed).toBe('Local modifications exist in the destination: /srv/app (force=no).');
    const { p } = await plan({ force: true }, dirty);
    expect(p.changed).toBe(true);
    expect(cmdOf(p)).toContain('reset --hard');
  });

  it('update: false leaves the checkout', async () => {
    const { p } = await plan({ update: false }, state('repo', { head: A, url: REPO }));
    expect(p).toMatchObject({ changed: false, result: { before: A, after: A } });
  });

  it('clone: false and no checkout → nothing', async () => {
    expect((await plan({ clone: false }, state('absent'))).p.changed).toBe(false);
  });

  it('another remote URL → set-url, remote_url_changed', async () => {
    const { p } = await plan({}, state('repo', { head: B, url: 'https://old/app.git' }));
    expect(p).toMatchObject({ changed: true, result: { remote_url_changed: true } });
    expect(cmdOf(p)).toContain(`remote set-url origin ${REPO}`);
  });

  it.each([
    [state('occupied'), "Destination path '/srv/app' already exists and is not an empty directory."],
    ['nogit\n', 'git is not installed on the host (install the git package)'],
    [state('absent', { refs: '' }).replace('refs\n', 'refs\nls-remote-failed 128\n'), /cannot read/],
    [state('absent', { refs: '' }), `Failed to find version HEAD in ${REPO}`],
  ])('fails: %s', async (out, msg) => {
    expect((await plan({}, out)).p.failed).toMatch(msg);
  });

  it('an absolute path is cloned as a file:// URL (the remote URL Ansible records)', async () => {
    const { p, probe } = await plan({ repo: '/srv/git/app.git' }, state('absent'));
    expect(cmdOf(p)).toBe('GIT_TERMINAL_PROMPT=0 git clone --recursive -- file:///srv/git/app.git /srv/app');
    expect(probe.commands[0]).toContain('git ls-remote --symref file:///srv/git/app.git HEAD');
    // a checkout whose remote is the plain path gets Ansible's URL (once)
    const again = await plan({ repo: '/srv/git/app.git' }, state('repo', { head: B, url: '/srv/git/app.git' }));
    expect(again.p).toMatchObject({ changed: true, result: { remote_url_changed: true } });
    expect((await plan({ repo: '/srv/git/app.git' }, state('repo', { head: B, url: 'file:///srv/git/app.git' }))).p.changed).toBe(false);
  });

  it('ssh options: accept_newhostkey and key_file go into GIT_SSH_COMMAND', () => {
    const a = git.parse({ repo: 'git@h:app.git', dest: '/srv/app', accept_newhostkey: true, key_file: '/root/.ssh/deploy' }, at);
    expect(a.env).toBe(
      "GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND='ssh -o StrictHostKeyChecking=accept-new -i /root/.ssh/deploy -o IdentitiesOnly=yes' ",
    );
  });

  it('parse and resolve: symref, heads before tags', () => {
    const s = parseProbe(state('repo', { refs: `ref: refs/heads/main\tHEAD\n${A}\tHEAD\n${B}\trefs/heads/x\n${T}\trefs/tags/x\n` }));
    expect(s.symref).toBe('refs/heads/main');
    expect(resolveVersion('HEAD', s)).toEqual({ sha: A, kind: 'head', branch: 'main' });
    expect(resolveVersion('x', s)).toEqual({ sha: B, kind: 'branch', branch: 'x' });
    expect(resolveVersion('nope', s)).toBeUndefined();
  });
});
