// Runs a plan's session (reboot, wait_for_connection): the module drives the host's connection itself,
// closing and reopening it, at apply time and never in check mode.
import { TaskError } from '../errors.js';
import type { HostSession, Plan } from '../modules/types.js';
import type { Connection } from '../remote/connection.js';
import type { ItemResult } from './item.js';

export interface SessionOptions {
  become: boolean;
  becomeUser?: string;
  timeout?: number;
  envPrefix?: string;
}

export function hostSession(conn: Connection, o: SessionOptions): HostSession {
  return {
    remote: !conn.local && typeof conn.reconnect === 'function',
    run: (cmd, r) => conn.exec((o.envPrefix ?? '') + cmd, { become: o.become, becomeUser: o.becomeUser, timeout: r?.timeout ?? o.timeout }),
    reconnect: async (connectTimeout) => {
      if (!conn.reconnect) throw new TaskError(`${conn.host}: this connection cannot be reopened`);
      await conn.reconnect({ connectTimeout });
    },
    close: () => conn.close(),
  };
}

export async function runSession(plan: Plan, conn: Connection, o: SessionOptions, base: Record<string, unknown>): Promise<ItemResult> {
  const out = await plan.session!(hostSession(conn, o));
  const failed = out.failed === true;
  const changed = !failed && plan.changed;
  const msg = (out.msg as string | undefined) ?? plan.note;
  return {
    status: failed ? 'failed' : changed ? 'changed' : 'ok',
    result: { ...base, ...out, changed, failed, msg },
    msg,
    // the host may have changed while it was away: plans made ahead of this task are stale
    applied: true,
  };
}
