// `runbook lab up|down|status` as printable text; the CLI only parses flags and prints what this returns.
import { relative } from 'node:path';
import { UsageError } from '../errors.js';
import { type LabRef, labDown, labStatus, labUp } from './lab.js';

// The CLI flags of `runbook lab`, one object for all three actions.
export interface LabCommandOptions extends LabRef {
  /** hosts to start (up only); default 3 */
  count?: number;
  /** userspace Open vSwitch on each host (up only) */
  ovs?: boolean;
  /** down: also delete the state dir (keys, logs, inventory) */
  purge?: boolean;
}

const shown = (p: string) => {
  const r = relative(process.cwd(), p);
  return r !== '' && !r.startsWith('..') ? r : p;
};

// Runs one lab action and describes the result, including how to use the lab next.
export async function labCommand(action: 'up' | 'down' | 'status', opts: LabCommandOptions = {}): Promise<string> {
  const nameFlag = opts.name && opts.name !== 'lab' ? ` --name ${opts.name}` : '';
  if (action === 'up') {
    const t0 = Date.now();
    const info = await labUp({ ...opts, count: opts.count ?? 3 });
    const secs = ((Date.now() - t0) / 1000).toFixed(2);
    const lines = [
      `lab "${info.name}" is up in ${secs}s: ${info.hosts.length} host(s) on bridge ${info.bridge} (${info.subnet})${info.ovs ? ', Open vSwitch on each host (br-phy on eth1)' : ''}`,
      ...info.hosts.map((h) => `  ${h.name.padEnd(4)} ${h.ip.padEnd(15)} netns ${h.ns}  sshd pid ${h.pid}`),
      '',
      `inventory:   ${shown(info.inventoryPath)}`,
      `known_hosts: ${shown(info.knownHostsPath)}`,
      `ssh:         ssh -i ${shown(info.keyPath)} -o UserKnownHostsFile=${shown(info.knownHostsPath)} root@${info.hosts[0].ip}`,
      `playbook:    runbook run playbooks/gre-mesh.yaml -i ${shown(info.inventoryPath)}`,
      `stop:        runbook lab down${nameFlag}`,
    ];
    return `${lines.join('\n')}\n`;
  }
  if (action === 'down') {
    await labDown(opts);
    return `lab "${opts.name ?? 'lab'}" is down: no namespace, veth, bridge or process of it is left${opts.purge ? '; state dir removed' : ''}\n`;
  }
  if (action === 'status') {
    const st = await labStatus(opts);
    if (st.hosts.length === 0) return `lab "${st.name}": no hosts (state dir ${shown(st.dir)})\n`;
    const up = st.hosts.filter((h) => h.reachable).length;
    const lines = [
      `lab "${st.name}": ${st.up ? 'up' : 'not up'} (${up}/${st.hosts.length} hosts answer on port 22; bridge ${st.bridge ? 'present' : 'missing'})`,
      ...st.hosts.map((h) => {
        const state = h.reachable ? 'up' : h.sshdAlive ? 'sshd alive, port 22 silent' : 'down';
        const pid = h.sshdAlive && h.pid ? `  sshd pid ${h.pid}` : '';
        return `  ${h.name.padEnd(4)} ${h.ip.padEnd(15)} ${state}${h.nsExists ? '' : ' (no netns)'}${pid}`;
      }),
    ];
    return `${lines.join('\n')}\n`;
  }
  throw new UsageError(`unknown lab action "${String(action)}"`, { hint: 'use up, down or status' });
}
