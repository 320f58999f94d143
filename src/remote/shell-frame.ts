// The framing of one command on a persistent `sh`: the script sent to the shell, and the parser of what comes back.
import { randomBytes } from 'node:crypto';
import { quote } from './quote.js';
import { withWatchdog } from './remote-scripts.js';
import { stateless } from './stateless.js';

export interface FrameRequest {
  cmd: string;
  /** Bytes the command reads on its stdin (it sees end-of-file after them). */
  stdinLength: number;
  /** Seconds; the command runs in its own process group, killed whole a second after the controller gives up. */
  timeout?: number;
  /** The host's /usr/bin/timeout is GNU coreutils': it runs a timed command (else setsid and a watchdog: 5 processes). */
  gnuTimeout?: boolean;
  /** Random per command, so the command's own output cannot forge the end of its frame; fixed by tests. */
  key?: string;
  /** Start markers even without stdin: whatever the shell printed before (a noisy rc file) is not the output. */
  marked?: boolean;
  /** The command changes nothing in the shell (ExecOptions.isolated): run in it, as a stateless one is. */
  isolated?: boolean;
}

/**
 * One command as shell text. With stdin, start markers on stdout and stderr open the frame and say the shell is
 * ready for the command's stdin (read as exactly N bytes by `head -c`, never more, so the shell's own input stays
 * framed); end markers close it on both streams, stdout's with the exit status. The command runs in a subshell (`( eval … )`: a
 * fork, no exec), so cd, export and umask die with it, unless it is one that cannot change them (stateless.ts). One `{ }` group, so sh has read all of it before the start
 * marker goes out.
 */
export function frameScript(r: FrameRequest & { key: string }): string {
  const k = r.key;
  const line = unwrapSh(r.cmd);
  // A command that cannot change the shell (stateless.ts) runs in it: no subshell, one fork fewer on the host.
  const run =
    r.timeout !== undefined && r.timeout > 0
      ? timed(r.cmd, r.timeout, r.gnuTimeout === true)
      : r.isolated || stateless(line)
        ? `{ eval ${quote(line)}\n}`
        : `( eval ${quote(line)} )`;
  // The rest of the N bytes is drained even when the command does not read them all.
  const body = r.stdinLength > 0 ? `head -c ${r.stdinLength} | { ${run}; rb_r=$?; cat >/dev/null; exit $rb_r; }` : `${run} </dev/null`;
  // Start markers only where stdin follows: each is one more packet each way, and most commands read no stdin.
  const start = r.stdinLength > 0 || r.marked ? `printf '${k}<\\n'; printf '${k}<\\n' >&2; ` : '';
  return `{ ${start}${body}\nrb_r=$?; printf '\\n${k}>%d\\n' "$rb_r"; printf '\\n${k}>\\n' >&2; }\n`;
}

/**
 * A command with a deadline. GNU timeout puts itself in a new process group, and its KILL on expiry goes to that whole
 * group (itself included): the command and every child left in the group end, the shell does not. Elsewhere setsid
 * and withWatchdog do the same with a sleeping subshell: three processes more.
 */
export function timed(cmd: string, seconds: number, gnuTimeout: boolean): string {
  return gnuTimeout ? `timeout -s KILL ${Math.ceil(seconds) + 1} sh -c ${quote(cmd)}` : `setsid sh -c ${quote(withWatchdog(cmd, seconds))}`;
}

/**
 * The line of `/bin/sh -c '<line>'` (how the shell module runs a task), run straight in the subshell: the persistent
 * shell is sh already, and a second sh per task was a clear share of the remote work. Anything else is left as it is.
 */
export function unwrapSh(cmd: string): string {
  const head = '/bin/sh -c ';
  if (!cmd.startsWith(head)) return cmd;
  const rest = cmd.slice(head.length);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(rest)) return rest;
  if (rest.length < 2 || !rest.startsWith("'") || !rest.endsWith("'")) return cmd;
  const parts = rest.slice(1, -1).split(`'\\''`);
  return parts.some((p) => p.includes("'")) ? cmd : parts.join("'");
}

