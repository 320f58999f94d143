// A scripted host in memory: the executor's unit tests run on it instead of a lab. It answers commands from rules
// (first match wins; unmatched commands succeed with no output), answers batched probes command by command, keeps
// files written to it, and records every command and upload. It can refuse to connect, hang or drop mid-play.
import { createHash } from 'node:crypto';
import { ConnectError } from '../../src/errors.js';
import type { ExecResult } from '../../src/modules/types.js';
import type { BecomeOptions, Connection, ExecOptions, PutOptions } from '../../src/remote/connection.js';
import { ownerSpec, putError } from '../../src/remote/remote-scripts.js';

export interface Reply {
  code?: number;
  stdout?: string;
  stderr?: string;
}
export type Answer = Reply | ((cmd: string, host: MemoryHost) => Reply | Promise<Reply>);
type Match = string | RegExp;

interface Rule {
  match: Match;
  answer: Answer | 'hang' | 'drop' | 'blip';
  /** how many more times the rule applies (undefined: always) */
  times?: number;
}

const matches = (m: Match, cmd: string) => (typeof m === 'string' ? cmd.includes(m) : m.test(cmd));

export class MemoryHost {
  /** Every command the executor sent, in order (a batched probe as its separate commands, marked `probe:`). */
  readonly commands: string[] = [];
  /** owner ("owner:group") only when the upload set one. */
  readonly uploads: { dest: string; content: string; mode?: string; become?: boolean; owner?: string }[] = [];
  /** Uploads to these paths fail with this stderr, as the put script's chown or write would. */
  readonly uploadErrors = new Map<string, string>();
  readonly files = new Map<string, Buffer>();
  /** Connections opened and closed. */
  connects = 0;
  closes = 0;
  /** Exec round trips (a batch of probes is one). */
  execs = 0;
  private rules: Rule[] = [];
  private refuse?: string;
  private dropped = false;
  /** Resolvers of hanging commands: release() lets them fail. */
  private hanging: (() => void)[] = [];
  /** Open connections' close-on-drop callbacks. */
  readonly gone = new Set<() => void>();

  /** @param log shared by a lab's hosts: "host: command" in the order commands arrived */
  constructor(
    readonly name: string,
    private readonly log: string[] = [],
  ) {}

  /** Answers commands containing `match` (or matching it) with `answer`; `times` limits how often. */
  on(match: Match, answer: Answer, times?: number): this {
    this.rules.push({ match, answer, times });
    return this;
  }

  /** Every connect fails as an unreachable host does. */
  refuseConnect(msg = 'connect ECONNREFUSED'): this {
    this.refuse = msg;
    return this;
  }

  /** A command matching `match` never answers (until release()). */
  hang(match: Match): this {
    this.rules.push({ match, answer: 'hang' });
    return this;
  }

  /**
   * The connection drops when a command matching `match` is sent (once): that command fails as a lost connection.
   * With `stayDown` (the default) every later command and reconnect fails too; without, a reconnect works.
   */
  dropOn(match: Match, stayDown = true): this {
    this.rules.push({ match, answer: stayDown ? 'drop' : 'blip', times: 1 });
    return this;
  }

