// Test lab: a private sshd on 127.0.0.1 with its own host key, config and authorized_keys.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SshdLab {
  dir: string;
  port: number;
  clientKey: string;
  hostPub: { type: string; blob: Buffer };
  log(): string;
  stop(): Promise<void>;
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', file]);
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startSshd(extraConfig = ''): Promise<SshdLab> {
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'runbook-sshd-'));
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'id_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')));
  const port = await freePort();
  const cfg = join(dir, 'sshd_config');
  writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'pid')}`,
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      // Two: one running, one possibly not yet reaped; parallel opens beyond that are refused.
      'MaxSessions 2',
      'AllowTcpForwarding yes',
      'LogLevel VERBOSE',
      extraConfig,
    ].join('\n'),
  );
  const proc: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  while (!log.includes('Server listening')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const [type, b64] = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').split(' ');
  return {
    dir,
    port,
    clientKey: join(dir, 'id_ed25519'),
    hostPub: { type, blob: Buffer.from(b64, 'base64') },
    log: () => log,
    async stop() {
      if (proc.pid !== undefined && proc.exitCode === null) {
        process.kill(proc.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A TCP relay in front of sshd: drops the first `dropFirst` connections, can cut live ones.
export interface Relay {
  port: number;
  accepted: number;
  cutAll(): void;
  close(): Promise<void>;
}

export async function startRelay(targetPort: number, dropFirst = 0): Promise<Relay> {
  const live = new Set<Socket>();
  const relay: Relay = {
    port: 0,
    accepted: 0,
    cutAll() {
      for (const s of live) s.destroy();
      live.clear();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server: Server = createServer((sock) => {
    relay.accepted++;
    if (relay.accepted <= dropFirst) {
      sock.resetAndDestroy();
      return;
    }
    const up = connect(targetPort, '127.0.0.1');
    live.add(sock);
    live.add(up);
    sock.pipe(up).pipe(sock);
    const done = () => {
      sock.destroy();
      up.destroy();
      live.delete(sock);
      live.delete(up);
    };
    sock.on('error', done).on('close', done);
    up.on('error', done).on('close', done);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  relay.port = (server.address() as { port: number }).port;
  return relay;
}
