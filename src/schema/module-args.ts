// Each module's accepted argument keys, read from its own parse() so the schema and the loader cannot disagree.
import { listenToArgs } from '../modules/args.js';
import { networkModules } from '../modules/net/index.js';
import { builtinModules } from '../modules/registry.js';
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
}

const PROBE = '__runbook_schema_probe__';

// Calls parse with one unknown key: argsOf reports its allowed list first, then rejects the probe (or, if open, keeps it).
function argKeysOf(name: string, def: ModuleDef<unknown>): ModuleArgKeys {
  let seen: { allowed: readonly string[]; aliases: Record<string, string> } | undefined;
  listenToArgs(
    (_m, allowed, aliases) => {
      seen ??= { allowed, aliases };
    },
    () => {
      try {
        def.parse({ [PROBE]: null }, { file: '<schema>' });
      } catch {
        // the probe key is unknown, or required args are missing: the keys were seen before either
      }
    },
  );
  if (!seen) throw new Error(`module "${name}": parse() never called argsOf(), so its argument keys are unknown to the schema`);
  const open = seen.allowed.includes(PROBE);
  const keys = [...seen.allowed, ...Object.keys(seen.aliases)].filter((k) => k !== PROBE && k !== '_raw');
  return { name, keys: [...new Set(keys)].sort(), open, freeForm: !!def.freeForm };
}

/** Every registered module, by name. */
export function moduleArgKeys(): ModuleArgKeys[] {
  const all: Record<string, ModuleDef<unknown>> = { ...builtinModules, ...networkModules };
  return Object.keys(all)
    .sort()
    .map((name) => argKeysOf(name, all[name]));
}
