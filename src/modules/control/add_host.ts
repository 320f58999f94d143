// Adds a host (and groups) to the run's inventory for later plays; runs once per task, not once per host.
import { fail } from '../args.js';
import { defineModule } from '../types.js';

export interface AddHostArgs {
  name: string;
  groups: string[];
  vars: Record<string, unknown>;
}

/** As Ansible: name may carry a port (host:port → ansible_port); every other key is a host variable. */
export const add_host = defineModule({
  name: 'add_host',
  doc: 'Adds a host to the in-memory inventory (with groups and host variables) for later plays to target.',
  example: 'add_host: {name: web2, groups: [web], ansible_host: 10.0.0.12}',
  local: true,
  open: true,
  args: {
    name: { required: true, aliases: ['hostname', 'host'], description: 'the host name, optionally with :port' },
    groups: { type: 'list', default: [], aliases: ['group', 'groupname'], description: 'groups to add it to (a list or comma-separated)' },
  },
  build(v, a): AddHostArgs {
    const { name, groups, ...rest } = v as Record<string, unknown> & { name: string; groups: unknown[] };
    let host = name.trim();
    const vars: Record<string, unknown> = { ...rest };
    const port = /^([^:[\]]+):(\d+)$/.exec(host) ?? /^\[([^\]]+)\]:(\d+)$/.exec(host);
    if (port) {
      host = port[1] as string;
      vars.ansible_port = Number(port[2]);
    }
    if (!host) fail(a, 'name is empty');
    return { name: host, groups: [...new Set(groups.map((g) => String(g).trim()).filter(Boolean))], vars };
  },
  async plan(p) {
    return { changed: false, note: p.name, result: { add_host: { host_name: p.name, groups: p.groups, host_vars: p.vars } } };
  },
});
