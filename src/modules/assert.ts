// Checks expressions against the host's vars and fails on the first false one.
import { type Args, fail, wrongType } from './args.js';
import { defineModule } from './types.js';

/** Normalised assert args: `that` is always a list, `msg` folded into failMsg. */
export interface AssertArgs {
  that: string[];
  failMsg?: string;
  successMsg?: string;
  quiet: boolean;
}

/** Ansible's assert; the failure names the first false expression in result.assertion. */
/** that: an expression or a list of them; a YAML boolean is the condition True or False (`that: false`, as Ansible). */
function conditionList(a: Args, key: string): string[] | undefined {
  const v = a.v[key];
  if (v === undefined || v === null) return undefined;
  const one = (x: unknown) => (typeof x === 'boolean' ? (x ? 'True' : 'False') : typeof x === 'string' ? x : undefined);
  const list = (Array.isArray(v) ? v : [v]).map(one);
  if (list.some((x) => x === undefined)) return wrongType(a, key, 'an expression or a list of expressions');
  return list as string[];
}

export const assert = defineModule({
  name: 'assert',
  doc: "Checks expressions against the host's vars and fails on the first false one; runs on the controller.",
  example: 'assert: {that: "bridge_cidr is defined", fail_msg: "set bridge_cidr in the inventory"}',
  local: true,
  args: {
    that: { type: 'raw', check: conditionList, required: true, description: 'expressions (like when:) that must all be true' },
    fail_msg: { aliases: ['msg'], description: 'the failure message' },
    success_msg: { description: 'the message when all pass (default "All assertions passed")' },
    quiet: { type: 'bool', default: false, description: 'print nothing on success' },
  },
  build(v, a): AssertArgs {
    if (!v.that.length) fail(a, 'missing required argument "that"');
    return { that: v.that, failMsg: v.fail_msg, successMsg: v.success_msg, quiet: v.quiet };
  },
  // Asserts that need no runtime value fail the whole run before any host is touched, listing the hosts.
  preflight(p, ctx) {
    return p.that.every((e) => ctx.test(e)) ? undefined : { failed: p.failMsg ?? 'assertion failed' };
  },
  async plan(p, _probe, ctx) {
    for (const expr of p.that) {
      if (!ctx.test(expr)) {
        const result = { assertion: expr, evaluated_to: false };
        return { changed: false, failed: p.failMsg ?? `assertion failed: ${expr}`, result };
      }
    }
    const msg = p.successMsg ?? 'All assertions passed';
    return { changed: false, note: p.quiet ? undefined : msg, result: { msg } };
  },
});
