// One ssh2 connection per host, reused for every command, one exec channel at a time (MaxSessions).
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { ConnectError, TaskError } from '../errors.js';
import type { Connection, ExecOptions, SocketOptions, SocketReply } from './connection.js';
import { loadPrivateKeys } from './keys.js';
import type { KnownHosts } from './known-hosts.js';
import { withWatchdog, wrapBecome } from './remote-scripts.js';
import { ShellConnection } from './shell-connection.js';
import { type ChannelRun, type RawResult, runChannel } from './ssh-channel.js';
import { localUser, resolveSshConfig } from './ssh-config.js';
import { type HandshakeParams, handshake, where } from './ssh-handshake.js';
import { type PersistentShell, ShellClosed } from './ssh-shell.js';
import { ShellSet } from './ssh-shells.js';
import { parseJumpSpec, type SshTarget } from './target.js';

export type { SshTarget } from './target.js';

export interface SshOptions {
  knownHosts: KnownHosts;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Extra attempts when the server drops us during key exchange. */
  retries?: number;
  /** SSH_AUTH_SOCK */
  agent?: string;
  /** For resolving the ProxyJump host; default ~/.ssh/config. */
  sshConfigFile?: string;
  /** false: exec channels only, no persistent shell. */
  persistentShell?: boolean;
  /** Told how commands reach the host when it is not the persistent shell (shown with -v). */
  onNote?: (msg: string) => void;
}

// Key problems are found before any packet is sent; then the jump host (if any), then the host.
export async function connectSsh(target: SshTarget, opts: SshOptions): Promise<Connection & SshConnectionState> {
  const common = {
    knownHosts: opts.knownHosts,
    connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
    keepaliveIntervalMs: opts.keepaliveIntervalMs ?? 5_000,
    keepaliveCountMax: opts.keepaliveCountMax ?? 3,
    retries: opts.retries ?? 15,
    agent: opts.agent,
  };
  const keys = await loadPrivateKeys(target.keyFiles, target.passphrase);
  let jump: Client | undefined;
  let openSock: HandshakeParams['openSock'];
  if (target.proxyJump) {
    const spec = parseJumpSpec(target.proxyJump);
    const cfg = resolveSshConfig(spec.host, opts.sshConfigFile);
    const jumpKeys = cfg.identityFiles.length > 0 ? await loadPrivateKeys(cfg.identityFiles, target.passphrase) : keys;
    const jumpParams = {
      ...common,
      name: `${target.name} via jump host ${spec.host}`,
      host: cfg.hostName ?? spec.host,
      port: spec.port ?? cfg.port ?? 22,
      user: spec.user ?? cfg.user ?? localUser(),
      keys: jumpKeys,
    };
    const jumpClient = await handshake(jumpParams);
    jump = jumpClient;
    openSock = () =>
      new Promise<Duplex>((resolve, reject) => {
        jumpClient.forwardOut('127.0.0.1', 0, target.host, target.port, (err, ch) => {
          if (err) reject(new ConnectError(`${where(jumpParams)}: cannot reach ${target.host}:${target.port} through it: ${err.message}`));
          else resolve(ch);
        });
      });
  }
  const params = { ...common, ...target, keys, openSock };
  try {
    const client = await handshake(params);
    const conn = new SshConnection(target, client, where(params), jump, opts.onNote);
    if (opts.persistentShell === false) conn.useExec('persistent shell turned off (runbook_persistent_shell: false)');
    else conn.startShell(common.connectTimeoutMs);
    return conn;
  } catch (e) {
    jump?.end();
    throw e;
  }
}

// Lets the executor notice a host that went away between tasks.
export interface SshConnectionState {
  readonly dead: boolean;
  onClose(fn: (reason: string) => void): void;
}

class SshConnection extends ShellConnection implements SshConnectionState {
  readonly host: string;
  dead = false;
  private reason = 'connection closed';
  private lastError?: Error;
  private tail: Promise<unknown> = Promise.resolve();
  private abortCurrent?: (e: Error) => void;
  private closeHandlers: ((reason: string) => void)[] = [];
  private closing = false;
  private readonly shells: ShellSet;
  /** Why this server opens no unix sockets for us, once it said so. */
  private noStreamLocal?: string;
  /** Socket requests under way: ended with the connection's loss. */
  private readonly socketAborts = new Set<(e: Error) => void>();

