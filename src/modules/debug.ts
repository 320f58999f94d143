// Shows a message or a variable's value; never touches the host.
import { argsOf, fail, int, optStr } from './args.js';
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
export const debug = defineModule<DebugArgs>({
  name: 'debug',
  local: true,
  parse(raw, at) {
    const a = argsOf(raw, at, 'debug', ['msg', 'var', 'verbosity']);
    int(a, 'verbosity');
    if (a.v.msg !== undefined && a.v.var !== undefined) fail(a, 'give only one of msg, var');
    if (a.v.var !== undefined) return { var: optStr(a, 'var') };
    return { msg: a.v.msg ?? 'Hello world!' };
  },
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
