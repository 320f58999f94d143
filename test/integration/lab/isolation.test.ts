// A lab host's changes stay in the host: files under /usr, /home, /opt, /srv, a dpkg/apt install and a
// useradd -m on one host reach neither the machine nor the other hosts, and `lab down` leaves no mount.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_OVERLAY_DIRS, renderFstab } from '../../../src/lab/host-init.js';
import { type LabInfo, labDown, labUp } from '../../../src/lab/index.js';

const isRoot = process.getuid?.() === 0;
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
// Needs root (namespaces, mounts) and Debian's dpkg/apt and useradd; skipped elsewhere, as the other lab tests are.
const canRun = isRoot && ['dpkg-deb', 'dpkg', 'apt-get', 'useradd', 'nsenter'].every(has);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

// On the machine (the root namespaces), never through a shell.
function local(bin: string, args: string[]): Ran {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// On a lab host with the real OpenSSH client; `input` goes to the remote command's stdin.
function onHost(lab: LabInfo, host: string, command: string, input?: Buffer): Ran {
  const h = lab.hosts.find((x) => x.name === host);
  if (!h) throw new Error(`no host ${host}`);
  const r = spawnSync(
    'ssh',
    [
      '-F',
      '/dev/null',
      '-i',
      lab.keyPath,
      '-o',
      `UserKnownHostsFile=${lab.knownHostsPath}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'LogLevel=ERROR',
      `root@${h.ip}`,
      command,
    ],
    { encoding: 'utf8', timeout: 120_000, input },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// Every mount, in every mount namespace on the machine, whose line names `path`.
function mountsNaming(path: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (line.includes(path)) out.push(`pid ${pid}: ${line}`);
  }
  return out;
}

describe('lab host mounts (fstab)', () => {
  const lines = (hd: string, labDir: string) =>
    renderFstab(hd, labDir)
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
  const targets = (hd: string, labDir: string) => lines(hd, labDir).map((l) => l.split(' ')[1]);

  it('overlays /etc, /var, /usr, /opt, /srv and /home on the machine’s own, then /root, /run, /tmp', () => {
    expect(HOST_OVERLAY_DIRS).toEqual(['/etc', '/var', '/usr', '/opt', '/srv', '/home']);
    const l = lines('/work/.lab/x/hosts/h1', '/work/.lab/x');
    expect(l[2]).toBe(
      'lab-usr /usr overlay lowerdir=/usr,upperdir=/work/.lab/x/hosts/h1/usr.upper,workdir=/work/.lab/x/hosts/h1/usr.work,volatile 0 0',
    );
    expect(targets('/work/.lab/x/hosts/h1', '/work/.lab/x')).toEqual([
      '/etc',
      '/var',
      '/usr',
      '/opt',
      '/srv',
      '/home',
      '/root',
      '/run',
      '/tmp',
    ]);
  });

  it('mounts last whatever covers the state dir, so earlier mounts still find it', () => {
    expect(targets('/home/me/p/.lab/x/hosts/h1', '/home/me/p/.lab/x').at(-1)).toBe('/home');
    expect(targets('/srv/lab/hosts/h1', '/srv/lab').at(-1)).toBe('/srv');
    expect(targets('/root/p/.lab/x/hosts/h1', '/root/p/.lab/x').at(-1)).toBe('/root');
    expect(targets('/tmp/t/hosts/h1', '/tmp/t').at(-1)).toBe('/tmp');
    expect(targets('/optical/hosts/h1', '/optical').at(-1)).toBe('/tmp');
  });

  it('escapes a space in the state dir the way fstab reads it', () => {
    const l = lines('/srv/my lab/hosts/h1', '/srv/my lab');
    expect(l).toContain('/srv/my\\040lab/hosts/h1/root /root none bind 0 0');
    expect(l.at(-1)).toContain('upperdir=/srv/my\\040lab/hosts/h1/srv.upper');
  });
});

// Skipped only where the machine cannot build a lab with packages (not root, or no dpkg, apt-get, useradd, nsenter);
// scripts/setup.sh installs them and CI runs as root, so CI runs it.
describe.skipIf(!canRun)('lab isolation: a host’s changes stay in the host', () => {
  const name = 'liso';
  // Under /home on purpose: the host mounts its /home overlay over the state dir, so this also proves the
  // mount order (everything that reads hosts/hN first, /home last).
  const dir = mkdtempSync('/home/runbook-lab-iso-');
  const work = mkdtempSync(join(tmpdir(), 'runbook-lab-iso-deb-'));
  const tag = `rb-lab-iso-${process.pid}`;
  const pkg = `rb-lab-iso-probe-${process.pid}`;
  const user = 'labuser';
  const files = [`/usr/local/${tag}`, `/opt/${tag}`, `/srv/${tag}`, `/home/${tag}`];
  let deb: Buffer;
  let lab: LabInfo;
  let holder: ChildProcess | undefined;

  beforeAll(async () => {
    // preconditions on the machine, or the "absent afterwards" checks prove nothing
    expect(local('getent', ['passwd', user]).code, `the machine already has a user ${user}`).not.toBe(0);
    expect(local('dpkg', ['-s', pkg]).code).not.toBe(0);
    for (const f of [...files, `/home/${user}`]) expect(existsSync(f), f).toBe(false);

    // a tiny package: one file under /usr/share, a postinst that only prints
    const root = join(work, 'pkg');
    mkdirSync(join(root, 'DEBIAN'), { recursive: true });
    mkdirSync(join(root, 'usr/share', pkg), { recursive: true });
    writeFileSync(join(root, 'usr/share', pkg, 'hello.txt'), 'hello from the probe package\n');
    writeFileSync(
      join(root, 'DEBIAN/control'),
      `Package: ${pkg}\nVersion: 1.0\nArchitecture: all\nMaintainer: runbook tests <tests@example.invalid>\nDescription: runbook lab isolation probe\n`,
    );
    writeFileSync(join(root, 'DEBIAN/postinst'), '#!/bin/sh\nset -e\necho "probe postinst $1"\n');
    chmodSync(join(root, 'DEBIAN/postinst'), 0o755);
    execFileSync('dpkg-deb', ['--build', '--root-owner-group', root, join(work, 'probe.deb')], { stdio: 'ignore' });
    deb = readFileSync(join(work, 'probe.deb'));

    lab = await labUp({ name, dir, count: 2 });
    // refuse to write anything unless the host really has its own copy-on-write views (else the tests
    // below would install into the machine)
    for (const h of ['h1', 'h2']) {
      const fs = onHost(lab, h, `for d in ${HOST_OVERLAY_DIRS.join(' ')}; do findmnt -n -o FSTYPE --mountpoint $d; done`);
      expect(fs.stdout, `${h}'s mounts`).toBe('overlay\n'.repeat(HOST_OVERLAY_DIRS.length));
      expect(onHost(lab, h, 'cat > /root/probe.deb', deb).code).toBe(0);
    }
  }, 60_000);

  afterAll(async () => {
    if (holder?.pid) {
      try {
        process.kill(holder.pid, 'SIGKILL');
      } catch {
        // already gone (labDown kills it)
      }
    }
    await labDown({ name, dir, purge: true });
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('a host starts with what the machine has: packages in dpkg’s database, users, /opt', () => {
    const r = onHost(lab, 'h1', 'dpkg -s openssh-server | grep ^Status; getent passwd root | cut -d: -f1; ls -A /opt');
    expect(r.code).toBe(0);
    const [status, rootUser, ...opt] = r.stdout.trimEnd().split('\n');
    expect([status, rootUser]).toEqual(['Status: install ok installed', 'root']);
    expect(opt.filter(Boolean).sort()).toEqual(readdirSync('/opt').sort());
  });

  it('h1 writes under /usr/local, /opt, /srv, /home, installs a .deb with dpkg -i and adds a user with useradd -m', () => {
    const script = [
      'set -e',
      ...files.map((f) => `echo ${tag} > ${f}`),
      'dpkg -i /root/probe.deb',
      `dpkg -s ${pkg} | grep ^Status`,
      `cat /usr/share/${pkg}/hello.txt`,
      `useradd -m ${user}`,
      `getent passwd ${user} | cut -d: -f1,6`,
      `test -f /home/${user}/.profile && echo home-made`,
      `cat ${files.join(' ')}`,
    ].join('\n');
    const r = onHost(lab, 'h1', script);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('probe postinst configure\n');
    expect(r.stdout).toContain('Status: install ok installed\nhello from the probe package\n');
    expect(r.stdout).toContain(`${user}:/home/${user}\nhome-made\n`);
    expect(r.stdout.endsWith(`${tag}\n`.repeat(files.length))).toBe(true);
  });

  it('the machine has none of it: no package, no user, no home, no files', () => {
    expect(local('dpkg', ['-s', pkg]).code).not.toBe(0);
    expect(local('getent', ['passwd', user]).code).not.toBe(0);
    expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(new RegExp(`^${user}:`, 'm'));
    for (const f of [...files, `/usr/share/${pkg}`, `/home/${user}`]) expect(existsSync(f), f).toBe(false);
  });

  it('h2 has none of h1’s changes, and its own apt-get install of the local .deb stays on h2', () => {
    const probe = [
      `dpkg -s ${pkg} >/dev/null 2>&1 && echo pkg`,
      `getent passwd ${user} && echo user`,
      ...[...files, `/usr/share/${pkg}`, `/home/${user}`].map((f) => `test -e ${f} && echo ${f}`),
      'echo done',
    ].join('; ');
    expect(onHost(lab, 'h2', probe).stdout).toBe('done\n');

    const apt = onHost(lab, 'h2', `DEBIAN_FRONTEND=noninteractive apt-get install -y /root/probe.deb && dpkg -s ${pkg} | grep ^Status`);
    expect(apt.code, apt.stderr).toBe(0);
    // apt runs dpkg on a pty: \r\n
    expect(apt.stdout).toMatch(/probe postinst configure\r?\n/);
    expect(apt.stdout).toMatch(/Status: install ok installed\n$/);
    expect(local('dpkg', ['-s', pkg]).code).not.toBe(0);
    expect(existsSync(`/usr/share/${pkg}`)).toBe(false);
  }, 120_000);

  it('the machine never sees a host mount, and down leaves none behind, even one entered with nsenter -m', async () => {
    const hostsDir = `${dir}/hosts/`;
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(dir);
    expect(readFileSync('/proc/1/mountinfo', 'utf8')).not.toContain(dir);
    // a process on the machine that joined h1's mounts: in none of h1's other namespaces
    holder = spawn('nsenter', ['-t', String(lab.hosts[0].pid), '-m', 'sleep', '300'], { stdio: 'ignore', detached: true });
    holder.unref();
    let held: string[] = [];
    for (let i = 0; i < 100 && held.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      held = mountsNaming(hostsDir).filter((l) => l.startsWith(`pid ${holder?.pid}:`));
    }
    expect(held.some((l) => l.includes(' /usr ') && l.includes(`upperdir=${hostsDir}h1/usr.upper`))).toBe(true);

    const exited = new Promise((r) => holder?.once('exit', r));
    await labDown({ name, dir });
    expect(mountsNaming(hostsDir)).toEqual([]);
    await exited; // down killed it (afterAll would otherwise)
    expect(existsSync(`${dir}/hosts`)).toBe(false);
    expect(local('ip', ['netns', 'list']).stdout).not.toContain(`rb-${name}-`);
    expect(local('findmnt', ['-rn', '-o', 'TARGET']).stdout).not.toContain(`rb-${name}-`);
  }, 30_000);
});
