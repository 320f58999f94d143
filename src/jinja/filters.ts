// Every filter the Jinja engine knows, by name: Jinja2's builtins overlaid with Ansible's and the project's own.
import { BUILTIN_FILTERS } from './filters-builtin.js';
import { CRYPT_FILTERS } from './filters-crypt.js';
import { DATA_FILTERS } from './filters-data.js';
import { GENERAL_FILTERS } from './filters-general.js';
import { IPADDR_FILTERS } from './filters-ipaddr.js';
import { MISC_FILTERS } from './filters-misc.js';
import { NET_FILTERS } from './filters-net.js';
import { REGEX_FILTERS } from './filters-regex.js';
import type { FilterFn } from './types.js';

/** Ansible's filters win over Jinja2's of the same name (random, unique), as in Ansible. */
export const FILTERS: Record<string, FilterFn> = {
  ...BUILTIN_FILTERS,
  ...DATA_FILTERS,
  ...MISC_FILTERS,
  ...REGEX_FILTERS,
  ...CRYPT_FILTERS,
  ...NET_FILTERS,
  ...IPADDR_FILTERS,
  ...GENERAL_FILTERS,
};
