// SSH public keys kept in (or out of) a user's authorized_keys, matched by key blob as Ansible does.

import { cmd, quote } from '../../remote/quote.js';
import { fail } from '../args.js';
import { planWrite, statPaths } from '../fs.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { exactFileText } from './probe-file.js';
import { parsePasswdLine } from './user.js';

/** The key types sshd accepts in authorized_keys (Ansible's list). */
const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-ed25519-cert-v01@openssh.com',
  'ssh-rsa',
  'ssh-rsa-cert-v01@openssh.com',
  'ssh-dss',
  'ssh-dss-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ssh-ed25519@openssh.com',
];

export interface ParsedKey {
  options?: string;
  type: string;
  blob: string;
  comment?: string;
}

export interface AuthorizedKeyArgs {
  user: string;
  keys: ParsedKey[];
  state: 'present' | 'absent';
  path?: string;
  manageDir: boolean;
  exclusive: boolean;
  keyOptions?: string;
  comment?: string;
  follow: boolean;
  raw: Record<string, unknown>;
}

// Words split on blanks outside double quotes (options such as command="a b" hold blanks).
function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === ' ' || c === '\t')) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** One authorized_keys line as [options] type blob [comment]; undefined for comments, blanks and junk. */
export function parseKeyLine(line: string): ParsedKey | undefined {
  const t = line.trim();
  if (!t || t.startsWith('#')) return undefined;
  const w = words(t);
  const i = w.findIndex((x) => KEY_TYPES.includes(x));
  if (i < 0 || i > 1 || w.length < i + 2) return undefined;
  return {
    options: i === 1 ? w[0] : undefined,
    type: w[i],
    blob: w[i + 1],
    comment: w.length > i + 2 ? w.slice(i + 2).join(' ') : undefined,
  };
}

export const keyLine = (k: ParsedKey): string =>
  `${k.options ? `${k.options} ` : ''}${k.type} ${k.blob}${k.comment ? ` ${k.comment}` : ''}`;

/** The file as it should be: kept lines in place, changed keys rewritten where they were, new ones appended. */
export function nextKeysFile(text: string, p: Pick<AuthorizedKeyArgs, 'keys' | 'state' | 'exclusive'>): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: (string | undefined)[] = lines.map((l) => {
    const k = parseKeyLine(l);
    const mine = k && p.keys.some((x) => x.blob === k.blob);
    if (p.state === 'absent') return mine ? undefined : l;
    return p.exclusive && !mine ? undefined : l;
  });
  if (p.state === 'present') {
    for (const want of p.keys) {
      const i = lines.findIndex((l, j) => out[j] !== undefined && parseKeyLine(l)?.blob === want.blob);
      if (i >= 0) {
        const have = parseKeyLine(lines[i])!;
        // A line already holding exactly this key stays as written (spacing included).
        if (have.options !== want.options || have.comment !== want.comment || have.type !== want.type) out[i] = keyLine(want);
        // Later copies of the same key go.
        for (let j = i + 1; j < lines.length; j++) if (parseKeyLine(lines[j])?.blob === want.blob) out[j] = undefined;
      } else out.push(keyLine(want));
    }
  }
  const kept = out.filter((l): l is string => l !== undefined);
  return kept.length ? `${kept.join('\n')}\n` : '';
}

