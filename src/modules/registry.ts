// STUB — the modules helper replaces this file with the real registry.
import { type Location, PlaybookError, didYouMean } from '../errors.js';
import type { ModuleDef } from './types.js';

export const builtinModules: Record<string, ModuleDef<any>> = {};

export function lookup(name: string, at: Location): ModuleDef<any> {
  const m = builtinModules[name];
  if (!m) throw new PlaybookError(`unknown module "${name}"`, { at, hint: didYouMean(name, Object.keys(builtinModules)) });
  return m;
}

export function isModule(name: string): boolean {
  return Object.hasOwn(builtinModules, name);
}