  constructor(
    private readonly target: SshTarget,
    private readonly client: Client,
    private readonly label: string,
    private readonly jump?: Client,
    onNote?: (msg: string) => void,
  ) {
    super();
    this.shells = new ShellSet(client, target, (msg) => onNote?.(`${label}: ${msg}`));
    this.host = target.name;
    client.on('error', (e) => {
      this.lastError = e;
    });
    client.on('close', () => this.markDead(this.lastError?.message ?? 'the server closed the connection'));
    jump?.on('error', (e) => {
      this.lastError = e;
    });
    jump?.on('close', () => this.markDead(`jump host connection lost${this.lastError ? `: ${this.lastError.message}` : ''}`));
  }

  /** Starts the login user's shell at connect, so a host that cannot keep one is found (and said) then. */
  startShell(timeoutMs: number): void {
    this.shells.start(timeoutMs);
  }

  useExec(why: string): void {
    this.shells.useExec(why);
  }

  onClose(fn: (reason: string) => void): void {
    if (this.dead) fn(this.reason);
    else this.closeHandlers.push(fn);
  }

  close(): Promise<void> {
    if (this.dead) return Promise.resolve();
    this.closing = true;
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      this.client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.client.end();
      this.jump?.end();
    });
  }

  private markDead(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.reason = reason;
    this.jump?.end();
    this.abortCurrent?.(this.lost());
    for (const abort of [...this.socketAborts]) abort(this.lost());
    for (const fn of this.closeHandlers.splice(0)) fn(reason);
  }

  private lost(): Error {
    if (this.closing) return new ConnectError(`${this.label}: connection was closed`);
    return new ConnectError(`${this.label}: connection lost: ${this.reason}`, {
      hint: 'the host went away, rebooted or the network dropped; it is marked unreachable',
    });
  }

  // Strictly one channel at a time per host: the next waits until the previous channel is really closed.
  protected run(cmd: string, opts: ExecOptions): Promise<RawResult> {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const p = this.tail.then(() => this.runNow(cmd, opts, release));
    this.tail = p.then(
      () => released,
      () => released,
    );
    return p;
  }

  /**
   * A request on a unix socket of the host over a direct-streamlocal channel: sshd (already running as the login user)
   * connects, where a command would start a process. It goes at once, beside whatever command the host is running:
   * it is a read, and a plan made ahead is judged by what was applied after it was made, not by when its reads ran (a
   * plan at its task's turn follows the task before it, done). As another user than the login one it is unavailable
   * (the socket's permissions are checked for sshd's user). A server that says it never opens such channels
   * (prohibited, unknown type) is not asked again; OpenSSH answers "connect failed" alike for
   * AllowStreamLocalForwarding no and for a socket not there yet, so it is asked each time (no process starts).
   */
  socketRequest(path: string, request: string, complete: (received: string) => boolean, opts: SocketOptions): Promise<SocketReply> {
    const as = opts.become ? (opts.becomeUser ?? 'root') : this.target.user;
    if (as !== this.target.user) return Promise.resolve({ unavailable: `not as ${as}` });
    if (this.noStreamLocal) return Promise.resolve({ unavailable: this.noStreamLocal });
    if (this.dead) return Promise.reject(this.lost());
    return new Promise<SocketReply>((resolve, reject) => {
      let ch: Duplex | undefined;
      let settled = false;
      const finish = (r: SocketReply | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.socketAborts.delete(finish);
        ch?.destroy();
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      const timer = setTimeout(() => finish({ timeout: true }), opts.timeout * 1000);
      this.socketAborts.add(finish);
      try {
        this.client.openssh_forwardOutStreamLocal(path, (err, channel) => {
          if (err) {
            // SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED, SSH2_OPEN_UNKNOWN_CHANNEL_TYPE: this server never opens one
            const reason = (err as Error & { reason?: number }).reason;
            if (reason === 1 || reason === 3) this.noStreamLocal = err.message;
            return finish(this.dead ? this.lost() : { unavailable: err.message });
          }
          // opened after the time ran out: nobody waits for it
          if (settled) return void channel.close();
          ch = channel;
          let received = '';
          channel.setEncoding('utf8');
          channel.on('data', (d: string) => {
            received += d;
            if (complete(received)) finish({ reply: received });
          });
          channel.on('close', () => finish(this.dead ? this.lost() : { unavailable: 'the socket closed before a whole reply' }));
          channel.write(request);
        });
      } catch (e) {
        finish(this.dead ? this.lost() : { unavailable: (e as Error).message });
      }
    });
  }

  private async runNow(cmd: string, opts: ExecOptions, release: () => void): Promise<RawResult> {
    if (this.dead) {
      release();
      throw this.lost();
    }
    let shell: PersistentShell | undefined;
    try {
      shell = await this.shells.for(opts);
    } catch (e) {
      release();
      throw this.dead ? this.lost() : e;
    }
    if (this.dead) {
      release();
      throw this.lost();
    }
    if (shell)
      return opts.inline === undefined
        ? this.onShell(shell, cmd, opts, release)
        : this.onShell(shell, opts.inline(), { ...opts, stdin: undefined }, release);
    return this.onExecChannel(cmd, opts, release);
  }

  // A dead connection is unreachable, as on an exec channel; a shell that died alone fails the command.
  private async onShell(shell: PersistentShell, cmd: string, opts: ExecOptions, release: () => void): Promise<RawResult> {
    this.abortCurrent = () => shell.destroy();
    try {
      return await shell.run(cmd, opts, release);
    } catch (e) {
      if (this.dead) throw this.lost();
      if (e instanceof ShellClosed)
        throw new TaskError(`${this.label}: the shell ended without an exit status`, {
          hint: 'the command may have killed its shell; the next command gets a new one',
        });
      throw e;
    } finally {
      this.abortCurrent = undefined;
    }
  }

  private onExecChannel(cmd: string, opts: ExecOptions, release: () => void): Promise<RawResult> {
    const timed = opts.timeout !== undefined && opts.timeout > 0 ? withWatchdog(cmd, opts.timeout) : cmd;
    const wrapped = wrapBecome(timed, {
      become: opts.become,
      becomeUser: opts.becomeUser,
      loginUser: this.target.user,
      password: this.target.becomePassword,
    });
    return new Promise<RawResult>((resolve, reject) => {
      let settled = false;
      let channel: ChannelRun | undefined;
      const finish = (err: Error | undefined, r?: RawResult) => {
        if (settled) return;
        settled = true;
        this.abortCurrent = undefined;
        if (err) reject(err);
        else resolve(r as RawResult);
      };
      this.abortCurrent = (e) => {
        channel?.destroy();
        release();
        finish(e);
      };
      // sshd frees a session slot only after reaping its child, so right after a close the slot
      // may still be taken (MaxSessions): retry the open briefly before calling it a failure.
      const open = (attempt: number) => {
        try {
          this.client.exec(wrapped.cmd, (err, ch) => {
            if (err && !this.dead && attempt < 4 && /open failed/i.test(err.message)) {
              return void setTimeout(() => open(attempt + 1), 25 * 2 ** attempt);
            }
            if (err) {
              release();
              return finish(this.dead ? this.lost() : new TaskError(`${this.label}: cannot open a channel: ${err.message}`));
            }
            channel = runChannel(
              ch,
              { wrap: wrapped, stdin: opts.stdin, timeout: opts.timeout, onOutput: opts.onOutput },
              release,
              (e, r) =>
                finish(
                  e === 'closed' ? (this.dead ? this.lost() : new TaskError(`${this.label}: channel closed without an exit status`)) : e,
                  r,
                ),
            );
          });
        } catch (e) {
          release();
          finish(this.dead ? this.lost() : new ConnectError(`${this.label}: ${(e as Error).message}`));
        }
      };
      open(0);
    });
  }
}
