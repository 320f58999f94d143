// Gathered facts against Ansible's own: ansible -m setup and runbook's gather on the same lab host (this Debian
// machine's userland in a namespace), fact by fact. Skipped, saying so, when ansible is not installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, runbook, withLab } from './helpers.js';

const LAB = 'fcts';
const HAVE_ANSIBLE = spawnSync('sh', ['-c', 'command -v ansible'], { encoding: 'utf8' }).status === 0;
const SKIP_WHY =
  'SKIPPED: ansible is not installed (apt-get install -y --no-install-recommends ansible-core, or bash scripts/setup.sh --tests)';
let lab: LabInfo;
let dir: string;

type Facts = Record<string, any>;

// Facts compared as they are.
const SAME = [
  'os_family',
  'distribution',
  'distribution_major_version',
  'distribution_version',
  'distribution_minor_version',
  'distribution_release',
  'pkg_mgr',
  'service_mgr',
  'hostname',
  'fqdn',
  'nodename',
  'domain',
  'kernel',
  'kernel_version',
  'architecture',
  'machine',
  'system',
  'default_ipv4',
  'default_ipv6',
  'all_ipv4_addresses',
  'all_ipv6_addresses',
  'memtotal_mb',
  'swaptotal_mb',
  'processor_vcpus',
  'processor_count',
  'processor_cores',
  'processor_threads_per_core',
  'processor_nproc',
  'processor',
  'python_version',
  'user_id',
  'user_uid',
  'user_gid',
  'user_dir',
  'user_shell',
  'user_gecos',
  'real_user_id',
  'effective_user_id',
  'real_group_id',
  'effective_group_id',
  'lsb',
  'selinux',
  'dns',
  'userspace_bits',
];
// Per interface: the keys Ansible reads from /sys and `ip addr` (its ethtool features and timestamping are not gathered).
const IFACE_KEYS = ['device', 'active', 'type', 'mtu', 'macaddress', 'promisc', 'speed', 'ipv4', 'ipv4_secondaries', 'ipv6'];

/** Every difference between Ansible's facts and runbook's, as "name: ansible … / runbook …". */
function differences(a: Facts, r: Facts): string[] {
  const out: string[] = [];
  const diff = (name: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${name}: ansible ${JSON.stringify(x)} / runbook ${JSON.stringify(y)}`);
  };
  const sorted = (o: any) =>
    o && typeof o === 'object' && !Array.isArray(o)
      ? Object.fromEntries(
          Object.keys(o)
            .sort()
            .map((k) => [k, sorted(o[k])]),
        )
      : o;
  for (const k of SAME) diff(k, sorted(a[k]), sorted(r[k]));
  diff('interfaces', [...a.interfaces].sort(), [...r.interfaces].sort());
  for (const i of a.interfaces as string[])
    for (const k of IFACE_KEYS) diff(`${i}.${k}`, sorted(a[i.replace(/-/g, '_')]?.[k]), sorted(r[i.replace(/-/g, '_')]?.[k]));
  diff('python.executable', a.python?.executable, r.python?.executable);
  diff('python.version', sorted(a.python?.version), sorted(r.python?.version));
  diff('python.version_info', a.python?.version_info, r.python?.version_info);
  for (const k of ['tz', 'tz_dst', 'tz_offset', 'date', 'year', 'month', 'day', 'weekday', 'weekday_number', 'weeknumber'])
    diff(`date_time.${k}`, a.date_time?.[k], r.date_time?.[k]);
  // the clock moved between the two gathers: a minute's leeway
  if (Math.abs(Number(a.date_time?.epoch) - Number(r.date_time?.epoch)) > 60)
    diff('date_time.epoch', a.date_time?.epoch, r.date_time?.epoch);
  // env.LANG: Ansible's ssh client sends the controller's LANG (SendEnv LANG LC_*, accepted by sshd); runbook's SSH
  // sends no environment, so the host's own default applies. Not compared, for that reason.
  for (const k of ['HOME', 'USER', 'LOGNAME', 'SHELL', 'PATH', 'MAIL']) diff(`env.${k}`, a.env?.[k], r.env?.[k]);
  // free memory moves: within 15 % of the total
  if (Math.abs(a.memfree_mb - r.memfree_mb) > a.memtotal_mb * 0.15) diff('memfree_mb', a.memfree_mb, r.memfree_mb);
  const mounts = (m: Facts[]) => m.map((x) => `${x.mount} ${x.device} ${x.fstype} ${x.options}`).sort();
  diff('mounts', mounts(a.mounts ?? []), mounts(r.mounts ?? []));
  const rootSize = (m: Facts[]) => m.find((x) => x.mount === '/')?.size_total;
  diff('mounts[/].size_total', rootSize(a.mounts ?? []), rootSize(r.mounts ?? []));
  return out;
}

/** The lab host's facts as `ansible -m setup` (with these module args) gathers them, names without `ansible_`. */
function ansibleSetup(args?: string): Facts {
  const work = mkdtempSync(join(tmpdir(), 'runbook-facts-ansible-'));
  const ans = spawnSync('ansible', ['-i', lab.inventoryPath, 'h1', '-m', 'setup', ...(args ? ['-a', args] : [])], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`,
      ANSIBLE_LOCAL_TEMP: join(work, 'tmp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOAD_CALLBACK_PLUGINS: '0',
    },
    timeout: 120_000,
  });
  expect(ans.status, ans.stdout + ans.stderr).toBe(0);
  const facts: Facts = {};
  for (const [k, v] of Object.entries(JSON.parse(ans.stdout.replace(/^[^{]*/, '')).ansible_facts as Facts))
    facts[k.replace(/^ansible_/, '')] = v;
  return facts;
}

