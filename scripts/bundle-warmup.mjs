// The bundle's second warm-up: runs over SSH to a throwaway ssh2 server on 127.0.0.1, so the V8 code cache also
// holds the paths every real run compiles: key parsing, key exchange, ciphers, channels, the persistent shell
// (a short playbook that only echoes), and what a rerun of the mesh compiles: facts, and every module's probes and
// plan (gre-mesh.yaml in --check mode, which reads and never changes: its probes read this machine's
// /var/lib/dpkg/status, `ip -j` and `ovs-vsctl` where present, and stat files; nothing is applied, no host is armed).
// The server accepts only the key made here and runs each exec request with the local sh.
import { execFile, spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';

const { Server, utils } = ssh2;

/** Runs `node <loader> run …` against the loopback server (env added to the run's), once per warm-up playbook. */
export async function warmUpOverSsh(loader, env) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-warmup-'));
  const user = keyPair();
  const server = serve(keyPair().private, utils.parseKey(user.public));
  const run = (args, ok = [0]) =>
    new Promise((res, rej) =>
      execFile(process.execPath, [loader, 'run', ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (e, stdout, stderr) =>
        e && !ok.includes(e.code) ? rej(new Error(`warm-up run failed: ${e.message}\n${stdout}`)) : res({ stdout, stderr }),
      ),
    );
  try {
    const port = await new Promise((res) => server.listen(0, '127.0.0.1', () => res(server.address().port)));
    writeFileSync(join(dir, 'id'), user.private, { mode: 0o600 });
    writeFileSync(join(dir, 'inventory.yaml'), inventory(dir, port));
    writeFileSync(join(dir, 'play.yaml'), PLAY);
    const out = await run([join(dir, 'play.yaml'), '-i', join(dir, 'inventory.yaml'), '-o', 'json']);
    // Exit 2 is expected where this machine runs no Open vSwitch: the OVS tasks fail to plan, after the others planned.
    if (existsSync(MESH)) await run([MESH, '-i', join(dir, 'inventory.yaml'), '-o', 'json', '--check'], [0, 2]);
    return out;
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const MESH = 'playbooks/gre-mesh.yaml';

// ssh2's ed25519 keygen strips a public key's leading zero byte (about 1 key in 256; mscdex/ssh2#1513, #1390), and
// its own parseKey then rejects the key: make another until both halves parse.
function keyPair() {
  for (;;) {
    const k = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(k.public) instanceof Error) && !(utils.parseKey(k.private) instanceof Error)) return k;
  }
}

const PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - shell: echo warm
    - command: echo up
`;

// One host, in group mesh with the variables gre-mesh.yaml asks for (documentation addresses, never configured).
const inventory = (dir, port) => `all:
  children:
    mesh:
      hosts:
        warm:
          ansible_host: 127.0.0.1
          ansible_port: ${port}
          ansible_user: warm
          ansible_ssh_private_key_file: ${join(dir, 'id')}
          runbook_known_hosts: ${join(dir, 'known_hosts')}
          bridge_cidr: 192.0.2.1/24
          docker_subnet: 192.0.2.0/24
          ovs_datapath_type: netdev
`;

function serve(hostKey, userKey) {
  const wanted = userKey.getPublicSSH();
  return new Server({ hostKeys: [hostKey] }, (client) => {
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      const ok = ctx.method === 'publickey' && ctx.key.data.length === wanted.length && timingSafeEqual(ctx.key.data, wanted);
      if (!ok) return ctx.reject(['publickey']);
      if (ctx.signature && !userKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return ctx.reject(['publickey']);
      ctx.accept();
    });
    client.on('ready', () => client.on('session', (accept) => accept().on('exec', (acceptExec, _r, info) => execLocally(acceptExec(), info.command))));
  });
}

function execLocally(ch, command) {
  const p = spawn('sh', ['-c', command], { stdio: 'pipe' });
  ch.pipe(p.stdin);
  p.stdin.on('error', () => {});
  p.stdout.pipe(ch, { end: false });
  p.stderr.pipe(ch.stderr, { end: false });
  p.on('close', (code, signal) => {
    if (signal) ch.exit(signal);
    else ch.exit(code ?? 1);
    ch.end();
  });
}
