// Stand-in containers: a network namespace per host with a veth into that host's br0 and an address in its
// docker_subnet, default route via the host's bridge address — what Docker would give a container.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { LabInfo } from '../../src/lab/lab.js';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

export interface Container {
  ns: string;
  addr: string;
}

/** Container `.2` of host hN's 192.168.N.0/24; removed by removeContainers. */
export function addContainer(lab: LabInfo, hostIndex: number): Container {
  const host = lab.hosts[hostIndex - 1];
  const ns = `rbc-${lab.name}-${hostIndex}`;
  const veth = `cv${lab.name}${hostIndex}`;
  const addr = `192.168.${hostIndex}.2`;
  try {
    ip('netns', 'del', ns);
  } catch {}
  ip('netns', 'add', ns);
  ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}p`);
  ip('link', 'set', veth, 'netns', ns);
  ip('link', 'set', `${veth}p`, 'netns', host.ns);
  ip('-n', host.ns, 'link', 'set', `${veth}p`, 'master', 'br0', 'up');
  ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', veth);
  ip('-n', ns, 'link', 'set', veth, 'mtu', '1400', 'up');
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  ip('-n', ns, 'route', 'add', 'default', 'via', `192.168.${hostIndex}.1`);
  return { ns, addr };
}

export function removeContainers(lab: LabInfo, count: number): void {
  for (let i = 1; i <= count; i++) {
    try {
      ip('netns', 'del', `rbc-${lab.name}-${i}`);
    } catch {}
  }
}

export function ping(from: Container, to: Container): boolean {
  try {
    execFileSync('ip', ['netns', 'exec', from.ns, 'ping', '-c', '1', '-W', '2', to.addr], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Sends `bytes` random bytes over TCP from one container to another; true when the receiver got them intact. */
export async function tcpTransfer(from: Container, to: Container, bytes: number): Promise<boolean> {
  const payload = randomBytes(bytes);
  const want = createHash('sha256').update(payload).digest('hex');
  const got = createHash('sha256');
  let received = 0;
  const server = spawn('ip', ['netns', 'exec', to.ns, 'timeout', '20', 'nc', '-l', '-p', '5001'], { stdio: ['ignore', 'pipe', 'ignore'] });
  server.stdout.on('data', (d: Buffer) => {
    received += d.length;
    got.update(d);
  });
  const done = new Promise<void>((r) => server.on('close', () => r()));
  await new Promise((r) => setTimeout(r, 300));
  const client = spawn('ip', ['netns', 'exec', from.ns, 'timeout', '20', 'nc', '-N', '-w', '5', to.addr, '5001'], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  client.stdin.end(payload);
  await new Promise<void>((r) => client.on('close', () => r()));
  await done;
  return received === bytes && got.digest('hex') === want;
}
