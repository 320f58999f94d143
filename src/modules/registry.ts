// Module names → definitions; the only place the executor and loader learn which modules exist.
import { didYouMean, editDistance, type Location, ModuleUnavailable, PlaybookError } from '../errors.js';
import { shortName } from '../shared/keywords.js';
import { assert } from './assert.js';
import { command } from './command.js';
import { controlModules } from './control/index.js';
import { copy } from './copy.js';
import { debug } from './debug.js';
import { fail } from './fail.js';
import { file } from './file.js';
import { fileModules } from './files/index.js';
import { hostModules } from './hostmods/index.js';
import { lineinfile } from './lineinfile.js';
import { networkModules } from './net/index.js';
import { ping } from './ping.js';
import { packageModules } from './pkg/index.js';
import { set_fact } from './set_fact.js';
import { shell } from './shell.js';
import { systemModules } from './system/index.js';
import { template } from './template.js';
import type { ModuleDef } from './types.js';
import { webModules } from './web/index.js';

/** The core modules; the families (network, packages, files, system, web, control, host) join them below. */
export const builtinModules: Record<string, ModuleDef<any>> = {
  command,
  shell,
  copy,
  template,
  file,
  lineinfile,
  ping,
  debug,
  fail,
  assert,
  set_fact,
};

const modules: Readonly<Record<string, ModuleDef<any>>> = {
  ...builtinModules,
  ...networkModules,
  ...packageModules,
  ...fileModules,
  ...systemModules,
  ...webModules,
  ...controlModules,
  ...hostModules,
};

// ansible.builtin.x and ansible.legacy.x are x: the loader's one rule for that prefix.
const bare = shortName;

// Unknown module names are load-time errors with a did-you-mean hint; ansible.builtin.<name> and ansible.legacy.<name> are accepted.
export function lookup(name: string, at: Location): ModuleDef<any> {
  const m = Object.hasOwn(modules, bare(name)) ? modules[bare(name)] : undefined;
  if (m) return m;
  throw unknownModule(name, at, didYouMean(bare(name), Object.keys(modules)));
}

/**
 * The error for a module name runbook does not know: one letter off one of its modules is a slip of the keyboard
 * (refused wherever it is written); anything else is most likely a module runbook lacks (ModuleUnavailable).
 */
export function unknownModule(name: string, at: Location, hint?: string): PlaybookError {
  const typo = Object.keys(modules).some((n) => editDistance(bare(name), n) <= 1);
  return new (typo ? PlaybookError : ModuleUnavailable)(`unknown module "${name}"`, { at, hint });
}

// The loader asks this to tell a module key from a task keyword.
export function isModule(name: string): boolean {
  return Object.hasOwn(modules, bare(name));
}

/** Every registered module, sorted by name. */
export function allModules(): ModuleDef<any>[] {
  return Object.keys(modules)
    .sort()
    .map((k) => modules[k]);
}
