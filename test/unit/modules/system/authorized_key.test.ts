import { describe, expect, it } from 'vitest';
import { authorizedKey, nextKeysFile, parseKeyLine } from '../../../../src/modules/system/authorized_key.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from '../net/fake-probe.js';

const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAA one@x';
const K2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ two@y';
const parse = (a: object) => authorizedKey.parse({ user: 'bob', ...a }, at);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const PW = 'bob:x:1000:1000::/var/lib/bob:/bin/sh';

describe('authorized_key', () => {
  it('parses options with quoted blanks, type, blob and comment', () => {
    expect(parseKeyLine(`command="echo a b",no-pty ${K1}`)).toEqual({
      options: 'command="echo a b",no-pty',
      type: 'ssh-ed25519',
      blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIAAA',
      comment: 'one@x',
    });
    expect(parseKeyLine('# a comment')).toBeUndefined();
  });

  it.each([
    ['appends a new key, keeping other lines', `# keys\n${K2}\n`, { key: K1 }, `# keys\n${K2}\n${K1}\n`],
    ['rewrites a key whose options changed, in place', `${K1}\n${K2}\n`, { key: K1, key_options: 'no-pty' }, `no-pty ${K1}\n${K2}\n`],
    ['comment overrides the key’s own', `${K2}\n`, { key: K2, comment: 'deploy' }, 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ deploy\n'],
    ['exclusive drops everything else', `# keys\n${K2}\n${K1}\n`, { key: K1, exclusive: true }, `${K1}\n`],
    ['absent removes every copy', `${K1}\n${K2}\n${K1}\n`, { key: K1, state: 'absent' }, `${K2}\n`],
    ['several keys in one argument', '', { key: `${K1}\n\n${K2}\n` }, `${K1}\n${K2}\n`],
  ])('%s', (_what, text, a, want) => {
    const p = parse(a);
    expect(nextKeysFile(text, p)).toBe(want);
  });

  it('a new file: .ssh made 0700 and the file 0600, both the user’s', async () => {
    const probe = fakeProbe([[/^echo @@passwd/, sectioned({ passwd: PW, path: '/var/lib/bob/.ssh/authorized_keys', dir: '' })]]);
    const p = await authorizedKey.plan(parse({ key: K1 }), probe, ctx());
    expect(stepsOf(p)).toEqual([
      'mkdir -p /var/lib/bob/.ssh && chown 1000:1000 /var/lib/bob/.ssh && chmod 0700 /var/lib/bob/.ssh',
      'upload /var/lib/bob/.ssh/authorized_keys',
    ]);
    expect(p.steps?.[1]).toMatchObject({ mode: '0600', owner: '1000', group: '1000', content: Buffer.from(`${K1}\n`) });
    expect(p.result).toMatchObject({
      user: 'bob',
      keyfile: '/var/lib/bob/.ssh/authorized_keys',
      state: 'present',
      exclusive: false,
      key: K1,
    });
  });

  it('a key already there → unchanged; manage_dir off and no directory → failed', async () => {
    const have = fakeProbe([
      [/^echo @@passwd/, sectioned({ passwd: PW, path: '/var/lib/bob/.ssh/authorized_keys', dir: 'yes', file: b64(`${K1}\n`) })],
    ]);
    expect((await authorizedKey.plan(parse({ key: K1 }), have, ctx())).changed).toBe(false);
    const none = fakeProbe([[/^echo @@passwd/, sectioned({ passwd: PW, path: '/etc/ssh/keys/bob', dir: '' })]]);
    expect((await authorizedKey.plan(parse({ key: K1, path: '/etc/ssh/keys/bob', manage_dir: false }), none, ctx())).failed).toMatch(
      /does not exist/,
    );
  });

  it('an unknown user fails', async () => {
    const probe = fakeProbe([[/^echo @@passwd/, sectioned({ passwd: '', path: '/.ssh/authorized_keys', dir: '' })]]);
    expect((await authorizedKey.plan(parse({ key: K1 }), probe, ctx())).failed).toBe('Failed to lookup user bob: no such user');
  });

  it('refuses a URL and junk', () => {
    expect(() => parse({ key: 'https://github.com/bob.keys' })).toThrow(/URL is refused/);
    expect(() => parse({ key: 'not a key' })).toThrow(/invalid key/);
  });
});
