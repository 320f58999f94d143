// One long-lived `sh` on one ssh2 session channel, running framed commands one at a time (see shell-frame.ts).
import type { Client, ClientChannel } from 'ssh2';
import { TaskError } from '../errors.js';
import { BecomeIo } from './become-io.js';
import type { ExecOptions } from './connection.js';
import type { BecomeWrap } from './remote-scripts.js';
import { FrameParser, frameKeys, frameScript } from './shell-frame.js';
import type { RawResult } from './ssh-channel.js';

/** The host cannot keep a shell (ForceCommand, restricted shell, no answer): use exec channels instead. */
export class ShellUnavailable extends Error {}

/** The shell channel ended while a command ran on it; the caller decides whether the connection died. */
export class ShellClosed extends Error {}

export interface ShellSpec {
  /** sudo around the shell (a become user's shell); the login user's own shell without it. */
  wrap?: BecomeWrap;
  readyTimeoutMs: number;
}

interface Current {
  parser: FrameParser;
  fail: (e: Error) => void;
}

// What the host offers, asked once and without a fork: setsid (own process group, for timeouts); GNU head, whose
// -c never reads ahead (a busybox or multicall head is a symlink; it may read ahead, so stdin goes to exec channels);
// GNU timeout (coreutils' own file, not busybox's applet, whose options differ): a timed command in 2 processes.
const PROBE =
  'command -v setsid >/dev/null 2>&1 && printf s; [ -f /usr/bin/head ] && [ ! -L /usr/bin/head ] && printf h; ' +
  '[ -f /usr/bin/timeout ] && [ ! -L /usr/bin/timeout ] && printf t; true';

export class PersistentShell {
  private alive = true;
  private current?: Current;
  private canSetsid = false;
  private exactHead = false;
  private gnuTimeout = false;
  private readonly nextKey = frameKeys();

  private constructor(private readonly ch: ClientChannel) {}

  /** Opens the shell and asks what it offers; rejects with ShellUnavailable, or with sudo's refusal as a TaskError. */
  static open(client: Client, spec: ShellSpec): Promise<PersistentShell> {
    return new Promise((resolve, reject) => {
      const cmd = spec.wrap?.cmd ?? 'exec sh';
      const opened = (err: Error | undefined, ch: ClientChannel) => {
        if (err) return reject(new ShellUnavailable(`cannot open a session channel: ${err.message}`));
        const shell = new PersistentShell(ch);
        shell.start(spec).then(
          () => resolve(shell),
          (e) => {
            shell.destroy();
            reject(e);
          },
        );
      };
      try {
        client.exec(cmd, opened);
      } catch (e) {
        reject(new ShellUnavailable(`cannot open a session channel: ${(e as Error).message}`));
      }
    });
  }

  get usable(): boolean {
    return this.alive && !this.current;
  }

  /** Commands the shell cannot frame safely on this host go to an exec channel. */
  canRun(opts: ExecOptions): boolean {
    if (opts.timeout !== undefined && opts.timeout > 0 && !this.canSetsid) return false;
    return opts.stdin === undefined || Buffer.byteLength(opts.stdin) === 0 || this.exactHead;
  }

  destroy(): void {
    this.alive = false;
    this.ch.destroy();
  }

  close(): void {
    this.alive = false;
    this.ch.end();
  }

