import { describe, expect, it } from 'vitest';
import { group } from '../../../../src/modules/system/group.js';
import { user } from '../../../../src/modules/system/user.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from '../net/fake-probe.js';

const GROUPS = 'root:x:0:\nsudo:x:27:bob\nadm:x:4:\ndeploy:x:2001:\nbob:x:1000:\n';
const HASH = '$6$salt$abcdefghijklmnop';

async function planUser(args: object, passwd: string, shadow = '', groups = GROUPS) {
  const probe = fakeProbe([[/^echo @@passwd; getent passwd/, sectioned({ passwd, shadow, group: groups })]]);
  const p = await user.plan(user.parse({ name: 'bob', ...args }, at), probe, ctx());
  expect(probe.ran).toHaveLength(1);
  return p;
}

describe('user', () => {
  const bob = 'bob:x:1000:1000:Bob:/var/lib/bob:/bin/sh';
  it.each([
    [
      { uid: 2000, shell: '/bin/bash', home: '/srv/bob', create_home: false, comment: 'B', group: 'deploy', groups: ['sudo', 'adm'] },
      ['useradd -u 2000 -g 2001 -G sudo,adm -c B -d /srv/bob -s /bin/bash -M bob'],
    ],
    [{ system: true }, ['useradd -N -m -r bob']],
    [{ expires: 86400 * 365 }, ['useradd -N -e 1971-01-01 -m bob']],
  ])('absent user %j → useradd', async (args, cmds) => {
    const p = await planUser(
      args,
      '',
      '',
      GROUPS.replace('bob:x:1000:\n', '')
        .replace('sudo:x:27:bob', 'sudo:x:27:')
        .concat(args.system ? 'bob:x:999:\n' : 'bob:x:999:\n'),
    );
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(cmds);
  });

  it('a new user with a password: useradd, then chpasswd -e on stdin (never on the command line)', async () => {
    const p = await planUser({ password: HASH }, '', '', 'root:x:0:\n');
    expect(stepsOf(p)).toEqual(['useradd -m bob', 'chpasswd -e']);
    expect(p.steps?.[1]).toMatchObject({ stdin: `bob:${HASH}\n` });
    expect(JSON.stringify(p.result)).not.toContain(HASH);
    expect(p.result?.password).toBe('NOT_LOGGING_PASSWORD');
  });

  it.each([
    [{ uid: 1000, shell: '/bin/sh', home: '/var/lib/bob', comment: 'Bob', groups: ['sudo'] }],
    [{ groups: ['sudo'], append: true }],
    [{ groups: [], append: true }],
    [{ password: HASH }],
    [{ password: 'other', update_password: 'on_create' }],
    [{ expires: 86400 * 365 + 3600 }],
    [{ group: 'bob' }],
  ])('existing user already %j → no change', async (args) => {
    const p = await planUser(args, bob, `bob:${HASH}:19000:0:99999:7::365:`);
    expect(p.changed).toBe(false);
    expect(p.result).toMatchObject({ name: 'bob', uid: 1000, group: 1000, home: '/var/lib/bob', shell: '/bin/sh', state: 'present' });
  });

  it.each([
    [{ uid: 1001 }, ['usermod -u 1001 bob']],
    [{ groups: ['adm'], append: true }, ['usermod -a -G adm bob']],
    [{ groups: ['adm'] }, ['usermod -G adm bob']],
    [{ groups: '' }, ["usermod -G '' bob"]],
    [{ shell: '/bin/bash', home: '/srv/bob', move_home: true }, ['usermod -d /srv/bob -m -s /bin/bash bob']],
    [{ comment: 'Robert Bob' }, ["usermod -c 'Robert Bob' bob"]],
    [{ expires: -1 }, ["usermod -e '' bob"]],
    [{ password_lock: true }, ['usermod -L bob']],
    [{ group: 'deploy' }, ['usermod -g 2001 bob']],
    [{ password: '$6$new$hash' }, ['chpasswd -e']],
  ])('existing user, %j → %j', async (args, cmds) => {
    const p = await planUser(args, bob, `bob:${HASH}:19000:0:99999:7::365:`);
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(cmds);
  });

  it('a missing group fails before anything runs', async () => {
    expect((await planUser({ group: 'nope' }, bob)).failed).toBe('Group nope does not exist');
    expect((await planUser({ groups: ['sudo', 'nope'] }, bob)).failed).toBe('Group nope does not exist');
  });

  it('state=absent: userdel with -f/-r, nothing when already gone', async () => {
    expect(stepsOf(await planUser({ state: 'absent', remove: true, force: true }, bob))).toEqual(['userdel -f -r bob']);
    const gone = await planUser({ state: 'absent' }, '');
    expect(gone.changed).toBe(false);
    expect(gone.result).toMatchObject({ name: 'bob', state: 'absent', force: false, remove: false });
  });

  it('generate_ssh_key: ssh-keygen when the key file is missing, nothing when it exists', async () => {
    const probe = fakeProbe([[/^echo @@passwd/, sectioned({ passwd: bob, shadow: '', group: GROUPS, sshkey: '' })]]);
    const p = await user.plan(user.parse({ name: 'bob', generate_ssh_key: true, ssh_key_type: 'ed25519' }, at), probe, ctx());
    expect(probe.ran[0]).toContain('"$(getent passwd bob | cut -d: -f6)"/.ssh/id_ed25519');
    expect(stepsOf(p)[0]).toMatch(/ssh-keygen -q -t ed25519 -C 'ansible-generated on node1' -N '' -f "\$k" && chown bob:/);
    const have = fakeProbe([
      [
        /^echo @@passwd/,
        sectioned({ passwd: bob, shadow: '', group: GROUPS, sshkey: '/var/lib/bob/.ssh/id_ed25519\nssh-ed25519 AAAA bob@x' }),
      ],
    ]);
    const q = await user.plan(user.parse({ name: 'bob', generate_ssh_key: true, ssh_key_type: 'ed25519' }, at), have, ctx());
    expect(q.changed).toBe(false);
    expect(q.result).toMatchObject({ ssh_key_file: '/var/lib/bob/.ssh/id_ed25519', ssh_public_key: 'ssh-ed25519 AAAA bob@x' });
  });

  it('parse', () => {
    expect(() => user.parse({ name: 'bob', password: 'a:b' }, at)).toThrow(/crypt\(3\) hash/);
    expect(() => user.parse({ name: 'bob', non_unique: true }, at)).toThrow(/uid/);
    expect(user.parse({ user: 'bob', createhome: false }, at)).toMatchObject({ name: 'bob', createHome: false });
  });
});

