// The shell snippets behind become, put and readFile, shared by the ssh and local connections.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { TaskError } from '../errors.js';
import { quote } from './quote.js';

export interface BecomeWrap {
  cmd: string;
  /** Present when the command runs through sudo (see become-io.ts, which drives the exchange). */
  sudo?: SudoExchange;
}

/** What the controller needs to talk to the sudo in a wrapped command, and to explain its failures. */
export interface SudoExchange {
  /** The command prints this line on stdout first, as the become user: sudo let it start. Stripped. */
  marker: string;
  /** sudo -S's prompt on stderr (only when a password is sent): a second one means the password was wrong. */
  prompt?: string;
  /** The password line, sent before the command's stdin. */
  password?: Buffer;
  login: string;
  target: string;
}

export interface BecomeRequest {
  become?: boolean;
  /** The user to become (become_user); root when absent. */
  becomeUser?: string;
  /** The user the connection runs as (ansible_user). */
  loginUser: string;
  password?: string;
  /** Random per command; fixed by tests. */
  nonce?: string;
}

/**
 * The command as the become user. Nothing to do without become or when already that user; otherwise sudo:
 * `sudo -n` when no password is known (or from root), else `sudo -k -S` with the password on stdin, never argv.
 * -k ignores cached tickets, so whether sudo reads the password line depends on sudoers alone; when it would not
 * read it (NOPASSWD), the outer shell reads it off first so it never reaches the command. `read` takes one byte at
 * a time from a pipe, leaving the rest. -H sets HOME to the become user's, as Ansible does.
 */
export function wrapBecome(cmd: string, r: BecomeRequest): BecomeWrap {
  const target = r.becomeUser || 'root';
  if (!r.become || r.loginUser === target) return { cmd };
  const nonce = r.nonce ?? randomBytes(8).toString('hex');
  const marker = `RUNBOOK-BECOME-${nonce}`;
  const user = target === 'root' ? ' -H' : ` -H -u ${quote(target)}`;
  const inner = `sh -c ${quote(`echo ${marker}\n${cmd}`)}`;
  const base = { marker, login: r.loginUser, target };
  if (r.password === undefined || r.loginUser === 'root') return { cmd: `sudo -n${user} -- ${inner}`, sudo: base };
  const prompt = `RUNBOOK-SUDO-PROMPT-${nonce}:`;
  return {
    cmd: `if sudo -k -n${user} true 2>/dev/null; then IFS= read -r _; exec sudo -n${user} -- ${inner}; else exec sudo -k -S -p ${prompt}${user} -- ${inner}; fi`,
    sudo: { ...base, prompt, password: Buffer.from(`${r.password}\n`) },
  };
}

// sshd ignores channel signals for root logins ("requires privilege separation"), and a signal
// only reaches one process anyway: a watchdog in the session's process group kills the whole group
// a second after the controller's own deadline, so timed-out pipelines really end.
export function withWatchdog(cmd: string, seconds: number): string {
  const n = Math.ceil(seconds) + 1;
  return [
    `( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep ${n} & s=$!; wait $s; kill -s KILL 0 ) </dev/null >/dev/null 2>&1 &`,
    'w=$!',
    `sh -c ${quote(cmd)}`,
    'r=$?',
    'kill $w 2>/dev/null',
    'exit $r',
  ].join('\n');
}

// Octal modes only ("0644", "755"); anything else would reach chmod as an option or a word.
export function checkMode(mode: string): string {
  if (!/^0?[0-7]{3,4}$/.test(mode)) throw new TaskError(`invalid file mode "${mode}": expected octal such as 0644`);
  return mode;
}

/** chown's `owner:group` argument, or undefined when neither is given. */
export const ownerSpec = (owner?: string, group?: string): string | undefined =>
  owner || group ? `${owner ?? ''}${group ? `:${group}` : ''}` : undefined;

