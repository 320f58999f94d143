// Probes issued in the same tick travel together: one exec, one round trip, however many loop items ask.
import type { ExecResult, Probe } from '../modules/types.js';
import type { Connection } from '../remote/connection.js';
import { interpretRead, readScript } from '../remote/remote-scripts.js';

interface Raw {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

interface Pending {
  cmd: string;
  /** set for readFile: a lone read goes through Connection.readFile (binary-safe, same errors) */
  path?: string;
  resolve: (r: Raw | Buffer | null) => void;
  reject: (e: unknown) => void;
}

const MARK = '@@RUNBOOK-PROBE@@';

/** Commands in flight at once on the host: probes mostly wait on IPC (ovsdb, dpkg), so a few overlap well. */
export const BATCH_PARALLEL = 8;

/**
 * The batch script: each command in its own background subshell (at most BATCH_PARALLEL at a time), then
 * every command's rc and base64'd stdout/stderr framed on one line, in order.
 */
export function batchScript(cmds: string[]): string {
  const lines = ['d=$(mktemp -d) || exit 97', 'trap \'rm -rf "$d"\' EXIT'];
  cmds.forEach((c, i) => {
    lines.push(`( (\n${c}\n) >"$d/o${i}" 2>"$d/e${i}" </dev/null; echo $? >"$d/r${i}" ) &`);
    if ((i + 1) % BATCH_PARALLEL === 0) lines.push('wait');
  });
  lines.push('wait');
  cmds.forEach((_, i) => {
    lines.push(`printf '%s %s %s %s %s\\n' ${MARK} ${i} "$(cat "$d/r${i}")" "$(base64 -w0 <"$d/o${i}")" "$(base64 -w0 <"$d/e${i}")"`);
  });
  return lines.join('\n');
}

/** Splits the batch output back into one result per command. */
export function parseBatch(stdout: string, n: number): { code: number; stdout: Buffer; stderr: Buffer }[] {
  const out: ({ code: number; stdout: Buffer; stderr: Buffer } | undefined)[] = Array.from({ length: n }, () => undefined);
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(MARK)) continue;
    const [, i, rc, o = '', e = ''] = line.split(' ');
    out[Number(i)] = { code: Number(rc), stdout: Buffer.from(o, 'base64'), stderr: Buffer.from(e, 'base64') };
  }
  return out.map((r, i) => {
    if (!r) throw new Error(`probe batch: no result for command ${i}`);
    return r;
  });
}

export class ProbeBatcher implements Probe {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Round trips made, for tests and the benchmark. */
  roundTrips = 0;

  constructor(
    private readonly conn: Connection,
    private readonly opts: { become: boolean; timeout?: number },
  ) {}

  async run(cmd: string): Promise<ExecResult> {
    const r = (await this.enqueue(cmd)) as Raw;
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async readFile(path: string): Promise<Buffer | null> {
    const r = await this.enqueue(readScript(path), path);
    if (r === null || Buffer.isBuffer(r)) return r;
    return interpretRead(path, r.code, r.stdout, r.stderr.toString('utf8'));
  }

  private enqueue(cmd: string, path?: string): Promise<Raw | Buffer | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ cmd, path, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    this.roundTrips++;
    try {
      if (batch.length === 1) {
        const [one] = batch;
        if (one.path !== undefined) one.resolve(await this.conn.readFile(one.path, { become: this.opts.become }));
        else {
          const r = await this.conn.exec(one.cmd, this.opts);
          one.resolve({ code: r.code, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr) });
        }
        return;
      }
      // Identical probes (the same table read for every loop item) run once and share the answer.
      const unique = [...new Set(batch.map((p) => p.cmd))];
      const r = await this.conn.exec(batchScript(unique), this.opts);
      const results = parseBatch(r.stdout, unique.length);
      for (const p of batch) p.resolve(results[unique.indexOf(p.cmd)]);
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}