export const authorizedKey = defineModule({
  name: 'authorized_key',
  doc: 'SSH public keys present in or absent from a user’s authorized_keys (matched by key, options and comment kept in order).',
  example: "authorized_key: {user: deploy, key: \"{{ lookup('file', 'files/deploy.pub') }}\"}",
  args: {
    user: { required: true, description: 'the account whose authorized_keys is managed' },
    key: { required: true, description: 'one or more public keys, one per line (a URL is refused: hosts fetch nothing)' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'whether the keys are in the file' },
    path: { type: 'path', description: 'the file (default ~user/.ssh/authorized_keys)' },
    manage_dir: {
      type: 'bool',
      default: true,
      description: 'create the file’s directory (mode 0700, owned by the user) when it is missing',
    },
    exclusive: { type: 'bool', default: false, description: 'remove every other line of the file' },
    key_options: { description: 'options put before each key (no-port-forwarding,from="10.0.0.1")' },
    comment: { description: 'comment written after each key, replacing the key’s own' },
    follow: { type: 'bool', default: false, description: 'resolve a symlinked path and write its target' },
    validate_certs: { type: 'bool', default: true, description: 'accepted for compatibility (keys from URLs are refused)' },
  },
  build(v, a): AuthorizedKeyArgs {
    const key = v.key.trim();
    if (/^(https?|ftp):\/\//i.test(key))
      fail(
        a,
        'a key given as a URL is refused: lab and production hosts are not assumed to reach the internet',
        "put the key text in key: (e.g. key: \"{{ lookup('file', 'files/user.pub') }}\")",
      );
    const keys: ParsedKey[] = [];
    if (!key.includes('{{')) {
      for (const line of key.split('\n')) {
        if (!line.trim() || line.trim().startsWith('#')) continue;
        const k = parseKeyLine(line);
        if (!k) fail(a, `invalid key specified: ${line.trim().slice(0, 40)}…`);
        if (v.key_options !== undefined) k.options = v.key_options || undefined;
        if (v.comment !== undefined) k.comment = v.comment || undefined;
        keys.push(k);
      }
      if (!keys.length) fail(a, 'argument "key" holds no key');
    }
    return {
      user: v.user,
      keys,
      state: v.state as AuthorizedKeyArgs['state'],
      path: v.path,
      manageDir: v.manage_dir,
      exclusive: v.exclusive,
      keyOptions: v.key_options,
      comment: v.comment,
      follow: v.follow,
      raw: { key: v.key, key_options: v.key_options ?? null, comment: v.comment ?? null, validate_certs: v.validate_certs },
    };
  },
  async plan(p, probe, ctx): Promise<Plan> {
    const given = p.path === undefined ? `"$(${cmd('getent', 'passwd', p.user)} | cut -d: -f6)"/.ssh/authorized_keys` : quote(p.path);
    const script = [
      section('passwd', `${cmd('getent', 'passwd', p.user)} 2>/dev/null`),
      `f=${given}`,
      ...(p.follow ? ['f=$(readlink -f -- "$f" || printf %s "$f")'] : []),
      section('path', 'printf "%s\\n" "$f"'),
      section('dir', '[ -d "$(dirname -- "$f")" ] && echo yes'),
      'if [ -f "$f" ]; then echo @@file; base64 -w0 < "$f"; echo; fi',
    ].join('; ');
    const s = sections((await probe.run(script)).stdout);
    const pw = parsePasswdLine(s.passwd?.split('\n')[0] ?? '');
    const result: Record<string, unknown> = {
      user: p.user,
      state: p.state,
      manage_dir: p.manageDir,
      exclusive: p.exclusive,
      follow: p.follow,
      unique: false,
      ...p.raw,
    };
    if (!pw) return { changed: false, failed: `Failed to lookup user ${p.user}: no such user`, result };
    const path = s.path?.split('\n')[0] || `${pw.home}/.ssh/authorized_keys`;
    const dir = path.replace(/\/[^/]*$/, '') || '/';
    Object.assign(result, { keyfile: path, path: p.path ?? null });
    const old = exactFileText(s.file);
    const next = nextKeysFile(old ?? '', p);
    const what = `${p.keys.length} key${p.keys.length === 1 ? '' : 's'} ${p.state} in ${path}`;
    if (old === undefined ? p.state === 'absent' || next === '' : next === old) return { changed: false, note: what, result };

    const steps: Step[] = [];
    const owner = String(pw.uid);
    const group = String(pw.gid);
    if (old === undefined) {
      if (s.dir?.trim() !== 'yes') {
        if (!p.manageDir) return { changed: false, failed: `directory ${dir} does not exist (manage_dir is off)`, result };
        steps.push({
          kind: 'exec',
          cmd: `mkdir -p ${quote(dir)} && chown ${quote(`${owner}:${group}`)} ${quote(dir)} && chmod 0700 ${quote(dir)}`,
        });
      }
      steps.push({ kind: 'upload', dest: path, content: Buffer.from(next), mode: '0600', owner, group });
      return { changed: true, steps, diff: [{ path, before: '', after: next }], note: what, result };
    }
    const [have] = await statPaths(probe, [path], { follow: true, hash: true });
    const write = await planWrite({ dest: path, content: Buffer.from(next), old: Buffer.from(old) }, have, probe, ctx);
    return { ...write, note: write.failed ? write.note : what, result: { ...result, ...(write.result ?? {}) } };
  },
});
