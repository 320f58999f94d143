// Users, groups, keys, services, cron, hostname, mounts; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';

export const systemModules: Record<string, ModuleDef<any>> = {};
