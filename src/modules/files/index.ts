// Files on the host: stat, find, fetch, slurp, blockinfile, replace, ini_file, unarchive, tempfile; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';

export const fileModules: Record<string, ModuleDef<any>> = {};
