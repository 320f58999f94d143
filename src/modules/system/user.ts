// A local user account made to match (useradd/usermod/userdel), read from getent in one round trip.

import { cmd, quote } from '../../remote/quote.js';
import { addSecret } from '../../vault/secrets.js';
import { fail } from '../args.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { type GroupEntry, parseGroupLine } from './group.js';

export interface UserArgs {
  name: string;
  state: 'present' | 'absent';
  uid?: number;
  nonUnique: boolean;
  group?: string;
  /** undefined: leave alone; [] : no supplementary groups (unless append). */
  groups?: string[];
  append: boolean;
  shell?: string;
  home?: string;
  createHome: boolean;
  skeleton?: string;
  system: boolean;
  comment?: string;
  password?: string;
  updatePassword: 'always' | 'on_create';
  passwordLock?: boolean;
  remove: boolean;
  force: boolean;
  moveHome: boolean;
  /** seconds since the epoch; negative: never expires */
  expires?: number;
  /** Ansible's password_expire_min/max/warn: days between changes, days valid, days of warning (chage -m/-M/-W). */
  passwordExpire: { min?: number; max?: number; warn?: number };
  sshKey?: { file: string; type: string; bits: number; comment: string; passphrase?: string };
}

/** One `getent passwd` line. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const f = line.trim().split(':');
  if (f.length < 7 || f[0] === '') return undefined;
  return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), comment: f[4], home: f[5], shell: f[6] };
}

const DAY = 86400;
const dateOf = (secs: number) => new Date(Math.floor(secs) * 1000).toISOString().slice(0, 10);

/** The key file as a shell word: absolute as given, else under the user's home as getent reports it at run time. */
const keyPathExpr = (p: UserArgs, file: string) =>
  file.startsWith('/') ? quote(file) : `"$(getent passwd ${quote(p.name)} | cut -d: -f6)"/${quote(file)}`;

export const userProbe = (p: UserArgs): string =>
  [
    section('passwd', `${cmd('getent', 'passwd', p.name)} 2>/dev/null`),
    section('shadow', `${cmd('getent', 'shadow', p.name)} 2>/dev/null`),
    section('group', 'getent group 2>/dev/null'),
    ...(p.sshKey
      ? [section('sshkey', `k=${keyPathExpr(p, p.sshKey.file)}; if [ -e "$k" ]; then echo "$k"; cat "$k.pub" 2>/dev/null; fi`)]
      : []),
  ].join('; ');

