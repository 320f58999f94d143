// Shows a message or a variable's value; never touches the host.
import { defineModule } from './types.js';

/** Normalised debug args: msg (any value) or var (a dotted path). */
export interface DebugArgs {
  msg?: unknown;
  var?: string;
}

// Dotted path ("a.b.0.c") into the host's vars; undefined when any step is missing.
export function lookupVar(vars: Record<string, unknown>, path: string): unknown {
  let cur: unknown = vars;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Ansible's debug; `var` shows the value under its own name and as JSON in msg. */
export const debug = defineModule({
  name: 'debug',
  doc: "Shows a message or a variable's value; never touches the host.",
  example: 'debug: {var: ansible_default_ipv4.address}',
  local: true,
  args: {
    msg: { type: 'raw', description: 'the message, any value (default "Hello world!")' },
    var: { description: 'a variable name or dotted path to show with its value' },
    verbosity: { type: 'int', default: 0, description: 'accepted; runbook always shows the message' },
  },
  mutually_exclusive: [['msg', 'var']],
  build: (v): DebugArgs => (v.var !== undefined ? { var: v.var } : { msg: v.msg ?? 'Hello world!' }),
  async plan(p, _probe, ctx) {
    if (p.var === undefined) {
      const note = typeof p.msg === 'string' ? p.msg : JSON.stringify(p.msg);
      return { changed: false, note, result: { msg: p.msg } };
    }
    const value = lookupVar(ctx.vars, p.var);
    const shown = value === undefined ? 'VARIABLE IS NOT DEFINED!' : value;
    const msg = JSON.stringify(shown, null, 2);
    return { changed: false, note: msg, result: { [p.var]: shown, msg } };
  },
});
