// Probes issued in the same tick travel together: one exec, one round trip, however many loop items ask.

import { randomBytes } from 'node:crypto';
import { type FileStat, mergeStats, type StatOpts } from '../modules/fs.js';
import type { ExecResult, Probe } from '../modules/types.js';
import type { Connection } from '../remote/connection.js';
import { type RpcReply, rpcReader, rpcRequest } from '../remote/json-rpc.js';
import { quote } from '../remote/quote.js';
import { interpretRead } from '../remote/remote-scripts.js';
import { singleCommand } from '../remote/stateless.js';

interface Raw {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

interface Pending {
  cmd: string;
  /** set for readFile: a lone read goes through Connection.readFile (binary-safe, same errors) instead of cmd */
  path?: string;
  /** set for stat: the batch's stat calls share one command (mergeStats) */
  stat?: { paths: string[]; o: StatOpts };
  /** set for jsonRpc: a request on a socket, not in the script (identical ones of a batch share one) */
  rpc?: { socket: string; request: string; timeout: number };
  resolve: (r: Raw | Buffer | null | FileStat[] | RpcReply | 'timeout' | undefined) => void;
  reject: (e: unknown) => void;
}

/**
 * The batch script: the commands one after the other, each in its own subshell (an `exit`, `cd` or variable ends
 * with it: probes come from modules and from users' `creates`/`unless`, so none may leak into the next), framed by a
 * marker no output can contain by chance: before each command, after its stdout (with its exit status) and after its
 * stderr, all on stdout. A command's stdout goes straight into the batch's output (fd 3), byte for byte (find
 * -print0's NULs included); its stderr is caught by the subshell itself (`$( … 2>&1 >&3 )`: the same one fork as
 * `( … )`) and goes in with the markers, one printf between two commands; dd sends the whole output on in one write.
 * Sequential on purpose: probes are cheap and the host's CPU is the limit; a process per frame is not free.
 *
 * The script is a pipeline of two subshells, so it changes nothing in the shell that runs it: a persistent shell
 * runs it as it is (ExecOptions.isolated), without a subshell of its own. Forks on the host: the two sides, then one
 * per command of one program with plain words (singleCommand: the subshell of `$( )` execs it in place), two per
 * other command; 10 for 8 probes instead of 20.
 */
export function batchScript(cmds: string[], mark: string): string {
  const lines = [`exec 3>&1; printf '%s o 0\\n' ${mark}`];
  cmds.forEach((c, i) => {
    if (singleCommand(c)) {
      // The redirections go in front, so the command's own would still come after them; its stderr comes back
      // without trailing newlines ($( ) strips them), which nothing that reads a probe's stderr keeps anyway. The x
      // appended after it is the one the printf below strips, as the other form's trap writes it.
      lines.push(`rb_e=$(2>&1 >&3 3>&- </dev/null ${c}); rb_r=$?; rb_e=\${rb_e}x`);
    } else {
      // The x after stderr keeps its trailing newlines through $( ), which strips them; an EXIT trap on fd 4 (the
      // capture, whatever c redirected) writes it even when c calls `exit`, and leaves the exit status alone.
      lines.push(`rb_e=$(exec 4>&1; trap 'printf x >&4' EXIT; {\n${c}\n} 2>&1 >&3 3>&- </dev/null); rb_r=$?`);
    }
    const next = i + 1 < cmds.length ? `%s o ${i + 1}\\n` : '';
    const nextArg = i + 1 < cmds.length ? ` ${mark}` : '';
    lines.push(`printf '\\n%s e ${i} %s\\n%s\\n%s x ${i}\\n${next}' ${mark} "$rb_r" "\${rb_e%x}" ${mark}${nextArg}`);
  });
  // All of it leaves the host in one write (dd: output blocks of 1 MiB, the last one at end of input), so an answer is
  // a few full SSH packets instead of one or two per command: fewer packets for sshd to send and every hop to carry.
  // dd keeps bytes as they are (NULs too); where there is no dd, cat passes the output on. Both exec'd in place:
  // `command -v` is a builtin, so no fork beyond the pipeline's own.
  return `(\n${lines.join('\n')}\n) | (command -v dd >/dev/null && exec dd obs=1048576 2>/dev/null; exec cat)`;
}

/** Splits the batch output back into one result per command. */
export function parseBatch(stdout: string, n: number, mark: string): Raw[] {
  const out: Raw[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const open = `${mark} o ${i}\n`;
    const o = stdout.indexOf(open, at);
    const e = o < 0 ? -1 : stdout.indexOf(`\n${mark} e ${i} `, o);
    const eEnd = e < 0 ? -1 : stdout.indexOf('\n', e + 1);
    const close = `\n${mark} x ${i}\n`;
    const x = eEnd < 0 ? -1 : stdout.indexOf(close, eEnd);
    if (x < 0) throw new Error(`probe batch: no result for command ${i}`);
    const code = Number(stdout.slice(e + 1, eEnd).split(' ')[3]);
    out.push({ code, stdout: Buffer.from(stdout.slice(o + open.length, e)), stderr: Buffer.from(stdout.slice(eEnd + 1, x)) });
    at = x + close.length - 1;
  }
  return out;
}

const decoded = new WeakMap<Raw, ExecResult>();

export class ProbeBatcher implements Probe {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Round trips made, for tests and the benchmark. */
  roundTrips = 0;

  constructor(
    private readonly conn: Connection,
    private readonly opts: { become: boolean; becomeUser?: string; timeout?: number },
  ) {}

