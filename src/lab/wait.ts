// "Up" means sshd accepts TCP, not merely that a process was spawned.
import { connect } from 'node:net';

// One TCP connect attempt, closed at once; false on refusal or after timeoutMs.
export function tcpOpen(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Polls until the port answers, `giveUp()` says stop (the host died), or the deadline passes.
// `ready()` gates the first connect: a SYN sent before the address exists waits out ARP's 1 s retry.
export async function waitForTcp(
  host: string,
  port: number,
  opts: { timeoutMs: number; ready?: () => Promise<boolean>; giveUp?: () => Promise<boolean> },
): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  while (opts.ready && Date.now() < deadline && !(await opts.ready())) {
    if (opts.giveUp && (await opts.giveUp())) return false;
    await sleep(15);
  }
  let delay = 5;
  while (Date.now() < deadline) {
    if (await tcpOpen(host, port)) return true;
    if (opts.giveUp && (await opts.giveUp())) return false;
    await sleep(delay);
    delay = Math.min(delay * 2, 40);
  }
  return false;
}