  /**
   * Answers the file probes modules send (src/modules/fs.ts statScript: one line per path) from `files`: a kept
   * file is a file (mode 0644, root:root, its size and sha256), a parent of one, `/` or one in `dirs` a directory.
   */
  answerStats(dirs: string[] = []): this {
    return this.on(/; else echo absent; fi/, (cmd) => {
      const paths = [...cmd.matchAll(/\[ -f '?([^' ]+)'? \]/g)].map((m) => m[1]!);
      const lines = paths.map((p) => {
        const f = this.files.get(p);
        if (f) return `file 644 root root 0 0 ${f.length} ${createHash('sha256').update(f).digest('hex')}  -`;
        const isDir = p === '/' || dirs.includes(p) || [...this.files.keys()].some((k) => k.startsWith(`${p}/`));
        return isDir ? 'dir 755 root root 0 0 4096' : 'absent';
      });
      return { stdout: `${lines.join('\n')}\n` };
    });
  }

  /** Lets hanging commands fail (the test's cleanup, or the end of an interrupt test). */
  release(): void {
    for (const r of this.hanging.splice(0)) r();
  }

  /** Commands sent (batched probes included) that contain `s`. */
  sent(s: Match): string[] {
    return this.commands.filter((c) => matches(s, c));
  }

  async connect(): Promise<Connection> {
    await Promise.resolve();
    if (this.refuse) throw new ConnectError(`${this.name}: ${this.refuse}`);
    if (this.dropped) throw new ConnectError(`${this.name}: connection lost: host is down`);
    this.connects++;
    return new MemoryConnection(this);
  }

  async exec(cmd: string): Promise<ExecResult> {
    this.execs++;
    if (this.dropped) throw new ConnectError(`${this.name}: connection lost: host is down`);
    const batch = parseBatchScript(cmd);
    if (!batch) return this.answer(cmd);
    let out = '';
    for (const [i, c] of batch.cmds.entries()) {
      const r = await this.answer(c, 'probe: ');
      out += `${batch.mark} o ${i}\n${r.stdout}\n${batch.mark} e ${i} ${r.code}\n${r.stderr}\n${batch.mark} x ${i}\n`;
    }
    return { code: 0, stdout: out, stderr: '' };
  }

  private async answer(cmd: string, prefix = ''): Promise<ExecResult> {
    this.commands.push(prefix + cmd);
    this.log.push(`${this.name}: ${prefix}${cmd}`);
    const rule = this.rules.find((r) => matches(r.match, cmd) && (r.times === undefined || r.times > 0));
    if (rule?.times !== undefined) rule.times--;
    if (rule?.answer === 'drop' || rule?.answer === 'blip') {
      this.dropped = rule.answer === 'drop';
      for (const c of this.gone) c();
      throw new ConnectError(`${this.name}: connection lost: host is down`);
    }
    if (rule?.answer === 'hang') {
      await new Promise<void>((resolve) => this.hanging.push(resolve));
      throw new ConnectError(`${this.name}: connection lost: released`);
    }
    const r = rule ? (typeof rule.answer === 'function' ? await rule.answer(cmd, this) : rule.answer) : {};
    return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }
}

/** The commands and framing mark of a ProbeBatcher script (src/executor/probe-batch.ts), or undefined. */
function parseBatchScript(script: string): { mark: string; cmds: string[] } | undefined {
  const head = /^\(\nexec 3>&1; printf '%s o 0\\n' (\S+)\n/.exec(script);
  if (!head) return undefined;
  // a command of one program (on one line, exec'd in place), or any other (in braces, behind an EXIT trap)
  const re =
    /rb_e=\$\(2>&1 >&3 3>&- <\/dev\/null ([^\n]*)\); rb_r=\$\?; rb_e=\$\{rb_e\}x\n|rb_e=\$\(exec 4>&1; trap 'printf x >&4' EXIT; \{\n([\s\S]*?)\n\} 2>&1 >&3 3>&- <\/dev\/null\); rb_r=\$\?/g;
  return { mark: head[1]!, cmds: [...script.matchAll(re)].map((m) => (m[1] ?? m[2])!) };
}

class MemoryConnection implements Connection {
  private closed = false;
  constructor(private readonly h: MemoryHost) {
    // a drop ends this session: its later commands fail as a closed connection does
    h.gone.add(() => {
      this.closed = true;
    });
  }
  get host() {
    return this.h.name;
  }
  exec(cmd: string, _opts?: ExecOptions): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new ConnectError(`${this.h.name}: connection was closed`));
    return this.h.exec(cmd);
  }
  async put(dest: string, content: Buffer, opts?: PutOptions): Promise<void> {
    if (this.closed) throw new ConnectError(`${this.h.name}: connection was closed`);
    const owner = ownerSpec(opts?.owner, opts?.group);
    const err = this.h.uploadErrors.get(dest);
    if (err !== undefined) throw putError(dest, 1, err, opts?.become);
    this.h.uploads.push({ dest, content: content.toString('utf8'), mode: opts?.mode, become: opts?.become, ...(owner ? { owner } : {}) });
    this.h.files.set(dest, content);
  }
  async readFile(path: string, _opts?: BecomeOptions): Promise<Buffer | null> {
    this.h.commands.push(`read: ${path}`);
    return this.h.files.get(path) ?? null;
  }
  async close(): Promise<void> {
    if (!this.closed) this.h.closes++;
    this.closed = true;
  }
}

/** Hosts by name, and the connector the executor gets (a host not scripted is unreachable). */
export class MemoryLab {
  readonly hosts = new Map<string, MemoryHost>();
  /** "host: command" for every host, in the order the commands arrived. */
  readonly log: string[] = [];
  constructor(names: string[]) {
    for (const n of names) this.hosts.set(n, new MemoryHost(n, this.log));
  }
  host(name: string): MemoryHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no memory host ${name}`);
    return h;
  }
  connector = async (host: string, _vars: Record<string, unknown>): Promise<Connection> => {
    const h = this.hosts.get(host);
    if (!h) throw new ConnectError(`${host}: no such host`);
    return h.connect();
  };
  releaseAll(): void {
    for (const h of this.hosts.values()) h.release();
  }
}
