// HTTP, ports and repositories: get_url, uri, wait_for, git; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';

export const webModules: Record<string, ModuleDef<any>> = {};
