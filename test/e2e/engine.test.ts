// The engine on 3 real sshd hosts: ad-hoc exec, a playbook tour, idempotent rerun, check mode, failures.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type LabInfo, labDown, onHost, ROOT, recapOf, runbook, withLab } from './helpers.js';

const SITE = join(ROOT, 'test/fixtures/e2e/site.yaml');
let lab: LabInfo;
let inv: string;

beforeAll(async () => {
  lab = await withLab('eng', 3);
  inv = lab.inventoryPath;
});
afterAll(async () => {
  await labDown({ name: 'eng' });
});

describe('engine on a 3-host lab', () => {
  it('runs an ad-hoc command on a pattern, in parallel', async () => {
    const r = await runbook(['exec', 'mesh:!h3', '-i', inv, '--', 'hostname']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^h1\s+changed\s+hostname/m);
    expect(r.stdout).toMatch(/stdout\| h1$/m);
    expect(r.stdout).toMatch(/stdout\| h2$/m);
    expect(r.stdout).not.toMatch(/^h3/m);
  });

  it('check mode on fresh hosts reports changes and touches nothing', async () => {
    const r = await runbook(['run', SITE, '-i', inv, '--check']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('CHECK MODE');
    expect(recapOf(r.stdout).h1.changed).toBeGreaterThan(0);
    for (const h of ['h1', 'h2', 'h3']) expect(onHost(lab, h, 'test -e /etc/app || echo absent').stdout.trim()).toBe('absent');
  });

  it('applies the tour playbook and the hosts hold the result', async () => {
    const r = await runbook(['run', SITE, '-i', inv]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const recap = recapOf(r.stdout);
    expect(Object.keys(recap).sort()).toEqual(['h1', 'h2', 'h3']);
    for (const [i, h] of ['h1', 'h2', 'h3'].entries()) {
      const conf = onHost(lab, h, 'cat /etc/app/app.conf').stdout;
      expect(conf).toContain(`# ${h} (Debian)`);
      expect(conf).toContain(`gateway = 192.168.${i + 1}.1`);
      expect(conf).toContain('netmask = 255.255.255.0');
      expect(conf).not.toContain('extra =');
      expect(onHost(lab, h, 'cat /etc/app/wanted.list').stdout).toBe('alpha\nbeta\ngamma\n');
      expect(onHost(lab, h, 'cat /root/marker').stdout).toBe('created\n');
      expect(onHost(lab, h, 'stat -c %a /etc/app/static.conf').stdout.trim()).toBe('644');
      // the handler ran exactly once although two tasks notified it
      expect(onHost(lab, h, 'cat /root/restarts').stdout).toBe('restarted\n');
      expect(onHost(lab, h, 'ls -a /etc/app').stdout).not.toContain('.runbook-tmp');
    }
    expect(onHost(lab, 'h1', 'cat /root/only-h1').stdout).toBe('h1\n');
    expect(onHost(lab, 'h2', 'test -e /root/only-h1 || echo absent').stdout.trim()).toBe('absent');
  });

  it('a rerun changes nothing and runs no handler', async () => {
    // applied here, not by the test before: this test holds whatever order the tests run in
    expect((await runbook(['run', SITE, '-i', inv])).code).toBe(0);
    const r = await runbook(['run', SITE, '-i', inv]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of ['h1', 'h2', 'h3']) expect(recapOf(r.stdout)[h].changed).toBe(0);
    expect(onHost(lab, 'h1', 'cat /root/restarts').stdout).toBe('restarted\n');
  });

  it('a -e override re-renders the template on every host, with a diff', async () => {
    const r = await runbook(['run', SITE, '-i', inv, '-e', 'extra_option=on', '--diff']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('+extra = on');
    expect(onHost(lab, 'h2', 'cat /etc/app/app.conf').stdout).toContain('extra = on');
    expect(onHost(lab, 'h2', 'cat /root/restarts').stdout).toBe('restarted\nrestarted\n');
  });

  it('route persist: debian writes an ifupdown hook that really restores the route; rerun changes nothing', async () => {
    const via = lab.hosts[1].ip;
    const args = ['-i', inv, '-m', 'route', '-a', `to=10.77.0.0/24 via=${via} persist=debian`];
    onHost(lab, 'h1', 'mkdir -p /etc/network/if-up.d'); // ifupdown ships it; the lab's private /etc does not
    const first = await runbook(['exec', 'h1', ...args]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(onHost(lab, 'h1', 'ip route show 10.77.0.0/24').stdout).toContain(`via ${via}`);
    expect(onHost(lab, 'h1', 'stat -c %a /etc/network/if-up.d/runbook-routes').stdout.trim()).toBe('755');
    const again = await runbook(['exec', 'h1', ...args]);
    expect(recapOf(again.stdout).h1.changed).toBe(0);
    // what ifupdown does when an interface comes up after a reboot: run the hook (twice is harmless)
    onHost(lab, 'h1', 'ip route del 10.77.0.0/24');
    const hook = onHost(lab, 'h1', 'IFACE=eth0 /etc/network/if-up.d/runbook-routes && /etc/network/if-up.d/runbook-routes; echo rc=$?');
    expect(hook.stdout).toContain('rc=0');
    expect(onHost(lab, 'h1', 'ip route show 10.77.0.0/24').stdout).toContain(`via ${via}`);
    const gone = await runbook(['exec', 'h1', '-i', inv, '-m', 'route', '-a', 'to=10.77.0.0/24 state=absent persist=debian']);
    expect(gone.code).toBe(0);
    expect(onHost(lab, 'h1', 'ip route show 10.77.0.0/24; grep -c 10.77 /etc/network/if-up.d/runbook-routes').stdout.trim()).toBe('0');
  });

  it('output piped into a reader that quits early (| head -1): no crash, the run finishes on every host', async () => {
    onHost(lab, 'h3', 'rm -f /root/piped');
    const sh = `"${process.execPath}" "${CLI}" exec all -i "${inv}" -o json -- 'sleep 0.5; touch /root/piped; echo done' | head -1; echo "rc=\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', sh], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stdout).toMatch(/^\{.*\}\nrc=0\n$/);
    expect(r.stderr).toBe('');
    expect(onHost(lab, 'h3', 'test -e /root/piped && echo yes').stdout.trim()).toBe('yes');
  });

  it('a bad playbook exits 4 with file:line and touches no host', async () => {
    const r = await runbook(['run', join(ROOT, 'test/fixtures/e2e/bad-module.yaml'), '-i', inv]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/bad-module\.yaml:9:7: unknown module "copyy"/);
    expect(r.stderr).toContain('did you mean "copy"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(onHost(lab, 'h1', 'test -e /root/should-not-exist || echo absent').stdout.trim()).toBe('absent');
  });

  it('an undefined template variable exits 4 naming the variable and host, before any host is touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-e2e-'));
    writeFileSync(join(dir, 'x.hbs'), 'value = {{ no_such_var }}\n');
    writeFileSync(
      join(dir, 'pb.yaml'),
      '- hosts: mesh\n  gather_facts: false\n  tasks:\n    - copy: {dest: /root/pre, content: "x"}\n    - template: {src: x.hbs, dest: /root/x}\n',
    );
    const r = await runbook(['run', join(dir, 'pb.yaml'), '-i', inv]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('no_such_var');
    expect(r.stderr).toMatch(/h1|h2|h3/);
    expect(onHost(lab, 'h1', 'test -e /root/pre || echo absent').stdout.trim()).toBe('absent');
  });

  it('a failing command fails that host only, with rc and stderr, exit 2', async () => {
    const r = await runbook(['exec', 'mesh', '-i', inv, '--', 'if [ "$(hostname)" = h2 ]; then echo boom >&2; exit 7; fi; echo fine']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^h2\s+failed/m);
    expect(r.stdout).toContain('rc=7');
    expect(r.stdout).toContain('stderr| boom');
    expect(recapOf(r.stdout).h1.failed).toBe(0);
    expect(recapOf(r.stdout).h2.failed).toBe(1);
  });

  it('JSON output is one event per line and a summary', async () => {
    const r = await runbook(['exec', 'h1', '-i', inv, '-o', 'json', '--', 'echo hi']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const res = lines.find((l) => l.type === 'task:result');
    expect(res).toMatchObject({ host: 'h1', status: 'changed', stdout: 'hi', rc: 0 });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', exit_code: 0 });
  });

  it('a host whose key changed is refused with both fingerprints; known_hosts untouched', async () => {
    const kh = join(mkdtempSync(join(tmpdir(), 'rb-kh-')), 'known_hosts');
    const orig = readFileSync(lab.knownHostsPath, 'utf8');
    const h3 = lab.hosts.find((h) => h.name === 'h3')!;
    const h1 = lab.hosts.find((h) => h.name === 'h1')!;
    // h3's line now claims h1's key: exactly what a re-keyed (or impostor) host looks like.
    const h1Line = orig.split('\n').find((l) => l.startsWith(`${h1.ip} `))!;
    const forged = orig
      .split('\n')
      .map((l) => (l.startsWith(`${h3.ip} `) ? `${h3.ip} ${h1Line.split(' ').slice(1).join(' ')}` : l))
      .join('\n');
    writeFileSync(kh, forged);
    const r = await runbook(['exec', 'mesh', '-i', inv, '--known-hosts', kh, '--', 'touch /root/keytest']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^h3\s+unreachable/m);
    expect(r.stdout).toMatch(/SHA256:\S+/);
    expect(readFileSync(kh, 'utf8')).toBe(forged);
    expect(onHost(lab, 'h3', 'test -e /root/keytest || echo absent').stdout.trim()).toBe('absent');
    expect(onHost(lab, 'h1', 'test -e /root/keytest && echo present').stdout.trim()).toBe('present');
    copyFileSync(lab.knownHostsPath, kh);
  });

  it('a host whose sshd is down is unreachable, the others finish, exit 3', async () => {
    const h2 = lab.hosts.find((h) => h.name === 'h2')!;
    process.kill(h2.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const r = await runbook(['exec', 'mesh', '-i', inv, '--connect-timeout', '3', '--', 'echo still-here > /root/after-kill']);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^h2\s+unreachable/m);
    const recap = recapOf(r.stdout);
    expect(recap.h2.unreachable).toBe(1);
    expect(recap.h1.changed).toBe(1);
    expect(onHost(lab, 'h3', 'cat /root/after-kill').stdout).toBe('still-here\n');
  });
});