describe('group', () => {
  const plan = async (args: object, line: string | null) => {
    const probe = fakeProbe([[/^getent group deploy$/, line === null ? { code: 2 } : line]]);
    return group.plan(group.parse({ name: 'deploy', ...args }, at), probe, ctx());
  };
  it.each([
    [{ gid: 2001 }, null, ['groupadd -g 2001 deploy']],
    [{ system: true }, null, ['groupadd -r deploy']],
    [{ gid: 2002, non_unique: true }, 'deploy:x:2001:', ['groupmod -g 2002 -o deploy']],
    [{ state: 'absent' }, 'deploy:x:2001:', ['groupdel deploy']],
    [{ state: 'absent', force: true }, 'deploy:x:2001:', ['groupdel -f deploy']],
  ])('%j on %j → %j', async (args, line, cmds) => {
    const p = await plan(args, line);
    expect(p.changed).toBe(true);
    expect(stepsOf(p)).toEqual(cmds);
  });
  it.each([
    [{ gid: 2001 }, 'deploy:x:2001:bob'],
    [{}, 'deploy:x:2001:'],
    [{ state: 'absent' }, null],
  ])('%j on %j → unchanged', async (args, line) => {
    const p = await plan(args, line);
    expect(p.changed).toBe(false);
    if (line) expect(p.result).toMatchObject({ name: 'deploy', gid: 2001, state: 'present', system: false });
  });
});

describe('user: password ageing (password_expire_min/max/warn)', () => {
  const bob = 'bob:x:1000:1000:Bob:/var/lib/bob:/bin/sh';
  it('only the fields /etc/shadow does not hold yet go to one chage', async () => {
    const p = await planUser(
      { password_expire_min: 1, password_expire_max: 90, password_expire_warn: 7 },
      bob,
      `bob:${HASH}:19000:0:90:7:::`,
    );
    expect(stepsOf(p)).toEqual(['chage -m 1 bob']);
    const same = await planUser({ password_expire_min: 0, password_expire_max: 90 }, bob, `bob:${HASH}:19000:0:90:7:::`);
    expect(same.changed).toBe(false);
  });

  it('a new account gets its chage after useradd', async () => {
    const p = await planUser({ password_expire_max: 60, password_expire_warn: 14 }, '', '', 'root:x:0:\n');
    expect(stepsOf(p)).toEqual(['useradd -m bob', 'chage -M 60 -W 14 bob']);
  });
});
