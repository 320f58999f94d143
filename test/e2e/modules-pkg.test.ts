// The packages family on a real lab host: .deb files built on the host, served by a local file: apt repository
// (the host's sources point only there: no network), installed, upgraded and purged by apt; repository and key
// files written as Ansible writes them; pip into a virtualenv from a local wheel. Lab hosts have private
// copy-on-write /usr, /etc, /var, /srv, so nothing here reaches the machine (checked at the end).
// dnf/yum and rpm_key have no end-to-end test: there is no rpm tooling on this Debian machine (table tests only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LabInfo, labDown, onHost, ROOT, recapOf, runbook, withLab } from './helpers.js';

const LAB = 'mpkg';
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const missing = ['dpkg-deb', 'dpkg-scanpackages', 'apt-get'].filter((b) => !has(b));
const skip = missing.length > 0 || process.getuid?.() !== 0;
if (skip) console.warn(`modules-pkg e2e skipped: needs root and ${missing.join(', ') || 'the tools'} on the machine`);

const KEY = readFileSync(join(ROOT, 'test/fixtures/pkg/test-key.asc'), 'utf8');
const FPR = 'BEA85B5FB27015934603A4A7BDFB2F7DD745D17B';

// Builds the .debs on the host, two file: repositories, and points apt at nothing else.
const REPO_SCRIPT = `set -e
mk() { d=/srv/build/$1_$2; mkdir -p $d/DEBIAN $d/usr/share/$1
  printf 'Package: %s\\nVersion: %s\\nArchitecture: all\\nMaintainer: runbook <t@runbook.invalid>\\n' $1 $2 > $d/DEBIAN/control
  if [ -n "$4" ]; then echo "Depends: $4" >> $d/DEBIAN/control; fi
  echo 'Description: runbook e2e test package' >> $d/DEBIAN/control
  echo "$1 $2" > $d/usr/share/$1/version
  mkdir -p $3; dpkg-deb --build --root-owner-group $d $3/$1_$2_all.deb >/dev/null; }
scan() { (cd $1 && dpkg-scanpackages -m . /dev/null > Packages 2>/dev/null); }
mk mpkg-dep 1.0 /srv/mpkg-repo; mk mpkg-hello 1.0 /srv/mpkg-repo mpkg-dep; scan /srv/mpkg-repo
mk mpkg-extra 1.0 /srv/mpkg-repo2; scan /srv/mpkg-repo2
rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
mkdir -p /etc/yum.repos.d /srv/wheels
/usr/bin/python3 - <<'PY'
import base64, hashlib, zipfile
files = {"hello_rb/__init__.py": b"GREETING = 'hi'\\n",
         "hello_rb-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: hello-rb\\nVersion: 1.0\\n",
         "hello_rb-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: runbook-e2e\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
rec = [f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()},{len(b)}" for n, b in files.items()]
rec.append("hello_rb-1.0.dist-info/RECORD,,")
with zipfile.ZipFile("/srv/wheels/hello_rb-1.0-py3-none-any.whl", "w") as z:
    for n, b in files.items(): z.writestr(n, b)
    z.writestr("hello_rb-1.0.dist-info/RECORD", "\\n".join(rec) + "\\n")
PY
`;

const SITE = `- hosts: h1
  tasks:
    - deb822_repository:
        name: mpkg extra
        types: deb
        uris: file:/srv/mpkg-repo2
        suites: ./
        trusted: true
    - apt_repository:
        repo: deb [trusted=yes] file:/srv/mpkg-repo ./
        filename: mpkg
    - name: both packages in one apt-get call, mpkg-dep comes as a dependency
      apt:
        name: [mpkg-hello, mpkg-extra]
        update_cache: true
        cache_valid_time: 3600
    - yum_repository:
        name: epel
        description: EPEL YUM repo
        baseurl: [https://mirror.invalid/epel/$releasever/$basearch/, https://mirror2.invalid/epel/]
        gpgcheck: true
        enabled: false
    - apt_key:
        keyring: /etc/apt/keyrings/runbook-test.asc
        data: |
${KEY.trimEnd()
  .split('\n')
  .map((l) => `          ${l}`)
  .join('\n')}
    - pip:
        name: /srv/wheels/hello_rb-1.0-py3-none-any.whl
        virtualenv: /srv/venv
        virtualenv_command: python3 -m venv
        extra_args: --no-index
`;

const LATEST = `- hosts: h1
  tasks:
    - apt: {name: mpkg-hello, state: latest, update_cache: true, cache_valid_time: "{{ valid | default(0) }}"}
      register: r
    - assert:
        that: ["r.cache_updated == (updated | bool)", "(r.stdout is defined) == (captured | bool)"]
`;

const PURGE = `- hosts: h1
  tasks:
    - apt: {name: [mpkg-hello, mpkg-extra], state: absent, purge: true, autoremove: true}
`;

let lab: LabInfo;
let inv: string;
let dir: string;
const play = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const version = (pkg: string) => onHost(lab, 'h1', `dpkg-query -W -f='\${Status} \${Version}' ${pkg} 2>/dev/null`).stdout.trim();

beforeAll(async () => {
  if (skip) return;
  lab = await withLab(LAB, 1);
  inv = lab.inventoryPath;
  dir = mkdtempSync(join(tmpdir(), 'mpkg-'));
  const r = onHost(lab, 'h1', REPO_SCRIPT);
  if (r.code !== 0) throw new Error(`repository setup failed: ${r.stdout}${r.stderr}`);
}, 120_000);