/** Random frame keys, 96 bits each, drawn from a pool (one getrandom call per 64 commands, not per command). */
export function frameKeys(): () => string {
  let pool = Buffer.alloc(0);
  return () => {
    if (pool.length < 12) pool = randomBytes(12 * 64);
    const k = `RB${pool.subarray(0, 12).toString('hex')}`;
    pool = pool.subarray(12);
    return k;
  };
}

/** One of the two streams of a frame: skip to the start marker, pass the body on, stop at the end marker. */
class StreamCut {
  private phase: 'pre' | 'body' | 'tail' | 'done' = 'pre';
  private held: Buffer = Buffer.alloc(0);
  private readonly start: Buffer;
  private readonly end: Buffer;
  private readonly chunks: Buffer[] = [];
  /** What followed the end marker up to its newline (stdout: the exit status). */
  trailer = '';

  constructor(
    key: string,
    withStart: boolean,
    private readonly onStart: () => void,
    private readonly onBody: (b: Buffer) => void,
    private readonly onDone: () => void,
  ) {
    if (!withStart) this.phase = 'body';
    this.start = Buffer.from(`${key}<\n`);
    this.end = Buffer.from(`\n${key}>`);
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }

  push(d: Buffer): void {
    let b = this.held.length ? Buffer.concat([this.held, d]) : d;
    this.held = Buffer.alloc(0);
    if (this.phase === 'pre') {
      const i = b.indexOf(this.start);
      // Whatever came before is not this command's (a background job of an earlier one): dropped.
      if (i < 0) return void (this.held = keepTail(b, this.start.length - 1));
      b = b.subarray(i + this.start.length);
      this.phase = 'body';
      this.onStart();
    }
    if (this.phase === 'body') {
      const i = b.indexOf(this.end);
      if (i < 0) {
        // A marker split across chunks: hold back what could be its beginning.
        const cut = Math.max(0, b.length - (this.end.length - 1));
        this.emit(b.subarray(0, cut));
        this.held = Buffer.from(b.subarray(cut));
        return;
      }
      this.emit(b.subarray(0, i));
      b = b.subarray(i + this.end.length);
      this.phase = 'tail';
    }
    if (this.phase === 'tail') {
      const nl = b.indexOf(10);
      if (nl < 0) return void (this.held = Buffer.from(b));
      this.trailer = b.subarray(0, nl).toString('latin1');
      this.phase = 'done';
      this.onDone();
    }
  }

  private emit(b: Buffer): void {
    if (b.length === 0) return;
    const copy = Buffer.from(b);
    this.chunks.push(copy);
    this.onBody(copy);
  }
}

function keepTail(b: Buffer, n: number): Buffer {
  return Buffer.from(b.subarray(Math.max(0, b.length - n)));
}

export interface FrameEvents {
  /** The shell has started the command: its stdin may be sent now. */
  onStart?: () => void;
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  onDone: (r: { code: number; stdout: Buffer; stderr: Buffer }) => void;
}

/** Reads one command's frame off the shell's stdout and stderr, in chunks of any size and split anywhere. */
export class FrameParser {
  private readonly out: StreamCut;
  private readonly err: StreamCut;
  private started = 0;

  /** withStart: the frame has start markers (it carries stdin); without, the body begins with the first byte. */
  constructor(key: string, ev: FrameEvents, withStart = true) {
    const started = () => {
      if (++this.started === 1) ev.onStart?.();
    };
    const done = () => {
      if (!this.out.done || !this.err.done) return;
      const code = Number.parseInt(this.out.trailer, 10);
      ev.onDone({ code: Number.isNaN(code) ? 255 : code, stdout: this.out.body, stderr: this.err.body });
    };
    this.out = new StreamCut(key, withStart, started, (b) => ev.onOutput?.(b, 'stdout'), done);
    this.err = new StreamCut(key, withStart, started, (b) => ev.onOutput?.(b, 'stderr'), done);
  }

  stdout(d: Buffer): void {
    this.out.push(d);
  }

  stderr(d: Buffer): void {
    this.err.push(d);
  }
}
