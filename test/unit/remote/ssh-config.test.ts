import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { resolveSshConfig, resolveTarget } from '../../../src/remote/ssh-config.js';
import { parseJumpSpec } from '../../../src/remote/target.js';

const fixture = join(import.meta.dirname, 'fixtures', 'ssh_config');
let home: string;
let savedHome: string | undefined;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'runbook-home-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));
beforeEach(() => {
  savedHome = process.env.HOME;
  process.env.HOME = home;
});
afterEach(() => {
  process.env.HOME = savedHome;
});

describe('resolveSshConfig', () => {
  it('applies the first matching value, expands ~ and tokens', () => {
    expect(resolveSshConfig('web1', fixture)).toEqual({
      hostName: '10.0.0.5',
      user: 'deploy',
      port: 22,
      identityFiles: [join(home, '.ssh/web_key'), join(home, '.ssh/deploy@10.0.0.5')],
      proxyJump: undefined,
    });
  });

  it('handles wildcards, %h in HostName, Port and ProxyJump', () => {
    expect(resolveSshConfig('db-1', fixture)).toEqual({
      hostName: 'db-1.internal',
      user: 'fallback',
      port: 2200,
      identityFiles: [],
      proxyJump: 'admin@bastion:2222',
    });
  });

  it('IdentityFile none means no files', () => {
    expect(resolveSshConfig('bastion', fixture).identityFiles).toEqual([]);
  });

  it('a missing file means no options', () => {
    expect(resolveSshConfig('web1', join(home, 'nope'))).toEqual({ identityFiles: [] });
  });

  it('a bad Port is an InputError', () => {
    const f = join(home, 'badport');
    writeFileSync(f, 'Host x\n  Port abc\n');
    expect(() => resolveSshConfig('x', f)).toThrow(InputError);
  });
});

describe('resolveTarget', () => {
  it('inventory vars beat the ssh config, which beats defaults', () => {
    const t = resolveTarget('web1', { ansible_user: 'ops', ansible_port: '2022' }, {}, fixture);
    expect(t).toMatchObject({ name: 'web1', host: '10.0.0.5', user: 'ops', port: 2022 });
    expect(t.keyFiles).toEqual([join(home, '.ssh/web_key'), join(home, '.ssh/deploy@10.0.0.5')]);
  });

  it('an explicit key file comes first; ansible_host is looked up in the config', () => {
    const t = resolveTarget('app', { ansible_host: 'db-7', ansible_ssh_private_key_file: '~/k' }, {}, fixture);
    expect(t).toMatchObject({ host: 'db-7.internal', port: 2200, user: 'fallback', proxyJump: 'admin@bastion:2222' });
    expect(t.keyFiles).toEqual([join(home, 'k')]);
  });

  it('defaults: local user, port 22, existing default keys only', () => {
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'id_rsa'), 'x');
    const t = resolveTarget('plain', {}, {}, join(home, 'none'));
    expect(t).toMatchObject({ host: 'plain', port: 22, user: userInfo().username });
    expect(t.keyFiles).toEqual([join(home, '.ssh', 'id_rsa')]);
  });

  it('passwords from vars, then env; passphrase from env', () => {
    const none = join(home, 'none');
    expect(resolveTarget('h', { ansible_ssh_pass: 'p1' }, { RUNBOOK_SSH_PASSWORD: 'p2' }, none).password).toBe('p1');
    expect(resolveTarget('h', { ansible_password: 'p0', ansible_ssh_pass: 'p1' }, {}, none).password).toBe('p0');
    const t = resolveTarget('h', { ansible_become_password: 'b' }, { RUNBOOK_SSH_PASSWORD: 'p2', RUNBOOK_SSH_PASSPHRASE: 'pp' }, none);
    expect(t).toMatchObject({ password: 'p2', passphrase: 'pp', becomePassword: 'b' });
  });

  it('rejects a bad ansible_port', () => {
    expect(() => resolveTarget('h', { ansible_port: 70000 }, {}, join(home, 'none'))).toThrow(/ansible_port/);
  });
});

describe('parseJumpSpec', () => {
  it('parses user, host, port and keeps only the first hop', () => {
    expect(parseJumpSpec('admin@bastion:2222')).toEqual({ user: 'admin', host: 'bastion', port: 2222 });
    expect(parseJumpSpec('bastion')).toEqual({ user: undefined, host: 'bastion', port: undefined });
    expect(parseJumpSpec('[::1]:22,other')).toEqual({ user: undefined, host: '::1', port: 22 });
  });
});
