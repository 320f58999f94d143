// `runbook check` on a 2-host OVS lab: 0 on a converged mesh, 5 naming exactly the hand-made drift, and the
// hosts untouched by the check; failures, unreachable hosts and bad input keep their own exit codes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, ROOT, recapOf, runbook, withLab } from './helpers.js';

const MESH = 'playbooks/gre-mesh.yaml';
let lab: LabInfo;

/** `playbooks/gre-mesh.yaml:N` of the task with this name, read from the file so edits to it do not break the test. */
function taskAt(name: string): string {
  const lines = readFileSync(join(ROOT, MESH), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.trim() === `- name: ${name}`);
  if (i < 0) throw new Error(`no task "${name}" in ${MESH}`);
  return `${MESH}:${i + 1}`;
}

const driftLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('DRIFT '));
const ROUTE_TASK = "route to every peer's docker subnet";
const DAEMON_TASK = 'Docker uses br0 (other daemon.json keys on the host are kept)';
const restarts = (h: string) => onHost(lab, h, 'cat /run/lab-systemd/docker.restarts 2>/dev/null || echo 0').stdout.trim();

beforeAll(async () => {
  lab = await withLab('ck', 2, true);
  const r = await runbook(['run', MESH, '-i', lab.inventoryPath]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
});
afterAll(async () => {
  await labDown({ name: 'ck' });
});

describe('runbook check', () => {
  it('exits 0 and says so when the hosts match the playbook', async () => {
    const r = await runbook(['check', MESH, '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('CHECK MODE');
    expect(r.stdout).toContain('no drift: every host matches the playbook');
    expect(driftLines(r.stdout)).toEqual([]);
    const j = await runbook(['check', MESH, '-i', lab.inventoryPath, '-o', 'json']);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ playbook: MESH, drifted: false, count: 0, drift: [], exit_code: 0 });
  });

  it('exits 5 naming exactly the drifted host/task pairs, and changes nothing', async () => {
    const h1Subnet = '192.168.1.0/24';
    expect(onHost(lab, 'h2', `ip route del ${h1Subnet} && echo '{"bridge": "docker0", "mtu": 1400}' > /etc/docker/daemon.json`).code).toBe(
      0,
    );
    const restartsBefore = restarts('h2');

    const r = await runbook(['check', MESH, '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(5);
    expect(driftLines(r.stdout)).toEqual([
      `DRIFT h2  ${DAEMON_TASK}  (${taskAt(DAEMON_TASK)})`,
      `DRIFT h2  ${ROUTE_TASK} [h1]  (${taskAt(ROUTE_TASK)})`,
    ]);
    expect(r.stdout).toContain('then handler "restart docker" would run on h2');
    expect(r.stdout).toContain('drift: 2 tasks on 1 host would change');
    expect(recapOf(r.stdout).h1.changed).toBe(0);

    // check applied nothing: the route is still missing, daemon.json still says docker0, docker was not restarted
    expect(onHost(lab, 'h2', `ip route show ${h1Subnet}`).stdout.trim()).toBe('');
    expect(JSON.parse(onHost(lab, 'h2', 'cat /etc/docker/daemon.json').stdout).bridge).toBe('docker0');
    expect(restarts('h2')).toBe(restartsBefore);

    const j = await runbook(['check', MESH, '-i', lab.inventoryPath, '-o', 'json']);
    expect(j.code, j.stderr).toBe(5);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ drifted: true, count: 2, hosts: ['h2'], exit_code: 5, failed: [], unreachable: [] });
    expect(doc.drift).toEqual([
      { host: 'h2', task: DAEMON_TASK, at: taskAt(DAEMON_TASK) },
      { host: 'h2', task: ROUTE_TASK, item: 'h1', at: taskAt(ROUTE_TASK) },
    ]);
    expect(doc.handlers).toEqual([{ host: 'h2', task: 'restart docker', at: expect.stringMatching(/^playbooks\/gre-mesh\.yaml:\d+$/) }]);
  });

  it('takes run’s options: --limit to the host that did not drift, --tags to the drifted route only', async () => {
    const limited = await runbook(['check', MESH, '-i', lab.inventoryPath, '--limit', 'h1']);
    expect(limited.code, limited.stdout + limited.stderr).toBe(0);
    const peers = await runbook(['check', MESH, '-i', lab.inventoryPath, '--tags', 'peers']);
    expect(peers.code, peers.stdout + peers.stderr).toBe(5);
    expect(driftLines(peers.stdout)).toEqual([`DRIFT h2  ${ROUTE_TASK} [h1]  (${taskAt(ROUTE_TASK)})`]);
  });

  it('after a run repairs the drift, check is clean again', async () => {
    const r = await runbook(['run', MESH, '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await runbook(['check', MESH, '-i', lab.inventoryPath])).code).toBe(0);
  });

  it('keeps exit 3 for an unreachable host and 4 for bad input', async () => {
    const inv = join(lab.dir, 'check-unreachable.yaml');
    writeFileSync(
      inv,
      `all:\n  children:\n    mesh:\n      hosts:\n        gone: {ansible_host: 127.0.0.1, ansible_port: 1, ansible_ssh_private_key_file: ${lab.keyPath}}\n`,
    );
    const r = await runbook(['check', 'test/fixtures/bad-input/ok.yaml', '-i', inv, '--connect-timeout', '2']);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const bad = await runbook(['check', 'test/fixtures/bad-input/two-modules.yaml', '-i', lab.inventoryPath]);
    expect(bad.code, bad.stdout + bad.stderr).toBe(4);
    expect(bad.stderr).toContain('a task takes one module');
  });
});
