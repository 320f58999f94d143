import { describe, expect, it } from 'vitest';
import { copy } from '../../../src/modules/copy.js';
import { file } from '../../../src/modules/file.js';
import { template } from '../../../src/modules/template.js';
import { at, dirLine, fakeCtx, fakeProbe, fileLine, type Reply, stats } from './fake-probe.js';

const run = async (args: unknown, reply: Reply) => {
  const probe = fakeProbe([[/stat -L/, reply]]);
  const plan = await file.plan(file.parse(args, at), probe, fakeCtx());
  return { plan, probe };
};
const exec = (cmd: string) => [{ kind: 'exec', cmd }];

describe('file: plans', () => {
  it.each([
    // [args, stat reply, expected steps (undefined = unchanged)]
    [{ path: '/d', state: 'directory' }, stats('absent', dirLine()), exec('mkdir -p -- /d')],
    [{ path: '/d', state: 'directory', mode: '0750' }, stats('absent', dirLine()), exec('mkdir -p -- /d && chmod 0750 /d')],
    [{ path: '/d', state: 'directory', owner: 'app' }, stats('absent', dirLine()), exec('mkdir -p -- /d && chown app /d')],
    [
      // parents it creates get the mode too, as Ansible's
      { path: '/a/b/d', state: 'directory', mode: '0750' },
      stats('absent', 'absent'),
      exec(
        'if [ ! -d /a ]; then mkdir -- /a && chmod 0750 /a; fi && if [ ! -d /a/b ]; then mkdir -- /a/b && chmod 0750 /a/b; fi && mkdir -p -- /a/b/d && chmod 0750 /a/b/d',
      ),
    ],
    [{ path: '/a/d', state: 'directory' }, stats('absent', 'absent'), exec('mkdir -p -- /a/d')],
    [{ path: '/d', state: 'directory' }, stats(dirLine(), dirLine()), undefined],
    [{ path: '/d', state: 'directory', mode: '0755' }, stats(dirLine('755'), dirLine()), undefined],
    [{ path: '/d', state: 'directory', mode: '0700' }, stats(dirLine('755'), dirLine()), exec('chmod 0700 /d')],
    [{ path: '/f', state: 'absent' }, stats('absent', dirLine()), undefined],
    [{ path: '/f', state: 'absent' }, stats(fileLine('x'), dirLine()), exec('rm -rf -- /f')],
    [{ path: '/d', state: 'absent' }, stats(dirLine(), dirLine()), exec('rm -rf -- /d')],
    [{ path: '/l', state: 'absent' }, stats('link /gone', dirLine()), exec('rm -rf -- /l')],
    [{ path: '/f', state: 'touch' }, stats('absent', dirLine()), exec('touch -- /f')],
    [{ path: '/f', state: 'touch', mode: '0600' }, stats('absent', dirLine()), exec('touch -- /f && chmod 0600 /f')],
    [{ path: '/f', state: 'touch' }, stats(fileLine('x'), dirLine()), undefined],
    [{ path: '/f', state: 'touch', mode: '0644' }, stats(fileLine('x', '644'), dirLine()), undefined],
    [{ path: '/f', state: 'touch', mode: '0600' }, stats(fileLine('x', '644'), dirLine()), exec('chmod 0600 /f')],
    [{ path: '/f', mode: '0600' }, stats(fileLine('x', '644'), dirLine()), exec('chmod 0600 /f')],
    [{ path: '/f', mode: '0600' }, stats(fileLine('x', '600'), dirLine()), undefined],
    // no state: the path's current one, as Ansible — an existing directory takes the mode (was refused as "not a file")
    [{ path: '/d', mode: '0700' }, stats(dirLine('755'), dirLine()), exec('chmod 0700 /d')],
    [{ path: '/f', owner: 'bob', group: 'bob' }, stats(fileLine('x'), dirLine()), exec('chown bob:bob /f')],
    [{ path: '/f', group: 'adm' }, stats(fileLine('x'), dirLine()), exec('chgrp adm /f')],
    [{ dest: '/my file', mode: '0600' }, stats(fileLine('x'), dirLine()), exec(`chmod 0600 '/my file'`)],
    [{ path: '/l', state: 'link', src: '/t' }, stats('absent', dirLine()), exec('ln -s -- /t /l')],
    [{ path: '/l', state: 'link', src: '/t' }, stats('link /t', dirLine()), undefined],
    [{ path: '/l', state: 'link', src: '/t' }, stats('link /old', dirLine()), exec('ln -sfn -- /t /l')],
    [{ path: '/l', state: 'link', src: '/t', force: true }, stats(fileLine('x'), dirLine()), exec('rm -f -- /l && ln -s -- /t /l')],
    [{ path: '/l', state: 'link', src: '/t', force: true }, stats(dirLine(), dirLine()), exec('rmdir -- /l && ln -s -- /t /l')],
    [{ path: '/l', state: 'link', src: 'rel target' }, stats('link rel target', dirLine()), undefined],
  ])('%j', async (args, reply, steps) => {
    const { plan, probe } = await run(args, reply);
    expect(probe.commands).toHaveLength(1);
    expect(plan.failed).toBeUndefined();
    expect(plan.changed).toBe(steps !== undefined);
    expect(plan.steps).toEqual(steps);
  });

  it.each([
    [{ path: '/f' }, stats('absent', dirLine()), 'file /f is absent, cannot continue'],
    [{ path: '/f', state: 'file' }, stats(dirLine(), dirLine()), '/f is a directory, cannot continue'],
    [{ path: '/f', state: 'directory' }, stats(fileLine('x'), dirLine()), '/f exists and is a file, not a directory'],
    [{ path: '/a/f', state: 'touch' }, stats('absent', 'absent'), 'directory /a does not exist'],
    [{ path: '/l', state: 'link', src: '/t' }, stats(fileLine('x'), dirLine()), 'refusing to replace the file at /l'],
    [{ path: '/a/l', state: 'link', src: '/t' }, stats('absent', 'absent'), 'directory /a does not exist'],
  ])('fails: %j', async (args, reply, msg) => {
    const { plan } = await run(args, reply);
    expect(plan.changed).toBe(false);
    expect(plan.failed).toContain(msg);
  });

  it('links are inspected without following; other states follow', async () => {
    const { probe } = await run({ path: '/l', state: 'link', src: '/t' }, stats('link /t', dirLine()));
    expect(probe.commands[0]).toContain('[ -L /l ]');
    const { probe: p2 } = await run({ path: '/f', state: 'touch' }, stats(fileLine('x'), dirLine()));
    expect(p2.commands[0]).not.toContain('[ -L');
  });
});

