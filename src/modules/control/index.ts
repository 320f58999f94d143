// Run control: include_vars, meta, group_by, add_host; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';

export const controlModules: Record<string, ModuleDef<any>> = {};
