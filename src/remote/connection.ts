import type { ExecResult } from '../shared/exec.js';

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Seconds; the command is cancelled and the promise rejects with a TaskError after this. */
  timeout?: number;
  /** Run through `sudo -n` (or sudo -S with the become password on stdin). */
  become?: boolean;
  /** With become: the user to become (become_user); root when absent. */
  becomeUser?: string;
  /** Output as it arrives (stdout and stderr), for the live view; the result still carries all of it. */
  onOutput?: (chunk: string) => void;
  /**
   * The same command with its stdin written into its text (no stdin), for a persistent shell, where the text travels
   * on the shell's stdin and is never a command line: one round trip and no reader process instead of two and four.
   * Made only where it is used (it quotes the whole content).
   */
  inline?: () => string;
  /**
   * The command keeps whatever it changes to itself (a pipeline of subshells, as the probe batch is): a persistent
   * shell runs it as it is, without the subshell each command otherwise gets (one fork fewer on the host).
   */
  isolated?: boolean;
}

/** become / becomeUser, as put and readFile take them. */
export type BecomeOptions = Pick<ExecOptions, 'become' | 'becomeUser'>;

/** Seconds to wait for the whole reply, and the user the request stands for. */
export type SocketOptions = { timeout: number } & BecomeOptions;

/** What an upload sets on the file besides its content. */
export type PutOptions = {
  mode?: string;
  owner?: string;
  group?: string;
  /** Shell text run first in the same command; a non-zero exit stops the upload (network safety's armed check). */
  gate?: string;
} & BecomeOptions;

/**
 * One request on a unix socket of the host (SSH streamlocal forwarding: sshd connects to it, no process starts):
 * the reply as text once `complete` says so; `unavailable` where sshd does not open it (forwarding off, no such
 * socket, no permission, a become that is not the login user) and the caller runs its command instead.
 */
export type SocketReply = { reply: string } | { unavailable: string } | { timeout: true };

/** One live session to a host: exec channels are used one at a time. */
export interface Connection {
  readonly host: string;
  /** The controller itself (connection: local): reboot refuses it. */
  readonly local?: boolean;
  exec(cmd: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Atomic write: temp name in the same directory, then rename. */
  /** Under become_user a new file belongs to that user; an existing one keeps its owner when root writes it. */
  /** owner/group: given to the file in the same command, before it replaces dest (no extra round trip). */
  put(dest: string, content: Buffer, opts?: PutOptions): Promise<void>;
  readFile(path: string, opts?: BecomeOptions): Promise<Buffer | null>;
  /** Over SSH only; beside the commands, not after them: for reads whose plans are judged by what applied since. */
  socketRequest?(path: string, request: string, complete: (received: string) => boolean, opts: SocketOptions): Promise<SocketReply>;
  close(): Promise<void>;
  /** Closes this session and opens a new one to the same host (reboot, wait_for_connection); absent for local. */
  reconnect?(opts?: { connectTimeout?: number }): Promise<void>;
}
