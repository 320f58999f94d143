// Stops the host on purpose with the playbook author's message.
import { argsOf, optStr } from './args.js';
import { defineModule } from './types.js';

/** Ansible's fail. */
export const fail = defineModule<{ msg: string }>({
  name: 'fail',
  local: true,
  parse(raw, at) {
    const a = argsOf(raw, at, 'fail', ['msg']);
    return { msg: optStr(a, 'msg') ?? 'Failed as requested from task' };
  },
  async plan(p) {
    return { changed: false, failed: p.msg };
  },
});
