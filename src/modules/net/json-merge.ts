// Merges keys into a JSON file (docker's daemon.json {"bridge": "br0"}) keeping what the host already has.
import { isDeepStrictEqual } from 'node:util';
import { type Args, fail, mode } from '../args.js';
import { parentOf, statPaths } from '../fs.js';
import { defineModule, type Plan } from '../types.js';
import { planFileUpdate } from './file-update.js';

export interface JsonMergeArgs {
  path: string;
  set: Record<string, unknown>;
  create: boolean;
  mode?: string;
  indent: number;
  backup: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key, recursively; arrays and scalars in `set` replace what was there. */
export function deepMerge(base: Obj, patch: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = isObj(v) && isObj(base[k]) ? deepMerge(base[k] as Obj, v) : v;
  return out;
}

function indentOf(a: Args, key: string): number {
  const indent = a.v[key] as number;
  if (indent < 0 || indent > 10) fail(a, `argument "indent" must be 0-10, got ${indent}`);
  return indent;
}

export const jsonMerge = defineModule({
  name: 'json_merge',
  doc: "Merges keys into a JSON file (docker's daemon.json) keeping what the host already has.",
  example: 'json_merge: {path: /etc/docker/daemon.json, set: {bridge: br0}}',
  args: {
    path: { type: 'path', required: true, aliases: ['dest'], description: 'the JSON file on the host' },
    set: { type: 'dict', required: true, description: 'keys to set; objects merge key by key, other values replace' },
    create: { type: 'bool', default: true, description: 'create the file when it is absent' },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0644" (quote it in YAML)' },
    indent: { type: 'int', default: 2, check: indentOf, description: 'spaces of indentation when the file is rewritten (0-10)' },
    backup: { type: 'bool', default: false, description: 'keep a timestamped copy of the old file beside it' },
  },
  build: (v): JsonMergeArgs => ({ path: v.path, set: v.set, create: v.create, mode: v.mode, indent: v.indent, backup: v.backup }),
  async plan(p, probe, ctx): Promise<Plan> {
    // The stat goes with the read (one round trip, not two); it counts only when the file must be written.
    const stats = statPaths(probe, [p.path, parentOf(p.path)], { follow: true });
    stats.catch(() => undefined);
    const old = await probe.readFile(p.path);
    if (old === null && !p.create) return { changed: false, failed: `${p.path} does not exist (create: false)` };
    let current: unknown = {};
    if (old !== null && old.toString('utf8').trim() !== '') {
      try {
        current = JSON.parse(old.toString('utf8'));
      } catch (e) {
        return { changed: false, failed: `${p.path} holds invalid JSON (${(e as Error).message}): fix or remove it; nothing was written` };
      }
    }
    if (!isObj(current))
      return {
        changed: false,
        failed: `${p.path} holds a JSON ${Array.isArray(current) ? 'array' : typeof current}, not an object: nothing was written`,
      };
    const merged = deepMerge(current, p.set);
    const keys = Object.keys(p.set).join(', ');
    if (old !== null && isDeepStrictEqual(merged, current) && p.mode === undefined)
      return { changed: false, note: `${p.path} has ${keys}` };
    // Same value, other formatting: keep the bytes, so only a mode change can remain.
    const same = old !== null && isDeepStrictEqual(merged, current);
    const content = same ? old : Buffer.from(`${JSON.stringify(merged, null, p.indent)}\n`);
    const plan = await planFileUpdate(probe, ctx, { dest: p.path, content, old, mode: p.mode, backup: p.backup, stats });
    if (!plan.changed || same) return { ...plan, note: plan.changed ? `${p.path}: ${plan.note}` : `${p.path} has ${keys}` };
    return { ...plan, note: old === null ? `created ${p.path}` : `${p.path}: set ${keys}` };
  },
});