export const user = defineModule({
  name: 'user',
  doc: 'A local user account present with the given uid, groups, shell, home… or absent (useradd/usermod/userdel).',
  example: 'user: {name: deploy, uid: 2001, groups: [sudo], append: true, shell: /bin/bash, home: /var/lib/deploy}',
  args: {
    name: { required: true, aliases: ['user'], description: 'the login name' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'whether the account exists' },
    uid: { type: 'int', description: 'numeric user id' },
    non_unique: { type: 'bool', default: false, description: 'allow a uid already in use (-o); needs uid' },
    group: { description: 'primary group (name or gid); it must exist' },
    groups: { type: 'list', description: 'supplementary groups; an empty string or list removes all (unless append)' },
    append: { type: 'bool', default: false, description: 'add groups to the current ones instead of replacing them' },
    shell: { description: 'login shell' },
    home: { type: 'path', description: 'home directory' },
    create_home: {
      type: 'bool',
      default: true,
      aliases: ['createhome'],
      description: 'create the home directory of a new user (-m, else -M)',
    },
    skeleton: { type: 'path', description: 'skeleton directory for a new home (-k); needs create_home' },
    system: { type: 'bool', default: false, description: 'create a system account (-r); an existing account is not converted' },
    comment: { description: 'the GECOS field' },
    password: { description: 'crypt(3) hash of the password (never shown: it is masked like a secret)' },
    update_password: { choices: ['always', 'on_create'], default: 'always', description: 'on_create sets the password of new users only' },
    password_lock: { type: 'bool', description: 'lock (true) or unlock (false) the password (usermod -L/-U)' },
    remove: { type: 'bool', default: false, description: 'state=absent: also remove the home directory and mail spool (userdel -r)' },
    force: { type: 'bool', default: false, description: 'state=absent: remove even when logged in (userdel -f)' },
    move_home: { type: 'bool', default: false, description: 'when home changes, move the old contents there (usermod -m)' },
    expires: { type: 'float', description: 'account expiry in seconds since the epoch (compared by day, UTC); negative: never' },
    password_expire_min: { type: 'int', description: 'minimum days between password changes (chage -m)' },
    password_expire_max: { type: 'int', description: 'maximum days a password is valid (chage -M)' },
    password_expire_warn: { type: 'int', description: 'days of warning before the password expires (chage -W)' },
    generate_ssh_key: { type: 'bool', default: false, description: 'create an SSH key pair for the user when the key file is missing' },
    ssh_key_file: { type: 'path', description: 'key file, relative to the home (default .ssh/id_<type>)' },
    ssh_key_type: { default: 'rsa', description: 'ssh-keygen -t' },
    ssh_key_bits: { type: 'int', default: 0, description: 'ssh-keygen -b (0: ssh-keygen’s default)' },
    ssh_key_comment: { description: 'ssh-keygen -C (default "ansible-generated on <host>")' },
    ssh_key_passphrase: { description: 'passphrase of the new key (masked; empty: none)' },
    local: { type: 'bool', default: false, description: 'accepted; useradd already writes the local files' },
  },
  required_if: [['non_unique', true, ['uid']]],
  build(v, a): UserArgs {
    if (v.password !== undefined) addSecret(v.password);
    if (v.ssh_key_passphrase !== undefined) addSecret(v.ssh_key_passphrase);
    if (v.password?.includes(':') || v.password?.includes('\n'))
      fail(a, 'argument "password" must be a crypt(3) hash (no ":" or line breaks)');
    const groups = v.groups === undefined ? undefined : (v.groups as string[]).map((g) => g.trim()).filter(Boolean);
    const type = v.ssh_key_type as string;
    return {
      name: v.name,
      state: v.state as UserArgs['state'],
      uid: v.uid,
      nonUnique: v.non_unique,
      group: v.group,
      groups,
      append: v.append,
      shell: v.shell,
      home: v.home,
      createHome: v.create_home,
      skeleton: v.skeleton,
      system: v.system,
      comment: v.comment,
      password: v.password,
      updatePassword: v.update_password as UserArgs['updatePassword'],
      passwordLock: v.password_lock,
      remove: v.remove,
      force: v.force,
      moveHome: v.move_home,
      expires: v.expires,
      passwordExpire: { min: v.password_expire_min, max: v.password_expire_max, warn: v.password_expire_warn },
      sshKey: v.generate_ssh_key
        ? {
            file: v.ssh_key_file ?? `.ssh/id_${type}`,
            type,
            bits: v.ssh_key_bits,
            comment: v.ssh_key_comment ?? '',
            passphrase: v.ssh_key_passphrase,
          }
        : undefined,
    };
  },
  async plan(p, probe, ctx): Promise<Plan> {
    const s = sections((await probe.run(userProbe(p))).stdout);
    const have = parsePasswdLine(s.passwd?.split('\n')[0] ?? '');
    const shadow = (s.shadow ?? '').split('\n')[0].split(':');
    const groups = (s.group ?? '')
      .split('\n')
      .map(parseGroupLine)
      .filter((g): g is GroupEntry => g !== undefined);
    const findGroup = (g: string) =>
      groups.find((x) => x.name === g) ?? (/^\d+$/.test(g) ? groups.find((x) => x.gid === Number(g)) : undefined);
    const result: Record<string, unknown> = { name: p.name, state: p.state };

    if (p.state === 'absent') {
      Object.assign(result, { force: p.force, remove: p.remove });
      if (!have) return { changed: false, note: `${p.name} absent`, result };
      const flags = [...(p.force ? ['-f'] : []), ...(p.remove ? ['-r'] : [])];
      return {
        changed: true,
        steps: [{ kind: 'exec', cmd: cmd('userdel', ...flags, p.name) }],
        diff: [{ before: `${s.passwd?.split('\n')[0]}\n`, after: '' }],
        note: `${p.name} removed`,
        result,
      };
    }

    const primary = p.group === undefined ? undefined : findGroup(p.group);
    if (p.group !== undefined && !primary) return { changed: false, failed: `Group ${p.group} does not exist`, result };
    const wanted = (p.groups ?? []).map((g) => findGroup(g)?.name ?? g);
    const missing = (p.groups ?? []).filter((g) => !findGroup(g));
    if (missing.length) return { changed: false, failed: `Group ${missing[0]} does not exist`, result };

    const args: string[] = [];
    const changes: string[] = [];
    const steps: Step[] = [];
    let passwordChange = false;
    const expiresArg = (e: number) => (e < 0 ? '' : dateOf(e));

    if (!have) {
      if (p.uid !== undefined) args.push('-u', String(p.uid), ...(p.nonUnique ? ['-o'] : []));
      if (primary) args.push('-g', String(primary.gid));
      // useradd would try to create a group named after the user and fail when it exists (USERGROUPS_ENAB): Ansible passes -N.
      else if (groups.some((g) => g.name === p.name)) args.push('-N');
      if (wanted.length) args.push('-G', wanted.join(','));
      if (p.comment !== undefined) args.push('-c', p.comment);
      if (p.home !== undefined) args.push('-d', p.home);
      if (p.shell !== undefined) args.push('-s', p.shell);
      if (p.expires !== undefined) args.push('-e', expiresArg(p.expires));
      if (p.createHome) args.push('-m', ...(p.skeleton ? ['-k', p.skeleton] : []));
      else args.push('-M');
      if (p.system) args.push('-r');
      steps.push({ kind: 'exec', cmd: cmd('useradd', ...args, p.name) });
      passwordChange = p.password !== undefined;
      if (p.passwordLock) steps.push({ kind: 'exec', cmd: cmd('usermod', '-L', p.name) });
      changes.push('created');
      result.create_home = p.createHome;
    } else {
      if (p.uid !== undefined && p.uid !== have.uid) {
        args.push('-u', String(p.uid), ...(p.nonUnique ? ['-o'] : []));
        changes.push(`uid ${have.uid} → ${p.uid}`);
      }
      if (primary && primary.gid !== have.gid) {
        args.push('-g', String(primary.gid));
        changes.push(`group ${have.gid} → ${primary.gid}`);
      }
      if (p.groups !== undefined) {
        const current = groups.filter((g) => g.members.includes(p.name)).map((g) => g.name);
        const add = wanted.filter((g) => !current.includes(g));
        const exact = new Set(wanted).size === new Set(current).size && add.length === 0;
        if (p.append ? add.length > 0 : !exact) {
          if (p.append) args.push('-a');
          args.push('-G', wanted.join(','));
          changes.push(
            `groups ${current.join(',') || '(none)'} → ${p.append ? [...current, ...add].join(',') : wanted.join(',') || '(none)'}`,
          );
        }
      }
      if (p.comment !== undefined && p.comment !== have.comment) {
        args.push('-c', p.comment);
        changes.push('comment');
      }
      if (p.home !== undefined && p.home !== have.home) {
        args.push('-d', p.home, ...(p.moveHome ? ['-m'] : []));
        changes.push(`home ${have.home} → ${p.home}`);
      }
      if (p.shell !== undefined && p.shell !== have.shell) {
        args.push('-s', p.shell);
        changes.push(`shell ${have.shell} → ${p.shell}`);
      }
      if (p.expires !== undefined) {
        const days = shadow[7] === undefined || shadow[7] === '' ? -1 : Number(shadow[7]);
        const differs = p.expires < 0 ? days >= 0 : days < 0 || dateOf(days * DAY) !== dateOf(p.expires);
        if (differs) {
          args.push('-e', expiresArg(p.expires));
          changes.push(`expires ${days < 0 ? 'never' : dateOf(days * DAY)} → ${p.expires < 0 ? 'never' : dateOf(p.expires)}`);
        }
      }
      const hash = shadow[1] ?? '';
      if (p.passwordLock === true && !hash.startsWith('!')) {
        args.push('-L');
        changes.push('password locked');
      } else if (p.passwordLock === false && hash.startsWith('!')) {
        args.push('-U');
        changes.push('password unlocked');
      }
      passwordChange =
        p.updatePassword === 'always' && p.password !== undefined && hash.replace(/^!+/, '') !== p.password.replace(/^!+/, '');
      if (args.length) steps.push({ kind: 'exec', cmd: cmd('usermod', ...args, p.name) });
      Object.assign(result, {
        uid: p.uid ?? have.uid,
        group: primary?.gid ?? have.gid,
        comment: p.comment ?? have.comment,
        home: p.home ?? have.home,
        shell: p.shell ?? have.shell,
      });
    }
    if (!have) {
      if (p.uid !== undefined) result.uid = p.uid;
      if (primary) result.group = primary.gid;
      for (const k of ['comment', 'home', 'shell'] as const) if (p[k] !== undefined) result[k] = p[k];
    }
    if (passwordChange && p.password !== undefined) {
      // On stdin, so the hash never shows in a process list.
      const hash = p.passwordLock && !p.password.startsWith('!') ? `!${p.password}` : p.password;
      steps.push({ kind: 'exec', cmd: cmd('chpasswd', '-e'), stdin: `${p.name}:${hash}\n` });
      changes.push('password');
    }
    // As Ansible: after the account is made or changed, chage for the ageing fields /etc/shadow does not hold yet
    // (fields 4, 5 and 6); a new account is compared with nothing, so its chage always runs
    const ageing: [string, number | undefined, number][] = [
      ['-m', p.passwordExpire.min, 3],
      ['-M', p.passwordExpire.max, 4],
      ['-W', p.passwordExpire.warn, 5],
    ];
    const chage = ageing.filter(([, want, i]) => want !== undefined && (!have || shadow[i] !== String(want)));
    if (chage.length) {
      steps.push({ kind: 'exec', cmd: cmd('chage', ...chage.flatMap(([flag, want]) => [flag, String(want)]), p.name) });
      for (const [flag, want, i] of chage)
        changes.push(
          `password ${{ '-m': 'min', '-M': 'max', '-W': 'warn' }[flag]} days ${have ? shadow[i] || '(unset)' : '(new)'} → ${want}`,
        );
    }
    if (p.password !== undefined) result.password = 'NOT_LOGGING_PASSWORD';
    Object.assign(result, { system: p.system, append: p.append, move_home: p.moveHome });
    if (p.groups !== undefined) result.groups = wanted.join(',');

    if (p.sshKey) {
      const k = p.sshKey;
      const [path, ...pub] = (s.sshkey ?? '').split('\n');
      result.ssh_key_file = path || (k.file.startsWith('/') ? k.file : `${p.home ?? have?.home ?? `/home/${p.name}`}/${k.file}`);
      if (path) {
        result.ssh_public_key = pub.join('\n').trim();
      } else {
        const owner = `${quote(p.name)}:"$(id -g ${quote(p.name)})"`;
        const keygen = cmd(
          'ssh-keygen',
          '-q',
          '-t',
          k.type,
          ...(k.bits > 0 ? ['-b', String(k.bits)] : []),
          '-C',
          k.comment || `ansible-generated on ${ctx.host}`,
          '-N',
          k.passphrase ?? '',
        );
        steps.push({
          kind: 'exec',
          cmd: `k=${keyPathExpr(p, k.file)} && d=$(dirname "$k") && { [ -d "$d" ] || { mkdir -p "$d" && chmod 0700 "$d" && chown ${owner} "$d"; }; } && ${keygen} -f "$k" && chown ${owner} "$k" "$k.pub"`,
        });
        changes.push(`ssh key ${result.ssh_key_file}`);
      }
    }

    if (!steps.length) return { changed: false, note: `${p.name} up to date`, result };
    return {
      changed: true,
      steps,
      diff: [{ before: have ? `${s.passwd?.split('\n')[0]}\n` : '', after: `${p.name}: ${changes.join(', ')}\n` }],
      note: `${p.name} ${changes.join(', ')}`,
      result,
    };
  },
});
