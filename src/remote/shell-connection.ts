// What every connection builds on one primitive — run a shell command, get bytes back: exec, atomic put, read.
import type { ExecResult } from '../shared/exec.js';
import type { BecomeOptions, Connection, ExecOptions, PutOptions } from './connection.js';
import { interpretRead, ownerSpec, putError, putScript, readScript } from './remote-scripts.js';
import type { RawResult } from './ssh-channel.js';

/** Largest content written from the command's own text: well inside what a shell reads as one script. */
export const INLINE_MAX = 16 * 1024;

/** Content that can travel inside shell text byte for byte: UTF-8 without NUL, up to INLINE_MAX bytes. */
export function inlineText(content: Buffer): string | undefined {
  if (content.length > INLINE_MAX || content.includes(0)) return undefined;
  const s = content.toString('utf8');
  return Buffer.byteLength(s) === content.length && Buffer.from(s).equals(content) ? s : undefined;
}

export abstract class ShellConnection implements Connection {
  abstract readonly host: string;
  protected abstract run(cmd: string, opts: ExecOptions): Promise<RawResult>;
  abstract close(): Promise<void>;

  async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(cmd, opts);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async put(dest: string, content: Buffer, opts: PutOptions = {}): Promise<void> {
    const gate = opts.gate ?? '';
    const who = ownerSpec(opts.owner, opts.group);
    const text = inlineText(content);
    const r = await this.run(gate + putScript(dest, opts.mode, content.length, who), {
      stdin: content,
      inline: text === undefined ? undefined : () => gate + putScript(dest, opts.mode, undefined, who, undefined, text),
      become: opts.become,
      becomeUser: opts.becomeUser,
    });
    if (r.code !== 0) throw putError(dest, r.code, r.stderr.toString('utf8'), opts.become);
  }

  async readFile(path: string, opts: BecomeOptions = {}): Promise<Buffer | null> {
    const r = await this.run(readScript(path), { become: opts.become, becomeUser: opts.becomeUser });
    return interpretRead(path, r.code, r.stdout, r.stderr.toString('utf8'), opts.become);
  }
}
