// Everything the output layer sees of a run: one event stream, rendered as TTY rows, plain lines or JSON.
export type TaskStatus = 'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable';

export interface TaskResultEvent {
  type: 'task:result';
  host: string;
  play: string;
  task: string;
  /** file:line of the task */
  at: string;
  status: TaskStatus;
  /** loop item label when the task loops */
  item?: string;
  /** failed, but ignore_errors: true */
  ignored?: boolean;
  /** failed, and a block's rescue: part takes over */
  rescued?: boolean;
  msg?: string;
  rc?: number;
  stdout?: string;
  stderr?: string;
  cmd?: string;
  diff?: { path?: string; before: string; after: string }[];
  durationMs: number;
  startedAt: number;
}

export type RunEvent =
  | { type: 'run:start'; playbook?: string; hosts: string[]; check: boolean }
  | {
      type: 'play:start';
      play: string;
      hosts: string[] /** tasks in the play (handlers and dynamic includes not counted) */;
      tasks?: number;
    }
  | { type: 'task:start'; host: string; play: string; task: string; at: string; startedAt: number }
  /** Output of a running command as it arrives (for the live view; not recorded in reports). */
  | { type: 'task:output'; host: string; chunk: string }
  | TaskResultEvent
  | { type: 'host:unreachable'; host: string; msg: string }
  /** The host's recap counts after each task (a looped task counts once, like the recap). */
  | { type: 'host:tally'; host: string; tally: HostTally }
  | { type: 'play:end'; play: string; stoppedReason?: string }
  | { type: 'run:end'; recap: Recap; elapsedMs: number; exitCode: number; interrupted: boolean };

export interface HostTally {
  ok: number;
  changed: number;
  skipped: number;
  failed: number;
  unreachable: number;
  ignored: number;
  /** failures a block's rescue: part caught */
  rescued: number;
  /** network safety put the host back as it was before the play (src/executor/safety) */
  rolledBack?: number;
  /** First line of the first error seen on this host. */
  firstError?: string;
}

export type Recap = Record<string, HostTally>;

export interface EventSink {
  emit(e: RunEvent): void;
  /** Whether task:output events are wanted (they cost a callback per chunk of every command). */
  wantsOutput?: boolean;
  /** Flush and stop live rendering. */
  close(): Promise<void>;
}