// Atomic upload: temp file beside dest, chown, chmod, rename; stale temps from interrupted runs go first.
// `size` (bytes expected): a stdin that ends early (connection dropped) must not be renamed into place.
// `who` (chown's owner:group): set on the temp file in the same command, so dest never shows the wrong owner.
// Every process counts on a busy host: the stale-temp sweep runs only when a temp is there, the temp is made by the
// shell itself (noclobber: O_EXCL, as mktemp), the mode and owner kept come from one stat, and a successful rename
// clears the exit trap (its `rm` would be one more process for nothing).
export function putScript(dest: string, mode?: string, size?: number, who?: string, nonce?: string, inline?: string): string {
  if (dest === '' || dest.endsWith('/')) throw new TaskError(`upload destination "${dest}" is not a file path`);
  const dir = posix.dirname(dest);
  const m = mode === undefined ? '' : checkMode(mode);
  // Overwriting keeps the replaced file's owner where it may (root; others only to themselves): unless both owner
  // and group are given, the old owner:group goes on first (an owner alone keeps the old group).
  const keepOwner = !(who !== undefined && /^[^:]+:[^:]+$/.test(who));
  // What one stat of the replaced file must give: its mode unless one is given, its owner unless both are given.
  const fields = [...(m ? [] : ['%a']), ...(keepOwner ? ['%u:%g'] : [])];
  // The replaced file already this user's and group's, in a directory that hands out no group of its own: the temp
  // has that owner and group from the start, so neither stat nor chown is needed for them.
  const own = '{ [ -O "$f" ] && [ -G "$f" ] && [ ! -g "$d" ]; }';
  const statOf = (f: string[]) =>
    `x=$(stat -c '${f.join(' ')}' -- "$f" 2>/dev/null) || x=$(stat -f '${f.join(' ').replace('%a', '%Lp')}' -- "$f" 2>/dev/null) || x=`;
  return [
    'umask 077',
    `d=${quote(dir)}`,
    `f=${quote(dest)}`,
    'set -- "$d"/.runbook-tmp.*',
    // A temp named after a writer shell that no longer exists (killed mid-upload) is stale at once.
    `[ -e "$1" ] && { find "$d" -maxdepth 1 -type f -name '.runbook-tmp.*' -mmin +10 -exec rm -f {} + 2>/dev/null; [ -d /proc/self ] && for s in "$d"/.runbook-tmp.*.*; do [ -f "$s" ] || continue; p=\${s#"$d/.runbook-tmp."}; p=\${p%%.*}; [ -d "/proc/$p" ] || rm -f -- "$s"; done; }`,
    `t="$d/.runbook-tmp.$$.${nonce ?? randomBytes(6).toString('hex')}"`,
    `trap 'rm -f "$t"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    ...(m
      ? keepOwner
        ? [`x=; if [ -e "$f" ] && ! ${own}; then ${statOf(fields)}; fi`, 'set -- $x; o=$1']
        : []
      : [
          `x=; if [ -e "$f" ]; then ${statOf(fields)}; fi`,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
          `set -- $x; m=\${1:-0644}; o=${keepOwner ? '$2' : ''}`,
        ]),
    ...(m ? [`m=${m}`] : []),
    // A mode with no execute or special bit (given, the replaced file's, or 0644 for a new one) is what the shell gives
    // a new file under the opposite umask, worked out digit by digit by the shell itself: the temp is made with it and
    // no chmod runs (one process fewer per file written).
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    'case $m in [0246][0246][0246] | 0[0246][0246][0246]) u=${m#0}; a=${u%??}; b=${u#?}; b=${b%?}; c=${u#??}; umask $((7 - a))$((7 - b))$((7 - c)); m= ;; esac',
    // noclobber: the shell creates the temp with O_EXCL (a planted file or symlink makes it fail, as mktemp would).
    // Content in the script itself: the shell runs nothing of a script it has not read whole, so no size check.
    inline !== undefined
      ? `set -C; printf %s ${quote(inline)} > "$t" || exit 1; set +C`
      : size === undefined
        ? 'set -C; cat > "$t" || exit 1; set +C'
        : `set -C; cat > "$t" || exit 1; set +C; n=$(wc -c < "$t"); [ "$n" -eq ${size} ] || { echo "upload interrupted: $n of ${size} bytes arrived; $f left as it was" >&2; exit 1; }`,
    // (no chown where the replaced file is already this user's and group's, and the directory hands out no group of
    // its own: the temp has that owner and group from the start)
    ...(keepOwner ? [`[ -z "$o" ] || ${own} || chown "$o" "$t" 2>/dev/null || :`] : []),
    // chown before chmod: chown clears setuid/setgid bits the mode may set.
    ...(who === undefined
      ? []
      : [`chown ${quote(who)} "$t" || { echo ${quote(`chown ${who} failed: ${dest} left as it was`)} >&2; exit 1; }`]),
    '{ [ -z "$m" ] || chmod "$m" "$t"; } && mv -f "$t" "$f" && trap - EXIT',
  ].join('\n');
}

// LC_ALL=C so the "No such file" text is stable whatever the remote locale.
export function readScript(path: string): string {
  return `LC_ALL=C cat -- ${quote(path)}`;
}

// null for absent (ENOENT/ENOTDIR); other failures such as EACCES are task errors.
export function interpretRead(path: string, code: number, stdout: Buffer, stderr: string, become?: boolean): Buffer | null {
  if (code === 0) return stdout;
  if (/No such file or directory|Not a directory/.test(stderr)) return null;
  throw new TaskError(`cannot read ${path}: ${stderr.trim() || `cat exited with ${code}`}`, {
    hint: /Permission denied/.test(stderr) ? permissionHint('read', become) : undefined,
  });
}

// Failure text of an upload, from the script's stderr.
export function putError(dest: string, code: number, stderr: string, become?: boolean): TaskError {
  return new TaskError(`cannot write ${dest}: ${stderr.trim() || `upload exited with ${code}`}`, {
    hint: /Permission denied/.test(stderr) ? permissionHint('write', become) : undefined,
  });
}

function permissionHint(verb: string, become?: boolean): string {
  return become
    ? `the become user may not ${verb} it: check become_user, or the path's owner and mode`
    : `use become: true to ${verb} it as root`;
}
