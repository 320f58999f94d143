// The benchmark's inputs: workload A's playbook and commands, and per-size inventories cut from a lab.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** Workload A: ten shell steps, each a write and a read-back, no facts. */
export const TASKS_A = 10;

// The same command lines for every runner, so only the transport differs.
export function commandsA(n = TASKS_A) {
  return Array.from({ length: n }, (_, i) => `echo ${i + 1} > /tmp/step${i + 1} && cat /tmp/step${i + 1}`);
}

// One playbook that runbook and ansible-playbook both accept.
export function writePlaybookA(dir, n = TASKS_A) {
  mkdirSync(dir, { recursive: true });
  const tasks = commandsA(n).map((c, i) => `    - name: step ${i + 1}\n      shell: ${c}\n`);
  const file = join(dir, n === TASKS_A ? 'workload-a.yaml' : `workload-a-${n}.yaml`);
  writeFileSync(file, `- name: workload A\n  hosts: all\n  gather_facts: false\n  tasks:\n${tasks.join('')}`);
  return file;
}

// Hosts of one or more labs as one list (a lab holds ≤ 200); names get the lab's prefix when there are several.
export function fleetOf(labs) {
  return labs.flatMap((l) =>
    l.hosts.map((h) => ({ name: labs.length > 1 ? `${l.name}-${h.name}` : h.name, ip: h.ip, keyPath: l.keyPath, knownHostsPath: l.knownHostsPath })),
  );
}

// A plain inventory of the first n fleet hosts, for workload A.
export function fleetInventory(fleet, n, file) {
  const { stringify } = require('yaml');
  const hosts = Object.fromEntries(
    fleet.slice(0, n).map((h) => [h.name, { ansible_host: h.ip, ansible_user: 'root', ansible_ssh_private_key_file: h.keyPath, runbook_known_hosts: h.knownHostsPath }]),
  );
  writeFileSync(file, stringify({ all: { hosts } }));
  return file;
}

// The lab's own inventory with only its first n hosts (group vars and host vars kept).
export function sliceInventory(lab, n, file) {
  const { parse, stringify } = require('yaml');
  const inv = parse(readFileSync(lab.inventoryPath, 'utf8'));
  const keep = new Set(lab.hosts.slice(0, n).map((h) => h.name));
  const prune = (node) => {
    if (!node || typeof node !== 'object') return;
    if (node.hosts) for (const h of Object.keys(node.hosts)) if (!keep.has(h)) delete node.hosts[h];
    for (const c of Object.values(node.children ?? {})) prune(c);
  };
  prune(inv.all);
  writeFileSync(file, stringify(inv));
  return file;
}

// An INI inventory and ansible.cfg for the same hosts; control sockets in a fresh directory per run.
export function writeAnsibleProject(dir, fleet, n, { forks, pipelining }) {
  mkdirSync(dir, { recursive: true });
  const lines = fleet
    .slice(0, n)
    .map((h) => `${h.name} ansible_host=${h.ip} ansible_user=root ansible_ssh_private_key_file=${h.keyPath}`);
  writeFileSync(join(dir, 'hosts.ini'), `[all]\n${lines.join('\n')}\n`);
  const cfg = [
    '[defaults]',
    'inventory = hosts.ini',
    `forks = ${forks}`,
    'host_key_checking = False',
    'interpreter_python = /usr/bin/python3',
    'retry_files_enabled = False',
    'stdout_callback = default',
    '[ssh_connection]',
    `pipelining = ${pipelining ? 'True' : 'False'}`,
    `ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${fleet[0].knownHostsPath}`,
    `control_path_dir = ${join(dir, 'cp')}`,
  ];
  writeFileSync(join(dir, 'ansible.cfg'), `${cfg.join('\n')}\n`);
  return dir;
}