// As Ansible's file module (follow: true, its default): a link's mode, owner and group go to what it points to.
describe('file: a link with mode or owner', () => {
  /** The probe's replies in order: the link and its folder, then the link's target (followed). */
  const runSeq = async (args: unknown, replies: string[]) => {
    const probe = fakeProbe([[/./, '']]);
    let i = 0;
    probe.run = async (cmd) => {
      probe.commands.push(cmd);
      return { code: 0, stdout: replies[i++] ?? '', stderr: '' };
    };
    return { plan: await file.plan(file.parse(args, at), probe, fakeCtx()), probe };
  };
  it.each([
    // [args, link + parent reply, target reply, expected steps (undefined = unchanged)]
    [
      { path: '/l', state: 'link', src: '/t', mode: '0755' },
      stats('absent', dirLine()),
      stats(dirLine('700')),
      exec('ln -s -- /t /l && chmod 0755 /l'),
    ],
    [
      { path: '/l', state: 'link', src: '/t', owner: 'bob' },
      stats('absent', dirLine()),
      stats(dirLine()),
      exec('ln -s -- /t /l && chown bob /l'),
    ],
    [{ path: '/l', state: 'link', src: '/t', mode: '0755' }, stats('link /t', dirLine()), stats(dirLine('700')), exec('chmod 0755 /l')],
    [{ path: '/l', state: 'link', src: '/t', mode: '0755' }, stats('link /t', dirLine()), stats(dirLine('755')), undefined],
    [
      { path: '/l', state: 'link', src: '/t', mode: '0755' },
      stats('link /old', dirLine()),
      stats(dirLine('700')),
      exec('ln -sfn -- /t /l && chmod 0755 /l'),
    ],
    // a dangling link takes no attributes, and is no error
    [{ path: '/l', state: 'link', src: '/gone', mode: '0755' }, stats('absent', dirLine()), stats('absent'), exec('ln -s -- /gone /l')],
  ])('%j', async (args, first, second, steps) => {
    const { plan } = await runSeq(args, [first, second]);
    expect(plan.failed).toBeUndefined();
    expect(plan.steps).toEqual(steps);
    expect(plan.changed).toBe(steps !== undefined);
  });

  it("a relative src is looked up from the link's folder", async () => {
    const { probe } = await runSeq({ path: '/etc/l', state: 'link', src: 'target.d', mode: '0755' }, [
      stats('absent', dirLine()),
      stats(dirLine()),
    ]);
    expect(probe.commands[1]).toContain('/etc/target.d');
  });

  it('without mode, owner or group the target is not inspected', async () => {
    const { probe } = await runSeq({ path: '/l', state: 'link', src: '/t' }, [stats('absent', dirLine())]);
    expect(probe.commands).toHaveLength(1);
  });
});

