// Run control: include_vars, meta, group_by, add_host, dynamic include_tasks/include_role; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';
import { add_host } from './add_host.js';
import { group_by } from './group_by.js';
import { include_role, include_tasks } from './include.js';
import { include_vars } from './include_vars.js';
import { meta } from './meta.js';

export const controlModules: Record<string, ModuleDef<any>> = { include_vars, meta, group_by, add_host, include_tasks, include_role };
