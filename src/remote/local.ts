// `connection: local`: the same Connection contract, run on the controller through /bin/sh.
import { spawn } from 'node:child_process';
import { constants, userInfo } from 'node:os';
import { TaskError } from '../errors.js';
import { BecomeIo } from './become-io.js';
import type { Connection, ExecOptions } from './connection.js';
import { wrapBecome } from './remote-scripts.js';
import { ShellConnection } from './shell-connection.js';

interface RawResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

// A controller-side Connection; one command at a time, like an ssh host.
export function connectLocal(opts: { name?: string; becomePassword?: string } = {}): Connection {
  return new LocalConnection(opts.name ?? 'localhost', opts.becomePassword);
}

class LocalConnection extends ShellConnection {
  readonly local = true;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly host: string,
    private readonly becomePassword?: string,
  ) {
    super();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  protected run(cmd: string, opts: ExecOptions): Promise<RawResult> {
    const p = this.tail.then(() => this.runNow(cmd, opts));
    this.tail = p.catch(() => undefined);
    return p;
  }

  private runNow(cmd: string, opts: ExecOptions): Promise<RawResult> {
    if (this.closed) return Promise.reject(new TaskError(`${this.host}: local connection was closed`));
    const wrapped = wrapBecome(cmd, {
      become: opts.become,
      becomeUser: opts.becomeUser,
      loginUser: localLogin(),
      password: this.becomePassword,
    });
    return new Promise<RawResult>((resolve, reject) => {
      // Own process group, so a timeout kills the whole pipeline, not just the shell.
      const child = spawn('/bin/sh', ['-c', wrapped.cmd], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const io = new BecomeIo(
        wrapped,
        { write: (b) => child.stdin.write(b), end: (b) => (b === undefined ? child.stdin.end() : child.stdin.end(b)) },
        opts.stdin,
      );
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      child.stdout.on('data', (d: Buffer) => {
        io.stdout(d);
        opts.onOutput?.(d.toString('utf8'));
      });
      child.stderr.on('data', (d: Buffer) => {
        io.stderr(d);
        opts.onOutput?.(d.toString('utf8'));
      });
      child.stdin.on('error', () => undefined); // EPIPE when the command ignores its stdin
      child.on('error', (e) => {
        clearTimeout(timer);
        io.dispose();
        reject(new TaskError(`${this.host}: cannot run /bin/sh: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        io.dispose();
        if (timedOut) return reject(new TaskError(`command timed out after ${opts.timeout}s`));
        const c = code ?? 128 + (signal ? constants.signals[signal] : 0);
        try {
          resolve(io.result(c));
        } catch (e) {
          reject(e);
        }
      });
      if (opts.timeout !== undefined && opts.timeout > 0) {
        timer = setTimeout(() => {
          timedOut = true;
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }, opts.timeout * 1000);
      }
      io.begin();
    });
  }
}

// Who the controller runs as: root needs no sudo to become root, nor anyone to become themselves.
function localLogin(): string {
  if (process.getuid?.() === 0) return 'root';
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '');
  }
}
