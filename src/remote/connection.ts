import type { ExecResult } from '../modules/types.js';

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Seconds; the command is cancelled and the promise rejects with a TaskError after this. */
  timeout?: number;
  /** Run through `sudo -n` (or sudo -S with the become password on stdin). */
  become?: boolean;
  /** With become: the user to become (become_user); root when absent. */
  becomeUser?: string;
}

/** become / becomeUser, as put and readFile take them. */
export type BecomeOptions = Pick<ExecOptions, 'become' | 'becomeUser'>;

/** One live session to a host: exec channels are used one at a time. */
export interface Connection {
  readonly host: string;
  exec(cmd: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Atomic write: temp name in the same directory, then rename. */
  /** Under become_user a new file belongs to that user; an existing one keeps its owner when root writes it. */
  put(dest: string, content: Buffer, opts?: { mode?: string } & BecomeOptions): Promise<void>;
  readFile(path: string, opts?: BecomeOptions): Promise<Buffer | null>;
  close(): Promise<void>;
}
