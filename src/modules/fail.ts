// Stops the host on purpose with the playbook author's message.
import { defineModule } from './types.js';

/** Ansible's fail. */
export const fail = defineModule({
  name: 'fail',
  doc: "Stops the host on purpose with the playbook author's message.",
  example: 'fail: {msg: "unsupported OS {{ ansible_distribution }}"}',
  local: true,
  args: { msg: { default: 'Failed as requested from task', description: 'the failure message' } },
  build: (v) => ({ msg: v.msg }),
  async plan(p) {
    return { changed: false, failed: p.msg };
  },
});
