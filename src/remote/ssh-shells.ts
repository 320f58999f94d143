// Which persistent shell a command goes to: the login user's, or one sudo shell per become user; none means exec channels.
import type { Client } from 'ssh2';
import { BECOME_START_TIMEOUT_MS } from './become-io.js';
import type { ExecOptions } from './connection.js';
import { wrapBecome } from './remote-scripts.js';
import { PersistentShell, ShellUnavailable } from './ssh-shell.js';
import type { SshTarget } from './target.js';

/** A shell that dies this many times is not kept again (a host that closes idle channels): exec channels from then on. */
const MAX_SHELL_DEATHS = 3;

export class ShellSet {
  private exec = false;
  private login?: PersistentShell;
  private readonly sudo = new Map<string, PersistentShell>();
  /** become users whose sudo shell could not be kept: their commands use exec channels. */
  private readonly sudoless = new Set<string>();
  private deaths = 0;
  private timeoutMs = 10_000;

  constructor(
    private readonly client: Client,
    private readonly target: SshTarget,
    private readonly note: (msg: string) => void,
  ) {}

  private starting?: Promise<unknown>;

  /** Starts opening the login shell; the first command waits for it (a handshake slot is not held meanwhile). */
  start(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
    this.starting = this.loginShell().catch((e) => this.useExec(`no persistent shell: ${(e as Error).message}`));
  }

  useExec(why: string): void {
    if (this.exec) return;
    this.exec = true;
    this.note(`exec channels, one per command (${why})`);
  }

  /** The shell for this command, or undefined for an exec channel; rejects with sudo's refusal for a become shell. */
  async for(opts: ExecOptions): Promise<PersistentShell | undefined> {
    if (this.starting) await this.starting;
    if (this.exec) return undefined;
    const wrap = wrapBecome('exec sh', {
      become: opts.become,
      becomeUser: opts.becomeUser,
      loginUser: this.target.user,
      password: this.target.becomePassword,
    });
    const shell = wrap.sudo ? await this.sudoShell(wrap) : await this.loginShell();
    return shell?.canRun(opts) ? shell : undefined;
  }

  private async loginShell(): Promise<PersistentShell | undefined> {
    if (this.login?.usable) return this.login;
    if (this.login && ++this.deaths >= MAX_SHELL_DEATHS) return void this.useExec(`the shell channel closed ${this.deaths} times`);
    try {
      this.login = await PersistentShell.open(this.client, { readyTimeoutMs: this.timeoutMs });
      return this.login;
    } catch (e) {
      if (!(e instanceof ShellUnavailable)) throw e;
      this.login = undefined;
      return void this.useExec(`no persistent shell: ${e.message}`);
    }
  }

  private async sudoShell(wrap: ReturnType<typeof wrapBecome>): Promise<PersistentShell | undefined> {
    const user = wrap.sudo?.target ?? 'root';
    if (this.sudoless.has(user)) return undefined;
    const kept = this.sudo.get(user);
    if (kept?.usable) return kept;
    try {
      const shell = await PersistentShell.open(this.client, {
        wrap,
        readyTimeoutMs: Math.max(this.timeoutMs, BECOME_START_TIMEOUT_MS + 5000),
      });
      this.sudo.set(user, shell);
      return shell;
    } catch (e) {
      if (!(e instanceof ShellUnavailable)) throw e;
      this.sudoless.add(user);
      this.note(`exec channels for become user ${user} (no persistent sudo shell: ${e.message})`);
      return undefined;
    }
  }
}
