// Driving one ssh2 exec channel: output collection, stdin, and the timeout's KILL-then-close.
import { constants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import { TaskError } from '../errors.js';
import { BecomeIo } from './become-io.js';
import type { BecomeWrap } from './remote-scripts.js';

// Raw bytes: readFile must not lose binary content to a utf8 round trip.
export interface RawResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface ChannelRun {
  destroy(): void;
}

/**
 * `done` gets the result, a TaskError on timeout, or 'closed' when the channel ended without an
 * exit status (the caller decides whether the connection died). `release` fires once the channel
 * is really closed, so the next command does not exceed the server's MaxSessions.
 */
export function runChannel(
  ch: ClientChannel,
  io: { wrap?: BecomeWrap; stdin?: string | Buffer; timeout?: number; onOutput?: (chunk: string) => void },
  release: () => void,
  done: (err: Error | 'closed' | undefined, r?: RawResult) => void,
): ChannelRun {
  const become = new BecomeIo(
    io.wrap ?? { cmd: '' },
    { write: (b) => ch.write(b), end: (b) => (b === undefined ? ch.end() : ch.end(b)) },
    io.stdin,
  );
  let code: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeoutError = () => new TaskError(`command timed out after ${io.timeout}s`);
  ch.on('data', (d: Buffer) => {
    become.stdout(d);
    io.onOutput?.(d.toString('utf8'));
  });
  ch.stderr.on('data', (d: Buffer) => {
    become.stderr(d);
    io.onOutput?.(d.toString('utf8'));
  });
  ch.on('exit', (c: number | null, signal?: string) => {
    code = c ?? 128 + ((signal && constants.signals[`SIG${signal}` as keyof typeof constants.signals]) || 0);
  });
  ch.on('close', () => {
    clearTimeout(timer);
    become.dispose();
    release();
    if (timedOut) return done(timeoutError());
    if (code === undefined) return done('closed');
    let r: RawResult;
    try {
      r = become.result(code);
    } catch (e) {
      return done(e as Error);
    }
    done(undefined, r);
  });
  if (io.timeout !== undefined && io.timeout > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      sendKill(ch);
      ch.close();
      // Report the timeout promptly even if the server is slow to confirm the close; the next
      // command still waits for the real close (children holding the output open delay it),
      // but not for ever.
      setTimeout(() => done(timeoutError()), 2000).unref();
      setTimeout(release, 60_000).unref();
    }, io.timeout * 1000);
  }
  become.begin();
  return {
    destroy: () => {
      become.dispose();
      ch.destroy();
    },
  };
}

// ssh2's channel.signal() is a no-op once stdin is ended (state 'eof'), which it nearly always is here.
function sendKill(ch: ClientChannel): void {
  const c = ch as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, name: string): void } };
  };
  try {
    const state = c.outgoing?.state;
    if ((state === 'open' || state === 'eof') && c._client?._protocol)
      c._client._protocol.signal((c.outgoing as { id: number }).id, 'KILL');
    else ch.signal('KILL');
  } catch {
    // servers without signal support: closing the channel is all we can do
  }
}
