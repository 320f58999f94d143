// The persistent shell's opening, against a real local sh standing in for the host's login shell: what the
// channel's command is, and that the host's offers come back without a round trip of their own.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Client, ClientChannel } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { PersistentShell } from '../../../src/remote/ssh-shell.js';

/** An ssh2 Client whose exec runs the command with the local sh, recording the command and every stdin write. */
function localClient() {
  const seen = { cmd: '', writes: [] as string[] };
  const client = {
    exec(cmd: string, cb: (err: Error | undefined, ch: ClientChannel) => void) {
      seen.cmd = cmd;
      const p = spawn('sh', ['-c', cmd], { stdio: 'pipe' });
      const ch = Object.assign(new EventEmitter(), {
        stderr: new EventEmitter(),
        write: (b: string | Buffer) => {
          seen.writes.push(String(b));
          return p.stdin.write(b);
        },
        end: () => p.stdin.end(),
        destroy: () => p.kill(),
      });
      p.stdout.on('data', (d: Buffer) => ch.emit('data', d));
      p.stderr.on('data', (d: Buffer) => ch.stderr.emit('data', d));
      p.on('close', (code) => {
        ch.emit('exit', code);
        ch.emit('close');
      });
      cb(undefined, ch as unknown as ClientChannel);
    },
  };
  return { client: client as unknown as Client, seen };
}

describe('PersistentShell.open', () => {
  it("asks what the host offers in the channel's own command: nothing is written before the first command", async () => {
    const { client, seen } = localClient();
    const shell = await PersistentShell.open(client, { readyTimeoutMs: 5000 });
    expect(seen.cmd).toMatch(/^exec sh -c '/);
    expect(seen.cmd).toContain('command -v setsid');
    expect(seen.cmd).toMatch(/exec sh'$/);
    expect(seen.writes).toEqual([]);
    // the shell that stays runs commands, and the offers were read: a command with a timeout runs on it (setsid)
    expect(shell.canRun({ timeout: 5 })).toBe(true);
    const r = await shell.run('echo hi; echo err >&2; exit 3', {}, () => undefined);
    expect({ code: r.code, out: r.stdout.toString(), err: r.stderr.toString() }).toEqual({ code: 3, out: 'hi\n', err: 'err\n' });
    expect(seen.writes).toHaveLength(1);
    shell.close();
  });
});
