import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { InventoryError } from '../errors.js';
import { readVarsText } from '../vault/password.js';
import { addSecret } from '../vault/secrets.js';
import { InventoryBuilder } from './builder.js';
import { inventoryDir } from './dir.js';
import { hostAndPort } from './hostpattern.js';
import { parseIni } from './ini.js';
import { loadInventoryScript } from './script.js';
import { parseTomlInventory, parseTomlText } from './toml.js';
import type { Inventory } from './types.js';
import { applyVarDirs } from './var-files.js';
import { parseYamlInventory } from './yaml.js';

const YAML_EXTS = new Set(['.yaml', '.yml', '.json']);

/** Files without a YAML extension are INI unless they parse cleanly as a YAML map (Ansible tries both). */
function looksLikeYaml(file: string, text: string): boolean {
  if (YAML_EXTS.has(extname(file).toLowerCase())) return true;
  if (extname(file) !== '') return false;
  const doc = parseDocument(text);
  return doc.errors.length === 0 && isMap(doc.contents);
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

// Ansible's script plugin takes an executable file; here it must also not be text in an inventory format (a #! line
// or binary), so a hosts.ini that happens to be chmod +x is still read as INI.
function isScript(file: string, head: Buffer): boolean {
  if (!isExecutable(file)) return false;
  return head.subarray(0, 2).toString('latin1') === '#!' || head.subarray(0, 512).includes(0);
}

function parseText(text: string, file: string, b: InventoryBuilder): void {
  if (extname(file).toLowerCase() === '.toml') parseTomlInventory(parseTomlText(text, file), file, b);
  else if (looksLikeYaml(file, text)) parseYamlInventory(text, file, b);
  else parseIni(text, file, b);
}

function loadFile(file: string, b: InventoryBuilder): void {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (cause) {
    throw new InventoryError(`cannot read inventory file: ${(cause as Error).message}`, {
      at: { file },
      cause,
      hint: 'check the file permissions',
    });
  }
  b.beginFile();
  if (isScript(file, raw)) {
    loadInventoryScript(file, b);
    return;
  }
  const { text, secret } = readVarsText(file, raw.toString('utf8'));
  // A vault-encrypted inventory: every variable in it is a secret (host and group names are not).
  if (secret) {
    const scratch = new InventoryBuilder([file]);
    parseText(text, file, scratch);
    for (const g of scratch.inv.groups.values()) addSecret(g.vars);
    for (const h of scratch.inv.hosts.values()) addSecret(h.vars);
  }
  parseText(text, file, b);
}

// Each source is a YAML/INI file or a directory of them; later sources add to and override earlier ones.
// With a playbook's folder, its group_vars/ and host_vars/ apply too, over the inventory's (as ansible-playbook does).
export function loadInventory(sources: string[], playbookDir?: string): Inventory {
  const b = new InventoryBuilder(sources);
  const varDirs: string[] = [];
  for (const src of sources) {
    const st = statSync(src, { throwIfNoEntry: false });
    // Ansible's host_list: a source that is no path and holds a comma is the hosts themselves (`-i web1,web2:2222,`)
    if (!st && src.includes(',')) {
      hostList(src, b);
      continue;
    }
    if (!st) {
      throw new InventoryError(`inventory source "${src}" does not exist`, {
        at: { file: src },
        hint: `check the -i path (relative paths start from ${process.cwd()}); it may be a YAML or INI file or a directory`,
      });
    }
    if (st.isDirectory()) {
      const { files, dirs } = inventoryDir(src);
      if (files.length === 0) {
        throw new InventoryError(`inventory directory "${src}" contains no inventory files`, {
          at: { file: src },
          hint: 'add a hosts.yaml or hosts.ini file to it (group_vars/ and host_vars/ alone define no hosts)',
        });
      }
      for (const f of files) loadFile(f, b);
      varDirs.push(...dirs);
    } else {
      loadFile(src, b);
      varDirs.push(dirname(src));
    }
  }
  for (const d of new Set(varDirs)) applyVarDirs(d, b);
  if (playbookDir && !varDirs.some((d) => resolve(d) === resolve(playbookDir))) applyVarDirs(playbookDir, b);
  return b.finish();
}

/** `-i a,b:2222,[::1]:22,` as Ansible's host_list plugin reads it: names (no ranges), a port after a colon, ungrouped. */
function hostList(src: string, b: InventoryBuilder): void {
  const at = { file: `-i ${src}` };
  b.beginFile();
  for (const part of src.split(',')) {
    const h = part.trim();
    if (!h) continue;
    // no range expansion: host_list takes `db[1:2]` as a name
    const { name, port } = hostAndPort(h);
    b.addHost('ungrouped', name, at);
    if (port !== undefined) b.setHostVar(name, 'ansible_port', port, at);
  }
}
