// The shell snippets behind become, put and readFile, shared by the ssh and local connections.
import { posix } from 'node:path';
import { TaskError } from '../errors.js';
import { quote } from './quote.js';

export interface BecomeWrap {
  cmd: string;
  /** Bytes to send on stdin before the caller's stdin (the sudo password line). */
  prefix?: Buffer;
}

// sudo -n when no password is known; with one, sudo -S reads it from stdin, never from argv.
export function wrapBecome(cmd: string, become: boolean | undefined, isRoot: boolean, password?: string): BecomeWrap {
  if (!become || isRoot) return { cmd };
  const inner = `sh -c ${quote(cmd)}`;
  if (password === undefined) return { cmd: `sudo -n -- ${inner}` };
  // If sudo would not prompt (NOPASSWD, cached ticket) the password line must not reach the command:
  // the outer shell reads it off first. `read` takes one byte at a time from a pipe, leaving the rest.
  return {
    cmd: `if sudo -n true 2>/dev/null; then IFS= read -r _ ; exec sudo -n -- ${inner}; else exec sudo -S -p '' -- ${inner}; fi`,
    prefix: Buffer.from(`${password}\n`),
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

// Atomic upload: temp file beside dest, chmod, rename; stale temps from interrupted runs go first.
// `size` (bytes expected): a stdin that ends early (connection dropped) must not be renamed into place.
export function putScript(dest: string, mode?: string, size?: number): string {
  if (dest === '' || dest.endsWith('/')) throw new TaskError(`upload destination "${dest}" is not a file path`);
  const dir = posix.dirname(dest);
  const m = mode === undefined ? '' : checkMode(mode);
  return [
    'umask 077',
    `d=${quote(dir)}`,
    `f=${quote(dest)}`,
    `find "$d" -maxdepth 1 -type f -name '.runbook-tmp.*' -mmin +10 -exec rm -f {} + 2>/dev/null`,
    // A temp named after a writer shell that no longer exists (killed mid-upload) is stale at once.
    `[ -d /proc/self ] && for s in "$d"/.runbook-tmp.*.*; do [ -f "$s" ] || continue; p=\${s#"$d/.runbook-tmp."}; p=\${p%%.*}; [ -d "/proc/$p" ] || rm -f -- "$s"; done`,
    `t=$(mktemp "$d/.runbook-tmp.$$.XXXXXX") || exit 1`,
    `trap 'rm -f "$t"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    m ? `m=${m}` : 'm=$(stat -c %a -- "$f" 2>/dev/null || stat -f %Lp -- "$f" 2>/dev/null) || m=0644; [ -n "$m" ] || m=0644',
    // Overwriting as root keeps the existing owner; new files belong to the connecting user.
    `if [ -e "$f" ] && [ "$(id -u)" = 0 ]; then o=$(stat -c %u:%g -- "$f" 2>/dev/null) && chown "$o" "$t"; fi`,
    size === undefined
      ? 'cat > "$t" && chmod "$m" "$t" && mv -f "$t" "$f"'
      : `cat > "$t" || exit 1; n=$(wc -c < "$t"); [ "$n" -eq ${size} ] || { echo "upload interrupted: $n of ${size} bytes arrived; $f left as it was" >&2; exit 1; }; chmod "$m" "$t" && mv -f "$t" "$f"`,
  ].join('\n');
}

// LC_ALL=C so the "No such file" text is stable whatever the remote locale.
export function readScript(path: string): string {
  return `LC_ALL=C cat -- ${quote(path)}`;
}

// null for absent (ENOENT/ENOTDIR); other failures such as EACCES are task errors.
export function interpretRead(path: string, code: number, stdout: Buffer, stderr: string): Buffer | null {
  if (code === 0) return stdout;
  if (/No such file or directory|Not a directory/.test(stderr)) return null;
  throw new TaskError(`cannot read ${path}: ${stderr.trim() || `cat exited with ${code}`}`, {
    hint: /Permission denied/.test(stderr) ? 'use become: true to read it as root' : undefined,
  });
}

// Failure text of an upload, from the script's stderr.
export function putError(dest: string, code: number, stderr: string): TaskError {
  return new TaskError(`cannot write ${dest}: ${stderr.trim() || `upload exited with ${code}`}`, {
    hint: /Permission denied/.test(stderr) ? 'use become: true to write it as root' : undefined,
  });
}