// Skipped only without ansible (the oracle for facts); CI installs ansible-core. SKIP_WHY says so in the report.
describe.skipIf(!HAVE_ANSIBLE)('facts: runbook and ansible -m setup on the same lab host', () => {
  beforeAll(async () => {
    lab = await withLab(LAB, 1);
    dir = mkdtempSync(join(tmpdir(), 'runbook-facts-'));
  }, 120_000);
  afterAll(async () => {
    if (lab) await labDown({ name: LAB });
  });

  it("every fact playbooks test has Ansible's value", async () => {
    const ansible = ansibleSetup();

    writeFileSync(
      join(dir, 'facts.yaml'),
      '- hosts: h1\n  tasks:\n    - copy: {dest: /root/facts.json, content: "{{ ansible_facts | to_json }}"}\n',
    );
    const r = await runbook(['run', join(dir, 'facts.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const mine = JSON.parse(onHost(lab, 'h1', 'cat /root/facts.json').stdout) as Facts;

    const diffs = differences(ansible, mine);
    expect(diffs, `facts that differ from Ansible's:\n${diffs.join('\n')}`).toEqual([]);
    // and each of them is also a top-level ansible_<name> variable, as Ansible injects them
    writeFileSync(
      join(dir, 'vars.yaml'),
      '- hosts: h1\n  tasks:\n    - copy: {dest: /root/vars.txt, content: "{{ ansible_os_family }} {{ ansible_eth0.ipv4.address }} {{ ansible_facts.distribution_release }}"}\n',
    );
    expect((await runbook(['run', join(dir, 'vars.yaml'), '-i', lab.inventoryPath])).code).toBe(0);
    expect(onHost(lab, 'h1', 'cat /root/vars.txt').stdout).toBe(
      `${ansible.os_family} ${ansible.eth0.ipv4.address} ${ansible.distribution_release}`,
    );
  }, 180_000);

  it("a play's gather_subset: [min] gathers the facts Ansible's min gathers, with Ansible's values", async () => {
    const ansible = ansibleSetup('gather_subset=min');
    writeFileSync(
      join(dir, 'min.yaml'),
      '- hosts: h1\n  gather_subset: [min]\n  tasks:\n    - copy: {dest: /root/min.json, content: "{{ ansible_facts | to_json }}"}\n',
    );
    const r = await runbook(['run', join(dir, 'min.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const mine = JSON.parse(onHost(lab, 'h1', 'cat /root/min.json').stdout) as Facts;
    // of the facts runbook knows, the same are there and the same are not (no mounts, interfaces, memory, …)
    const known = [...SAME, 'interfaces', 'mounts', 'memfree_mb', 'python', 'env', 'date_time', 'eth0'];
    const present = (f: Facts) => known.filter((k) => f[k] !== undefined).sort();
    expect(present(mine)).toEqual(present(ansible));
    expect(mine.interfaces).toBeUndefined();
    const same = SAME.filter((k) => ansible[k] !== undefined);
    for (const k of same) expect(mine[k], k).toEqual(ansible[k]);
  }, 180_000);

  // Ansible's own narrowing: only the collectors named (and the ones they need), no user, env, date or python.
  it.each([['!all,!min,distribution,pkg_mgr'], ['!all,!min,network'], ['!min,service_mgr'], ['!all,!min,user']])(
    'gather_subset %s gathers the same facts as Ansible, with the same values',
    async (subset) => {
      const ansible = ansibleSetup(`gather_subset=${subset}`);
      const file = join(dir, `narrow-${subset.replace(/[^a-z]/g, '')}.yaml`);
      writeFileSync(
        file,
        `- hosts: h1\n  gather_subset: ${JSON.stringify(subset.split(','))}\n  tasks:\n    - copy: {dest: /root/narrow.json, content: "{{ ansible_facts | to_json }}"}\n`,
      );
      const r = await runbook(['run', file, '-i', lab.inventoryPath]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const mine = JSON.parse(onHost(lab, 'h1', 'cat /root/narrow.json').stdout) as Facts;
      // Ansible's facts runbook does not gather (distribution_file_*, machine_id, interfaces' ethtool data) aside,
      // the same names are there
      const known = (f: Facts) =>
        Object.keys(f)
          .filter((k) => k in mine || (SAME.includes(k) && k in ansible))
          .sort();
      expect(known(mine)).toEqual(known(ansible));
      for (const k of SAME.filter((k) => k in ansible)) expect(mine[k], k).toEqual(ansible[k]);
    },
    180_000,
  );
});

if (!HAVE_ANSIBLE) {
  describe('facts against Ansible', () => {
    it.skip(SKIP_WHY, () => {});
  });
}
