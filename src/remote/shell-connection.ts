// What every connection builds on one primitive — run a shell command, get bytes back: exec, atomic put, read.
import type { ExecResult } from '../shared/exec.js';
import type { BecomeOptions, Connection, ExecOptions, PutOptions } from './connection.js';
import { interpretRead, ownerSpec, putError, putScript, readScript } from './remote-scripts.js';
import type { RawResult } from './ssh-channel.js';

export abstract class ShellConnection implements Connection {
  abstract readonly host: string;
  protected abstract run(cmd: string, opts: ExecOptions): Promise<RawResult>;
  abstract close(): Promise<void>;

  async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(cmd, opts);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async put(dest: string, content: Buffer, opts: PutOptions = {}): Promise<void> {
    const r = await this.run((opts.gate ?? '') + putScript(dest, opts.mode, content.length, ownerSpec(opts.owner, opts.group)), {
      stdin: content,
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
