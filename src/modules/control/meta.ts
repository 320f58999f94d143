// Ansible's meta actions: run-flow instructions the executor carries out itself (src/executor/control.ts).
import { defineModule } from '../types.js';

export const META_ACTIONS = [
  'flush_handlers',
  'end_play',
  'end_host',
  'end_batch',
  'clear_facts',
  'clear_host_errors',
  'noop',
  'refresh_inventory',
  'reset_connection',
] as const;
export type MetaAction = (typeof META_ACTIONS)[number];

/** meta: flush_handlers (and the others): nothing to plan; the play itself acts on it. */
export const meta = defineModule({
  name: 'meta',
  doc: 'Acts on the run itself: flush_handlers, end_play, end_host, end_batch, clear_facts, clear_host_errors, refresh_inventory, reset_connection, noop.',
  example: 'meta: flush_handlers',
  local: true,
  freeForm: true,
  args: { _raw: { required: true, choices: META_ACTIONS, description: 'the action' } },
  build: (v): MetaAction => v._raw as MetaAction,
  async plan(action) {
    return { changed: false, note: action, result: { msg: action } };
  },
});
