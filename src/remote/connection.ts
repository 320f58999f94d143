import type { ExecResult } from '../modules/types.js';

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Seconds; the command is cancelled and the promise rejects with a TaskError after this. */
  timeout?: number;
  /** Run through `sudo -n` (or sudo -S with the become password on stdin). */
  become?: boolean;
}

/** One live session to a host: exec channels are used one at a time. */
export interface Connection {
  readonly host: string;
  exec(cmd: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Atomic write: temp name in the same directory, then rename. */
  put(dest: string, content: Buffer, opts?: { mode?: string; become?: boolean }): Promise<void>;
  readFile(path: string, opts?: { become?: boolean }): Promise<Buffer | null>;
  close(): Promise<void>;
}
