// meta: tasks, which act on the play rather than on a host: flush_handlers, end_play, end_batch, end_host,
// refresh_inventory, clear_facts, clear_host_errors, reset_connection.
import { evalBool } from '../expr/eval.js';
import { loadInventory } from '../inventory/load.js';
import type { MetaAction } from '../modules/control/meta.js';
import { lookup } from '../modules/registry.js';
import type { Task } from '../playbook/types.js';
import { newBlockState } from './blocks.js';
import { replaceInventory } from './control.js';
import { touched } from './host.js';
import type { PlayRun } from './play.js';

/** Acts for the hosts that reach it (end_play, end_batch, refresh_inventory: once for all, if the first host's when holds). */
export async function runMeta(p: PlayRun, t: Task, hosts: string[], batch: string[]): Promise<void> {
  const action = lookup(t.module, t.at).parse(t.args, t.at) as MetaAction;
  const when = (h: string) => !t.when.length || evalBool(t.when, p.host(h).vars(t), t.at);
  const once = action === 'end_play' || action === 'end_batch' || action === 'refresh_inventory';
  const chosen = once ? (when(hosts[0]!) ? hosts.slice(0, 1) : []) : hosts.filter(when);
  if (!chosen.length) return;
  if (action === 'flush_handlers') await p.flush(batch);
  else if (action === 'end_play') p.playOver = true;
  else if (action === 'end_batch') p.batchOver = true;
  else if (action === 'end_host') for (const h of chosen) p.ended.add(h);
  else if (action === 'refresh_inventory') {
    const o = p.st.o;
    replaceInventory(o.inventory, loadInventory(o.inventory.sources, o.playbook.baseDir));
    p.inventoryChanged();
  } else for (const h of chosen) await onHost(p, action, h, batch);
}

async function onHost(p: PlayRun, action: MetaAction, h: string, batch: string[]): Promise<void> {
  const { st } = p;
  const r = st.host(h);
  if (action === 'clear_facts') {
    for (const k of Object.keys(r.facts)) delete r.facts[k];
    touched(r);
    r.factsGathered = false;
    r.factsParts = [];
  } else if (action === 'clear_host_errors') {
    for (const b of batch) {
      const rb = st.host(b);
      if (rb.unreachable) st.pool.forget(b);
      Object.assign(rb, { failed: false, unreachable: false, blocks: newBlockState() });
    }
  } else if (action === 'reset_connection') {
    const conn = await st.pool.get(h, p.host(h).connVars()).catch(() => undefined);
    st.pool.forget(h);
    await conn?.close().catch(() => undefined);
  }
}
