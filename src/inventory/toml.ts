// Ansible's toml inventory plugin: each top-level table is a group with `hosts` (a table of host → vars), `vars`
// and `children` (a list of group names).
import { parse, TomlError } from 'smol-toml';
import { didYouMean, InventoryError, type Location } from '../errors.js';
import type { InventoryBuilder } from './builder.js';
import { parseHostPattern } from './hostpattern.js';
import { GROUP_KEYS, pluginRefused } from './yaml.js';

const isTable = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);

// TOML dates have no YAML/JSON twin; Ansible's plugin hands them on as strings too.
const plain = (v: unknown): unknown => {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (isTable(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

export function parseTomlText(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    const at: Location = e instanceof TomlError ? { file, line: e.line, col: e.column } : { file };
    throw new InventoryError(`invalid TOML: ${(e as Error).message.split('\n')[0]}`, {
      at,
      cause: e,
      hint: 'fix the TOML syntax near that position',
    });
  }
}

export function parseTomlInventory(data: Record<string, unknown>, file: string, b: InventoryBuilder): void {
  const at: Location = { file };
  if (Object.keys(data).length === 0)
    throw new InventoryError(`${file}: empty TOML inventory`, { at, hint: 'define a group, e.g. [web.hosts] then web1 = {}' });
  if (data.plugin) throw pluginRefused(file, data.plugin, at);
  for (const [name, def] of Object.entries(data)) group(b, name, def, at);
}

function group(b: InventoryBuilder, name: string, def: unknown, at: Location): void {
  if (!isTable(def)) {
    throw new InventoryError(`"${name}" is not a group definition (a TOML table)`, {
      at,
      hint: `group variables go under [${name}.vars] or [all.vars]`,
    });
  }
  b.group(name, at);
  for (const [key, value] of Object.entries(def)) {
    if (key === 'vars') {
      if (!isTable(value))
        throw new InventoryError(`"vars" of group "${name}" must be a table`, { at, hint: `write [${name}.vars] with key = value lines` });
      for (const [k, v] of Object.entries(value)) b.setGroupVar(name, k, plain(v), at);
    } else if (key === 'children') {
      if (!Array.isArray(value))
        throw new InventoryError(`"children" of group "${name}" must be a list`, { at, hint: 'write children = ["web", "db"]' });
      for (const c of value) b.addChild(name, String(c), at);
    } else if (key === 'hosts') {
      if (!isTable(value))
        throw new InventoryError(`"hosts" of group "${name}" must be a table`, {
          at,
          hint: `write [${name}.hosts] with lines like web1 = {} or web2 = { ansible_port = 2222 }`,
        });
      for (const [pattern, vars] of Object.entries(value)) {
        if (!isTable(vars))
          throw new InventoryError(`host "${pattern}" in group "${name}" must be a table of vars`, {
            at,
            hint: `write ${pattern} = {} or ${pattern} = { ansible_host = "10.0.0.5" }`,
          });
        const spec = parseHostPattern(pattern, at);
        for (const h of spec.names) {
          b.addHost(name, h, at);
          if (spec.port !== undefined) b.setHostVar(h, 'ansible_port', spec.port, at);
          for (const [k, v] of Object.entries(vars)) b.setHostVar(h, k, plain(v), at);
        }
      }
    } else {
      const guess = didYouMean(key, GROUP_KEYS);
      throw new InventoryError(`unknown key "${key}" in group "${name}"`, {
        at,
        hint: `a group has only hosts, vars and children${guess ? `; ${guess}` : ''}`,
      });
    }
  }
}
