// The controller's side of a command wrapped by wrapBecome: the password line first, the command's stdin only
// once sudo has let the command start (so a wrong password never makes sudo read file content as more
// attempts), the marker line and sudo's prompts taken out of the output, and sudo's refusals as clear errors.
import { TaskError } from '../errors.js';
import type { BecomeWrap, SudoExchange } from './remote-scripts.js';
import type { RawResult } from './ssh-channel.js';

/** How long sudo may take to start the command once it has the password (a PAM prompt we do not know waits for ever). */
export const BECOME_START_TIMEOUT_MS = 20_000;

export interface BecomeSink {
  write(b: Buffer): void;
  end(b?: string | Buffer): void;
}

export class BecomeIo {
  private readonly sudo?: SudoExchange;
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  /** stdout / stderr that arrived before the marker: sudo's own, until the command starts */
  private outHead = Buffer.alloc(0);
  private errHead = Buffer.alloc(0);
  private started = false;
  private ended = false;
  private prompts = 0;
  private stalled = false;
  private timer?: NodeJS.Timeout;

  constructor(
    wrap: BecomeWrap,
    private readonly sink: BecomeSink,
    private readonly stdin?: string | Buffer,
    private readonly startTimeoutMs = BECOME_START_TIMEOUT_MS,
  ) {
    this.sudo = wrap.sudo;
  }

  /** sudo has started the command (its marker line came). */
  get isStarted(): boolean {
    return this.started;
  }

  /** Sends what may go now: everything without sudo; with it, the password line, and stdin only once sudo let the command start. */
  begin(): void {
    if (this.sudo?.password) this.sink.write(this.sudo.password);
    // Without a password sudo -n never reads stdin, and without stdin there is nothing to hold back.
    if (!this.sudo?.password || this.stdin === undefined) {
      this.endStdin(this.stdin);
      return;
    }
    this.timer = setTimeout(() => {
      this.stalled = true;
      this.endStdin();
    }, this.startTimeoutMs);
    this.timer.unref?.();
  }

  stdout(d: Buffer): void {
    if (this.started || !this.sudo) return void this.out.push(d);
    this.outHead = Buffer.concat([this.outHead, d]);
    const line = Buffer.from(`${this.sudo.marker}\n`);
    const i = this.outHead.indexOf(line);
    if (i < 0) return;
    // Whatever came before the marker is sudo's (a PAM notice): not the command's output.
    this.out.push(this.outHead.subarray(i + line.length));
    this.outHead = Buffer.alloc(0);
    this.started = true;
    clearTimeout(this.timer);
    this.endStdin(this.stdin);
  }

  stderr(d: Buffer): void {
    if (this.started || !this.sudo?.prompt) return void this.err.push(d);
    this.errHead = Buffer.concat([this.errHead, d]);
    const prompts = count(this.errHead, this.sudo.prompt);
    // Asked again: the password was wrong. End stdin so sudo gives up now instead of reading the command's input.
    if (prompts > 1 && this.prompts <= 1) this.endStdin();
    this.prompts = prompts;
  }

  /** Stops the start timer (the channel closed or was torn down). */
  dispose(): void {
    clearTimeout(this.timer);
  }

  /** The command's own output; throws a TaskError when sudo did not run the command. */
  result(code: number): RawResult {
    this.dispose();
    const stderr = Buffer.concat([this.promptless(), ...this.err]);
    if (this.sudo && !this.started)
      throw becomeFailure(this.sudo, code, stderr.toString('utf8'), this.prompts, this.stalled ? this.startTimeoutMs : undefined);
    return { code, stdout: Buffer.concat(this.out), stderr };
  }

  private promptless(): Buffer {
    const prompt = this.sudo?.prompt;
    if (!prompt || this.errHead.length === 0) return this.errHead;
    return Buffer.from(this.errHead.toString('latin1').split(prompt).join(''), 'latin1');
  }

  private endStdin(data?: string | Buffer): void {
    if (this.ended) return;
    this.ended = true;
    if (data === undefined) this.sink.end();
    else this.sink.end(data);
  }
}

function count(haystack: Buffer, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Why sudo did not run the command, in words a user can act on. The password is never part of it. */
export function becomeFailure(s: SudoExchange, code: number, stderr: string, prompts: number, stalledAfterMs?: number): TaskError {
  const said = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
  const detail = said ? `: ${said}` : '';
  const as = `${s.login} → ${s.target}`;
  if (code === 127 || /sudo: (command )?not found|sudo: No such file/i.test(stderr)) {
    return new TaskError(`become (${as}) failed: sudo is not installed on this host`, {
      hint: `install sudo there, or connect as ${s.target} (ansible_user)`,
    });
  }
  if (/is not in the sudoers file|is not allowed to (execute|run)|may not run sudo|not allowed to run sudo/i.test(stderr)) {
    return new TaskError(`become (${as}) failed: sudoers does not let ${s.login} run commands as ${s.target}${detail}`, {
      hint: `add a rule for ${s.login} in /etc/sudoers.d on the host`,
    });
  }
  if (prompts > 1 || /incorrect password attempt|Sorry, try again/i.test(stderr)) {
    return new TaskError(`become (${as}) failed: sudo rejected the become password (incorrect password)`, {
      hint: 'check ansible_become_password for this host (inventory, vault file or -e)',
    });
  }
  if (!s.password && /password is required|no password was provided/i.test(stderr)) {
    return new TaskError(`become (${as}) failed: sudo requires a password for ${s.login} and none was given`, {
      hint: `set ansible_become_password (in a vault-encrypted group_vars/host_vars file, or -e), or give ${s.login} NOPASSWD in sudoers`,
    });
  }
  if (stalledAfterMs !== undefined) {
    return new TaskError(
      `become (${as}) failed: sudo did not start the command within ${stalledAfterMs / 1000}s of getting the password${detail}`,
      {
        hint: 'sudo may be asking for more than a password (a PAM prompt runbook does not answer)',
      },
    );
  }
  return new TaskError(`become (${as}) failed: sudo exited with ${code}${detail}`);
}
