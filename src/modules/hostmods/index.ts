// Facts and the host itself: setup, raw, script, reboot, wait_for_connection, pause; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';

export const hostModules: Record<string, ModuleDef<any>> = {};
