// Which SSH user a task connects as. Ansible's rule: a variable (ansible_user, or ansible_ssh_user) from any source
// — inventory, play vars, -e — beats the remote_user keyword (task over block over play); the keyword beats
// ~/.ssh/config and the local user name. (runbook's -u flag keeps its documented meaning: it overrides ansible_user.)
import type { HostOrder } from '../playbook/types.js';

const given = (v: unknown) => v !== undefined && v !== null && v !== '';

/** The connection variables with the remote_user keyword applied where no variable names the user. */
export function withRemoteUser(vars: Record<string, unknown>, user: string | undefined): Record<string, unknown> {
  if (given(vars.ansible_user)) return vars;
  if (given(vars.ansible_ssh_user)) return { ...vars, ansible_user: vars.ansible_ssh_user };
  return user ? { ...vars, ansible_user: user } : vars;
}

/** A play's hosts in its `order:` (Ansible's inventory, reverse_inventory, sorted, reverse_sorted, shuffle). */
export function orderHosts(hosts: string[], order: HostOrder | undefined, random: () => number = Math.random): string[] {
  switch (order) {
    case undefined:
    case 'inventory':
      return hosts;
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle': {
      const out = [...hosts];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    }
  }
}
