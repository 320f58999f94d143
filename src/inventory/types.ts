import type { Location } from '../errors.js';

export interface Group {
  name: string;
  /** Hosts listed directly under this group. */
  hosts: Set<string>;
  /** Child group names. */
  children: Set<string>;
  vars: Record<string, unknown>;
  at?: Location;
}

export interface HostEntry {
  name: string;
  /** Ansible's implicit localhost: added when a pattern names it and the inventory does not; never in "all". */
  implicit?: boolean;
  /** Host vars as written (host_vars/ and inline), before group vars are merged in. */
  vars: Record<string, unknown>;
  at?: Location;
}

export interface Inventory {
  /** Sources it was loaded from, for messages. */
  sources: string[];
  hosts: Map<string, HostEntry>;
  groups: Map<string, Group>;
}
