// An Open vSwitch bridge (the seed's obr0) created or tuned in one ovs-vsctl transaction, checked for errors in the same command.
import { defineModule, type Plan } from '../types.js';
import { ifname, strMap } from './net-args.js';
import { ovsAtom, readSnapshot, verifyInterface, vsctlWrite, writeChecked, writeVerified } from './ovs-db.js';

export interface OvsBridgeArgs {
  name: string;
  state: 'present' | 'absent';
  datapathType?: string;
  stp?: boolean;
  rstp?: boolean;
  otherConfig?: Record<string, string>;
  failMode?: 'standalone' | 'secure';
}

export const ovsBridge = defineModule({
  name: 'ovs_bridge',
  doc: 'An Open vSwitch bridge created or tuned in one ovs-vsctl transaction, then checked for errors.',
  example: 'ovs_bridge: {name: obr0, datapath_type: netdev}',
  args: {
    name: { required: true, check: ifname, description: 'the bridge' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'absent deletes the bridge and its ports' },
    datapath_type: { description: 'OVS datapath (netdev for the userspace datapath)' },
    stp: { type: 'bool', description: 'spanning tree on or off (unset: left alone)' },
    rstp: { type: 'bool', description: 'rapid spanning tree on or off (unset: left alone)' },
    other_config: { type: 'dict', check: strMap, description: 'other_config keys to set (values become strings)' },
    fail_mode: { choices: ['standalone', 'secure'], description: 'what the bridge does without a controller' },
  },
  build: (v): OvsBridgeArgs => ({
    name: v.name,
    state: v.state as OvsBridgeArgs['state'],
    datapathType: v.datapath_type,
    stp: v.stp,
    rstp: v.rstp,
    otherConfig: v.other_config,
    failMode: v.fail_mode as OvsBridgeArgs['failMode'],
  }),
  async plan(p, probe): Promise<Plan> {
    // The same read as ovs_port's, so a bridge and its ports cost one read of the database on the host.
    const snap = await readSnapshot(probe);
    if ('failed' in snap) return { changed: false, failed: snap.failed };
    const have = snap.bridges.find((b) => b.name === p.name);

    if (p.state === 'absent') {
      if (!have) return { changed: false, note: `no OVS bridge ${p.name}` };
      return {
        changed: true,
        steps: [{ kind: 'exec', cmd: vsctlWrite('--if-exists', 'del-br', p.name) }],
        diff: [{ before: `ovs bridge ${p.name}\n`, after: `(no OVS bridge ${p.name})\n` }],
        note: `removed OVS bridge ${p.name}`,
      };
    }

    const want: Record<string, string> = {};
    const now: Record<string, string> = {};
    const check = (col: string, value: string | undefined, current: unknown) => {
      if (value === undefined || value === String(current ?? '')) return;
      want[col] = value;
      now[col] = current === undefined ? '(unset)' : String(current);
    };
    check('datapath_type', p.datapathType, have?.datapath_type);
    check('stp_enable', p.stp?.toString(), have?.stp_enable ?? false);
    check('rstp_enable', p.rstp?.toString(), have?.rstp_enable ?? false);
    check('fail_mode', p.failMode, have?.fail_mode);
    const oc = (have?.other_config ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(p.otherConfig ?? {})) check(`other_config:${k}`, v, oc[k]);

    const sets = Object.entries(want).map(([k, v]) => `${k}=${ovsAtom(v)}`);
    if (have && sets.length === 0) return { changed: false, note: `OVS bridge ${p.name}` };
    const write = have
      ? vsctlWrite('set', 'bridge', p.name, ...sets)
      : vsctlWrite('--may-exist', 'add-br', p.name, ...(sets.length ? ['--', 'set', 'bridge', p.name, ...sets] : []));
    const lines = (m: Record<string, string>) =>
      Object.entries(m)
        .map(([k, v]) => `${k}=${v}\n`)
        .join('');
    return {
      changed: true,
      // a new bridge (its own interface inserted) is checked by ovs-vsctl itself; a changed one has its error read
      steps: [have ? writeVerified(write, verifyInterface(p.name)) : writeChecked(write)],
      diff: [
        {
          before: have ? `ovs bridge ${p.name}\n${lines(now)}` : `(no OVS bridge ${p.name})\n`,
          after: `ovs bridge ${p.name}\n${lines(want)}`,
        },
      ],
      note: have ? `OVS bridge ${p.name}: set ${Object.keys(want).join(', ')}` : `created OVS bridge ${p.name}`,
    };
  },
});
