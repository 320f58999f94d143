// Which tasks can change a host's network, and which files a plan is about to write (copied first).
import type { Plan } from '../../modules/types.js';

/** Modules whose changes can cut the management path. */
export const NETWORK_MODULES: ReadonlySet<string> = new Set(['bridge', 'ovs_bridge', 'ovs_port', 'route']);

const short = (m: string) => m.replace(/^.*\./, '');

/** bridge, ovs_*, route, sysctl of net.*, and command/shell marked `network: true`. */
export function networkTask(module: string, args: unknown, network?: boolean): boolean {
  const m = short(module);
  if (NETWORK_MODULES.has(m)) return true;
  if (m === 'sysctl') return String((args as { name?: unknown } | undefined)?.name ?? '').startsWith('net.');
  return network === true;
}

/** The files the plan writes (uploads), and for sysctl the kernel's own value under /proc/sys. */
export function writtenPaths(module: string, args: unknown, plan: Plan): string[] {
  const out = new Set<string>();
  for (const s of [...(plan.steps ?? []), ...(plan.always ?? [])]) if (s.kind === 'upload') out.add(s.dest);
  const name = (args as { name?: unknown } | undefined)?.name;
  if (short(module) === 'sysctl' && typeof name === 'string' && /^[\w.-]+$/.test(name)) out.add(`/proc/sys/${name.replace(/\./g, '/')}`);
  return [...out];
}
