// Each module's arguments as its spec declares them, so the schema and the loader cannot disagree.
import { allModules } from '../modules/registry.js';
import { type ArgSpec, aliasesOf, argNames, FREE_FORM } from '../modules/spec.js';
import type { ModuleDef } from '../modules/types.js';

/** What the schema needs to know about one module's arguments. */
export interface ModuleArgKeys {
  name: string;
  /** Canonical keys and their aliases, sorted; `_raw` (the free-form string) left out. */
  keys: string[];
  /** Accepts any key (set_fact: the keys are the facts). */
  open: boolean;
  /** Also takes a free-form string (`shell: echo hi`). */
  freeForm: boolean;
  /** The declaration of each key (an alias maps to its argument's). */
  args: Record<string, ArgSpec & { aliasOf?: string }>;
  doc: string;
}

function argKeysOf(def: ModuleDef<unknown>): ModuleArgKeys {
  const { spec } = def;
  const aliases = aliasesOf(spec);
  const args: ModuleArgKeys['args'] = {};
  for (const k of argNames(spec)) args[k] = aliases[k] ? { ...spec.args[aliases[k]], aliasOf: aliases[k] } : spec.args[k];
  delete args[FREE_FORM];
  return { name: def.name, keys: argNames(spec), open: !!spec.open, freeForm: !!def.freeForm, args, doc: def.doc };
}

/** Every registered module, by name. */
export function moduleArgKeys(): ModuleArgKeys[] {
  return allModules().map((m) => argKeysOf(m as ModuleDef<unknown>));
}
