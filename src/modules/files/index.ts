// Files on the host: stat, find, fetch, slurp, blockinfile, replace, ini_file, unarchive, tempfile; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';
import { blockinfile } from './blockinfile.js';
import { fetch } from './fetch.js';
import { find } from './find.js';
import { ini_file } from './ini_file.js';
import { replace } from './replace.js';
import { slurp } from './slurp.js';
import { stat } from './stat.js';
import { tempfile } from './tempfile.js';
import { unarchive } from './unarchive.js';

export const fileModules: Record<string, ModuleDef<any>> = {
  stat,
  find,
  fetch,
  slurp,
  blockinfile,
  replace,
  ini_file,
  unarchive,
  tempfile,
};