  async run(cmd: string): Promise<ExecResult> {
    const r = (await this.enqueue(cmd)) as Raw;
    // Callers of one shared answer (every route of a loop reads the same table) get one result, its text decoded
    // once: the same string is also found at once where its parse is cached (parsedOnce), not hashed again per caller.
    let res = decoded.get(r);
    if (!res) decoded.set(r, (res = Object.freeze({ code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') })));
    return res;
  }

  async readFile(path: string): Promise<Buffer | null> {
    // In a batch a read travels as base64, the one way to keep a file's bytes intact inside a text stream.
    const r = (await this.enqueue(`LC_ALL=C base64 -w0 -- ${quote(path)}`, path)) as Raw | Buffer | null;
    if (r === null || Buffer.isBuffer(r)) return r;
    return interpretRead(path, r.code, r.stdout, r.stderr.toString('utf8'), this.opts.become);
  }

  stat(paths: string[], o: StatOpts): Promise<FileStat[]> {
    return this.enqueue('', undefined, { paths, o }) as Promise<FileStat[]>;
  }

  /** Undefined at once where the connection has no sockets (exec-only test doubles, connection: local). */
  jsonRpc(socket: string, method: string, params: unknown[], timeout: number): Promise<RpcReply | 'timeout' | undefined> {
    if (!this.conn.socketRequest) return Promise.resolve(undefined);
    const rpc = { socket, request: rpcRequest(method, params), timeout };
    return this.enqueue('', undefined, undefined, rpc) as Promise<RpcReply | 'timeout' | undefined>;
  }

  private enqueue(
    cmd: string,
    path?: string,
    stat?: Pending['stat'],
    rpc?: Pending['rpc'],
  ): Promise<Raw | Buffer | null | FileStat[] | RpcReply | 'timeout' | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ cmd, path, stat, rpc, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Probes waiting for the next round trip. */
  get queued(): number {
    return this.queue.length;
  }

  /** Sends what is queued now rather than at its turn of the event loop (the scheduled flush then finds nothing). */
  flushNow(): void {
    if (this.queue.length) void this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.queue.length) return;
    const rpcs = this.queue.filter((p) => p.rpc);
    const batch = withStatsMerged(rpcs.length ? this.queue.filter((p) => !p.rpc) : this.queue);
    this.queue = [];
    this.scheduled = false;
    // The socket's requests go beside the script: all of them reads.
    await Promise.all([batch.length ? this.flushScript(batch) : undefined, ...this.flushSockets(rpcs)]);
  }

  // Identical requests (every port of a loop asks for the same snapshot) go once and share the reply.
  private flushSockets(rpcs: Pending[]): Promise<void>[] {
    const groups = new Map<string, Pending[]>();
    for (const p of rpcs) {
      const { socket, request } = p.rpc as NonNullable<Pending['rpc']>;
      const key = `${socket}\n${request}`;
      const group = groups.get(key);
      if (group) group.push(p);
      else groups.set(key, [p]);
    }
    return [...groups.values()].map(async (group) => {
      const { socket, request, timeout } = group[0].rpc as NonNullable<Pending['rpc']>;
      this.roundTrips++;
      try {
        // the reply is parsed as it arrives, once: every caller of the group gets the same object
        const read = rpcReader();
        let got: RpcReply | 'not json' | undefined;
        const r = await (this.conn.socketRequest as NonNullable<Connection['socketRequest']>)(
          socket,
          request,
          (received) => (got = read(received)) !== undefined,
          { timeout, become: this.opts.become, becomeUser: this.opts.becomeUser },
        );
        const reply = 'timeout' in r ? 'timeout' : 'reply' in r && got !== 'not json' ? got : undefined;
        for (const p of group) p.resolve(reply);
      } catch (e) {
        for (const p of group) p.reject(e);
      }
    });
  }

  private async flushScript(batch: Pending[]): Promise<void> {
    this.roundTrips++;
    try {
      if (batch.length === 1) {
        const [one] = batch;
        if (one.path !== undefined)
          one.resolve(await this.conn.readFile(one.path, { become: this.opts.become, becomeUser: this.opts.becomeUser }));
        else {
          const r = await this.conn.exec(one.cmd, this.opts);
          one.resolve({ code: r.code, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr) });
        }
        return;
      }
      // Identical probes (the same table read for every loop item) run once and share the answer.
      const unique = [...new Set(batch.map((p) => p.cmd))];
      const mark = `RB${randomBytes(12).toString('hex')}`;
      const r = await this.conn.exec(batchScript(unique, mark), { ...this.opts, isolated: true });
      const results = parseBatch(r.stdout, unique.length, mark);
      for (const p of batch) {
        const res = results[unique.indexOf(p.cmd)];
        p.resolve(p.path === undefined ? res : { ...res, stdout: Buffer.from(res.stdout.toString('latin1'), 'base64') });
      }
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}

// The stat calls of a batch become one command (one stat process on the host); each call gets its own answer.
function withStatsMerged(queue: Pending[]): Pending[] {
  const stats = queue.filter((p) => p.stat);
  if (!stats.length) return queue;
  const merged = mergeStats(stats.map((p) => p.stat as NonNullable<Pending['stat']>));
  const fail = (e: unknown) => {
    for (const p of stats) p.reject(e);
  };
  const answer: Pending['resolve'] = (r) => {
    const raw = r as Raw;
    try {
      const each = merged.answer({ code: raw.code, stdout: raw.stdout.toString('utf8'), stderr: raw.stderr.toString('utf8') });
      for (const [i, p] of stats.entries()) p.resolve(each[i]);
    } catch (e) {
      fail(e);
    }
  };
  return [...queue.filter((p) => !p.stat), { cmd: merged.script, resolve: answer, reject: fail }];
}
