// Checks expressions against the host's vars and fails on the first false one.
import { argsOf, bool, fail, list, optStr } from './args.js';
import { defineModule } from './types.js';

/** Normalised assert args: `that` is always a list, `msg` folded into failMsg. */
export interface AssertArgs {
  that: string[];
  failMsg?: string;
  successMsg?: string;
  quiet: boolean;
}

/** Ansible's assert; the failure names the first false expression in result.assertion. */
export const assert = defineModule<AssertArgs>({
  name: 'assert',
  local: true,
  parse(raw, at) {
    const a = argsOf(raw, at, 'assert', ['that', 'fail_msg', 'success_msg', 'quiet'], { msg: 'fail_msg' });
    const that = list(a, 'that');
    if (!that?.length) fail(a, 'missing required argument "that"');
    return { that, failMsg: optStr(a, 'fail_msg'), successMsg: optStr(a, 'success_msg'), quiet: bool(a, 'quiet', false) };
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
