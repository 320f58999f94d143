// Puts the host in a group made at run time (seen in `groups` and by later plays' hosts: patterns).
import { defineModule } from '../types.js';

export interface GroupByArgs {
  key: string;
  parents: string[];
}

/** As Ansible: blanks in the group names become "-". */
export const group_by = defineModule({
  name: 'group_by',
  doc: 'Adds the host to a group made at run time, e.g. one per OS family, for later plays to target.',
  example: 'group_by: {key: "os_{{ ansible_os_family }}"}',
  local: true,
  args: {
    key: { required: true, description: 'the group to add the host to' },
    parents: { type: 'list', default: ['all'], description: 'the parent groups of that group' },
  },
  build: (v): GroupByArgs => ({ key: v.key.replace(/ /g, '-'), parents: v.parents.map((p) => String(p).replace(/ /g, '-')) }),
  async plan(p) {
    return { changed: false, note: p.key, result: { add_group: p.key, parent_groups: p.parents } };
  },
});
