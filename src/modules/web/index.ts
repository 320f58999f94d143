// HTTP, ports and repositories: get_url, uri, wait_for, git; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';
import { get_url } from './get_url.js';
import { git } from './git.js';
import { uri } from './uri.js';
import { wait_for } from './wait_for.js';

export const webModules: Record<string, ModuleDef<any>> = { get_url, uri, wait_for, git };