  private async start(spec: ShellSpec): Promise<void> {
    let code: number | undefined;
    let stderrHead = '';
    let answered = false;
    this.ch.on('exit', (c: number | null) => {
      code = c ?? 255;
    });
    const sudo = spec.wrap?.sudo ? this.sudoIo(spec.wrap) : undefined;
    let sudoRunning = false;
    let probe: () => void = () => undefined;
    this.ch.on('data', (d: Buffer) => {
      if (!sudo || sudoRunning) return this.current?.parser.stdout(d);
      sudo.stdout(d);
      if (!sudo.isStarted) return;
      sudoRunning = true;
      probe();
    });
    this.ch.stderr.on('data', (d: Buffer) => {
      if (sudo && !sudoRunning) return sudo.stderr(d);
      // Until the shell answers, what it says is kept for the reason it could not be kept.
      if (!answered && stderrHead.length < 400) stderrHead += d.toString('utf8');
      this.current?.parser.stderr(d);
    });
    const ready = new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      this.ch.on('close', () => {
        this.alive = false;
        clearTimeout(timer);
        sudo?.dispose();
        const cur = this.current;
        this.current = undefined;
        cur?.fail(new ShellClosed('the shell channel closed'));
        if (sudo && !sudoRunning) {
          try {
            sudo.result(code ?? 255);
          } catch (e) {
            return reject(e);
          }
        }
        const said = stderrHead.trim().split('\n')[0];
        reject(new ShellUnavailable(`the shell ended at once (exit ${code ?? 'unknown'}${said ? `: ${said}` : ''})`));
      });
      timer = setTimeout(
        () => reject(new ShellUnavailable(`no answer from the shell within ${spec.readyTimeoutMs / 1000}s`)),
        spec.readyTimeoutMs,
      );
      probe = () => {
        this.frame(PROBE, { marked: true }, () => undefined).then((r) => {
          clearTimeout(timer);
          answered = true;
          const offers = r.stdout.toString('latin1');
          this.canSetsid = offers.includes('s');
          this.exactHead = offers.includes('h');
          this.gnuTimeout = offers.includes('t');
          resolve();
        }, reject);
      };
      if (sudo) sudo.begin();
      else probe();
    });
    await ready;
  }

  // sudo's side of a become shell: the password once, the marker, and sudo's refusals as clear errors.
  private sudoIo(wrap: BecomeWrap): BecomeIo {
    const ch = this.ch;
    // The stdin BecomeIo holds back is empty: the shell's input is ours. It ends stdin only to stop sudo asking again.
    return new BecomeIo(wrap, { write: (b) => ch.write(b), end: (b) => (b === undefined ? ch.end() : undefined) }, Buffer.alloc(0));
  }

  /**
   * Runs one command. `release` fires once the shell is free again (the frame ended, or the channel is gone),
   * which after a timeout can be later than the promise's rejection.
   */
  run(cmd: string, opts: ExecOptions, release: () => void): Promise<RawResult> {
    return new Promise<RawResult>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const timeoutError = () => new TaskError(`command timed out after ${opts.timeout}s`);
      const settle = (e: Error | undefined, r?: RawResult) => {
        if (settled) return;
        settled = true;
        if (e) reject(e);
        else resolve(r as RawResult);
      };
      const onOutput = opts.onOutput;
      this.frame(
        cmd,
        { stdin: opts.stdin, timeout: opts.timeout, isolated: opts.isolated, onOutput: onOutput && ((b) => onOutput(b.toString('utf8'))) },
        release,
      ).then(
        (r) => {
          clearTimeout(timer);
          settle(timedOut ? timeoutError() : undefined, r);
        },
        (e) => {
          clearTimeout(timer);
          settle(timedOut ? timeoutError() : e);
        },
      );
      const mine = this.current;
      if (opts.timeout !== undefined && opts.timeout > 0) {
        timer = setTimeout(() => {
          timedOut = true;
          // The watchdog in the command's own session kills its process group a second after this; report the
          // timeout promptly anyway, and give up on a shell whose frame never ends (the next command gets a new one).
          setTimeout(() => settle(timeoutError()), 2000).unref();
          setTimeout(() => mine && this.current === mine && this.destroy(), 60_000).unref();
        }, opts.timeout * 1000);
      }
    });
  }

  private frame(
    cmd: string,
    io: { stdin?: string | Buffer; timeout?: number; marked?: boolean; isolated?: boolean; onOutput?: (b: Buffer) => void },
    release: () => void,
  ): Promise<RawResult> {
    const stdin = io.stdin === undefined ? undefined : Buffer.isBuffer(io.stdin) ? io.stdin : Buffer.from(io.stdin);
    const key = this.nextKey();
    const marked = (stdin?.length ?? 0) > 0 || !!io.marked;
    return new Promise<RawResult>((resolve, reject) => {
      if (!this.alive) {
        release();
        return reject(new ShellClosed('the shell channel is closed'));
      }
      const parser = new FrameParser(
        key,
        {
          onStart: () => {
            if (stdin?.length) this.ch.write(stdin);
          },
          onOutput: io.onOutput && ((b) => io.onOutput?.(b)),
          onDone: (r) => {
            this.current = undefined;
            release();
            resolve(r);
          },
        },
        marked,
      );
      this.current = {
        parser,
        fail: (e) => {
          release();
          reject(e);
        },
      };
      this.ch.write(
        frameScript({
          cmd,
          stdinLength: stdin?.length ?? 0,
          timeout: io.timeout,
          gnuTimeout: this.gnuTimeout,
          key,
          marked,
          isolated: io.isolated,
        }),
      );
    });
  }
}