describe('file: parse', () => {
  it.each([
    [{ state: 'touch' }, 'missing required argument "path"'],
    [{ path: '/f', state: 'dir' }, 'argument "state" must be one of file, directory, absent, touch, link'],
    [{ path: '/f', state: 'link' }, 'state=link needs src'],
    [{ path: '/f', state: 'touch', src: '/t' }, 'src is only used with state=link'],
    [{ path: '/f', mode: 'rwx' }, 'must be an octal mode'],
    [{ path: '/f', recurse: true, state: 'touch' }, "recurse option requires state to be 'directory'"],
    [{ path: '/f', dest: '/g' }, '"dest" is an alias of "path"'],
  ])('%j', (args, msg) => expect(() => file.parse(args, at)).toThrow(msg));
  it('name is an alias of path', () => expect(file.parse({ name: '/x', state: 'absent' }, at).path).toBe('/x'));
  it('state hint', () => {
    try {
      file.parse({ path: '/f', state: 'directroy' }, at);
    } catch (e) {
      expect((e as { hint?: string }).hint).toBe('did you mean "directory"?');
      return;
    }
    expect.unreachable();
  });
  it('a templated state passes load time', () => expect(file.parse({ path: '/f', state: '{{ s }}', src: '/t' }, at).state).toBe('{{ s }}'));
  it('octal mode from a YAML number', () => expect(file.parse({ path: '/f', mode: 755 }, at).mode).toBe('0755'));
});

describe('file, copy, template: SELinux context arguments (seuser, serole, setype, selevel)', () => {
  const SE = /^if \[ -e \/sys\/fs\/selinux\/enforce \]/;
  const dir = { path: '/srv/www', state: 'directory', setype: 'httpd_sys_content_t' };
  it('SELinux off (the facts say so): ignored, as Ansible ignores them; no probe for it', async () => {
    const probe = fakeProbe([[/stat -L/, stats('absent', dirLine())]]);
    const plan = await file.plan(file.parse(dir, at), probe, fakeCtx({ vars: { ansible_selinux: { status: 'disabled' } } }));
    expect(plan.steps).toEqual(exec('mkdir -p -- /srv/www'));
    expect(probe.commands.filter((c) => SE.test(c))).toEqual([]);
  });
  it('SELinux on: the task fails and says why, before any change; without facts one test of /sys/fs/selinux asks', async () => {
    const on = await file.plan(file.parse(dir, at), fakeProbe([[SE, 'on\n']]), fakeCtx());
    expect(on).toEqual({
      changed: false,
      failed: expect.stringMatching(/^setype: this host has SELinux on, and runbook does not set SELinux contexts/),
    });
    const enabled = fakeCtx({ vars: { ansible_selinux: { status: 'enabled', mode: 'enforcing' } } });
    const t = await template.plan(
      template.parse({ src: 'x.j2', dest: '/etc/x', seuser: 'system_u', selevel: 's0' }, at),
      fakeProbe([]),
      enabled,
    );
    expect(t.failed).toMatch(/^seuser, selevel: this host has SELinux on/);
    const off = fakeProbe([
      [SE, 'off\n'],
      [/stat -L/, stats('absent', dirLine())],
    ]);
    expect((await file.plan(file.parse(dir, at), off, fakeCtx())).steps).toEqual(exec('mkdir -p -- /srv/www'));
  });
  it('copy takes them too (content with setype on a host without SELinux is a plain copy)', async () => {
    const probe = fakeProbe([
      [SE, 'off\n'],
      [/stat -L/, stats('absent', dirLine())],
    ]);
    const plan = await copy.plan(copy.parse({ dest: '/etc/motd', content: 'hi\n', setype: 'etc_t' }, at), probe, fakeCtx());
    expect(plan.changed).toBe(true);
  });
});
