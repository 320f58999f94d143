// Ansible's script inventory plugin: an executable run with --list prints JSON groups (a list of hosts, or hosts /
// vars / children), and _meta.hostvars; without _meta it is asked `--host <name>` once per host.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { InventoryError, type Location } from '../errors.js';
import type { InventoryBuilder } from './builder.js';

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function run(file: string, args: string[]): Record<string, unknown> {
  const what = `inventory script ${file} ${args.join(' ')}`;
  const at: Location = { file };
  const r = spawnSync(resolve(file), args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error)
    throw new InventoryError(`cannot run ${what}: ${r.error.message}`, {
      at,
      hint: 'an executable inventory file is run as a script; if it is YAML, INI or TOML, remove its executable bit (chmod -x)',
    });
  if (r.status !== 0) {
    const err = r.stderr.trim().split('\n').slice(-3).join(' / ');
    throw new InventoryError(`${what} exited with ${r.status ?? r.signal}${err ? `: ${err}` : ''}`, {
      at,
      hint: `run ${file} ${args.join(' ')} by hand to see why`,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(r.stdout);
  } catch (e) {
    throw new InventoryError(`${what} did not print JSON: ${(e as Error).message}`, {
      at,
      hint: 'an inventory script prints one JSON object on stdout (messages go to stderr)',
    });
  }
  if (!isMap(data))
    throw new InventoryError(`${what} printed JSON that is not an object`, {
      at,
      hint: 'print {"group": {"hosts": [...]}, "_meta": {"hostvars": {}}}',
    });
  return data;
}

export function loadInventoryScript(file: string, b: InventoryBuilder): void {
  const at: Location = { file };
  const data = run(file, ['--list']);
  const hosts = new Set<string>();
  let meta: Record<string, unknown> | undefined;
  for (const [name, raw] of Object.entries(data)) {
    if (name === '_meta') {
      if (isMap(raw) && 'hostvars' in raw) {
        if (!isMap(raw.hostvars))
          throw new InventoryError(`inventory script ${file}: _meta.hostvars must be an object`, {
            at,
            hint: '{"_meta": {"hostvars": {"web1": {"k": "v"}}}}',
          });
        meta = raw.hostvars;
      }
      continue;
    }
    b.group(name, at);
    // As Ansible reads it: a list is the group's hosts; a map without hosts/vars/children is a host of that name with vars.
    let def: Record<string, unknown>;
    if (!isMap(raw)) def = { hosts: raw };
    else if (!('hosts' in raw || 'vars' in raw || 'children' in raw)) def = { hosts: [name], vars: raw };
    else def = raw;
    if (def.hosts !== undefined) {
      if (!Array.isArray(def.hosts))
        throw new InventoryError(`inventory script ${file}: hosts of group "${name}" must be a list`, {
          at,
          hint: '{"web": {"hosts": ["web1", "web2"]}}',
        });
      for (const h of def.hosts) {
        hosts.add(String(h));
        b.addHost(name, String(h), at);
      }
    }
    if (def.vars !== undefined) {
      if (!isMap(def.vars))
        throw new InventoryError(`inventory script ${file}: vars of group "${name}" must be an object`, {
          at,
          hint: '{"web": {"vars": {"http_port": 80}}}',
        });
      for (const [k, v] of Object.entries(def.vars)) b.setGroupVar(name, k, v, at);
    }
    if (Array.isArray(def.children)) for (const c of def.children) b.addChild(name, String(c), at);
  }
  for (const h of hosts) {
    const vars = meta ? (meta[h] ?? {}) : run(file, ['--host', h]);
    if (!isMap(vars))
      throw new InventoryError(`inventory script ${file}: the vars of host "${h}" must be an object`, {
        at,
        hint: 'each _meta.hostvars entry (or --host output) is a JSON object',
      });
    for (const [k, v] of Object.entries(vars)) b.setHostVar(h, k, v, at);
  }
}