afterAll(async () => {
  if (!skip) await labDown({ name: LAB });
});

// Skipped only without root or the packaging tools (the warning above names them); CI has both.
describe.skipIf(skip)('packages family on a lab host', () => {
  test('check mode first: everything would change, nothing does', async () => {
    const r = await runbook(['run', play('site.yaml', SITE), '-i', inv, '--check']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(version('mpkg-hello')).toBe('');
    expect(onHost(lab, 'h1', 'ls /etc/apt/sources.list.d /etc/yum.repos.d').stdout.trim()).toBe(
      '/etc/apt/sources.list.d:\n\n/etc/yum.repos.d:',
    );
  });

  test('apply: repositories, packages (dependency included), repo file, key, pip wheel in a new virtualenv', async () => {
    const r = await runbook(['run', play('site.yaml', SITE), '-i', inv]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(recapOf(r.stdout).h1).toMatchObject({ changed: 6, failed: 0 });
    expect(version('mpkg-hello')).toBe('install ok installed 1.0');
    expect(version('mpkg-dep')).toBe('install ok installed 1.0');
    expect(version('mpkg-extra')).toBe('install ok installed 1.0');
    expect(onHost(lab, 'h1', 'cat /usr/share/mpkg-hello/version').stdout).toBe('mpkg-hello 1.0\n');
    expect(onHost(lab, 'h1', 'cat /etc/apt/sources.list.d/mpkg.list').stdout).toBe('deb [trusted=yes] file:/srv/mpkg-repo ./\n');
    expect(onHost(lab, 'h1', 'cat /etc/apt/sources.list.d/mpkg-extra.sources').stdout).toBe(
      'X-Repolib-Name: mpkg extra\nSuites: ./\nTrusted: yes\nTypes: deb\nURIs: file:/srv/mpkg-repo2\n',
    );
    expect(onHost(lab, 'h1', 'cat /etc/yum.repos.d/epel.repo').stdout).toBe(
      '[epel]\nbaseurl = https://mirror.invalid/epel/$releasever/$basearch/\n\thttps://mirror2.invalid/epel/\nenabled = 0\ngpgcheck = 1\nname = EPEL YUM repo\n\n',
    );
    const fpr = onHost(
      lab,
      'h1',
      'gpg --homedir "$(mktemp -d)" --with-colons --show-keys /etc/apt/keyrings/runbook-test.asc 2>/dev/null | grep ^fpr | head -n 1',
    );
    expect(fpr.stdout).toContain(FPR);
    expect(onHost(lab, 'h1', '/srv/venv/bin/python -c "import hello_rb; print(hello_rb.GREETING)"').stdout).toBe('hi\n');
    // apt itself can read what apt_repository and deb822_repository wrote
    expect(onHost(lab, 'h1', 'apt-cache policy mpkg-extra | grep -c file:/srv/mpkg-repo2').stdout.trim()).toBe('1');
  });

  test('rerun: nothing changes', async () => {
    const r = await runbook(['run', play('site.yaml', SITE), '-i', inv]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(recapOf(r.stdout).h1).toMatchObject({ changed: 0, failed: 0 });
  });

  test('latest: a new version in the repository; check mode predicts, the run upgrades, a fresh cache then changes nothing', async () => {
    const up = onHost(
      lab,
      'h1',
      `${REPO_SCRIPT.split('\n').slice(0, 8).join('\n')}\nmk mpkg-hello 1.1 /srv/mpkg-repo mpkg-dep; scan /srv/mpkg-repo`,
    );
    expect(up.code, up.stderr).toBe(0);
    const checked = await runbook(['run', play('latest.yaml', LATEST), '-i', inv, '--check', '-e', 'updated=true', '-e', 'captured=false']);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(recapOf(checked.stdout).h1.changed).toBeGreaterThan(0);
    expect(version('mpkg-hello')).toBe('install ok installed 1.0');
    const r = await runbook(['run', play('latest.yaml', LATEST), '-i', inv, '-e', 'updated=true', '-e', 'captured=true']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(version('mpkg-hello')).toBe('install ok installed 1.1');
    const again = await runbook([
      'run',
      play('latest.yaml', LATEST),
      '-i',
      inv,
      '-e',
      'valid=3600',
      '-e',
      'updated=false',
      '-e',
      'captured=false',
    ]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(recapOf(again.stdout).h1.changed).toBe(0);
  });

  test('absent with purge and autoremove: the dependency goes too; rerun is a no-op', async () => {
    const r = await runbook(['run', play('purge.yaml', PURGE), '-i', inv]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(recapOf(r.stdout).h1.changed).toBe(1);
    for (const p of ['mpkg-hello', 'mpkg-extra', 'mpkg-dep']) expect(version(p)).toBe('');
    const again = await runbook(['run', play('purge.yaml', PURGE), '-i', inv]);
    expect(recapOf(again.stdout).h1.changed).toBe(0);
  });

  test('the machine itself was never touched', () => {
    expect(existsSync('/usr/share/mpkg-hello')).toBe(false);
    expect(existsSync('/srv/mpkg-repo')).toBe(false);
    expect(existsSync('/etc/apt/sources.list.d/mpkg.list')).toBe(false);
    expect(spawnSync('dpkg-query', ['-W', 'mpkg-hello']).status).not.toBe(0);
  });
});
