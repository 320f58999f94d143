// Facts and the host itself: setup, raw, script, reboot, wait_for_connection, pause; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';
import { pause } from './pause.js';
import { raw } from './raw.js';
import { reboot } from './reboot.js';
import { script } from './script.js';
import { setup } from './setup.js';
import { wait_for_connection } from './wait_for_connection.js';

export const hostModules: Record<string, ModuleDef<any>> = { setup, raw, script, pause, wait_for_connection, reboot };
