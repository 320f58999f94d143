import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { readVarsText } from '../vault/password.js';
import { addSecret } from '../vault/secrets.js';
import type { InventoryBuilder } from './builder.js';
import { keyName, mapOrEmpty, readYaml, toValue } from './yaml.js';

const VAR_EXTS = new Set(['.yaml', '.yml', '.json', '']);

const isDir = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

const visible = (dir: string): string[] =>
  readdirSync(dir)
    .filter((e) => !e.startsWith('.') && !e.endsWith('~'))
    .sort();

function filesUnder(dir: string): string[] {
  return visible(dir).flatMap((e) => {
    const p = join(dir, e);
    if (isDir(p)) return filesUnder(p);
    return VAR_EXTS.has(extname(e)) ? [p] : [];
  });
}

// A group_vars/host_vars file is a plain map of variables; its top-level keys replace earlier ones.
// A vault-encrypted file is decrypted transparently, and every value in it is masked in output.
export function readVarsFile(file: string): Record<string, unknown> {
  const { text, secret } = readVarsText(file, readFileSync(file, 'utf8'));
  const y = readYaml(text, file);
  const map = mapOrEmpty(y, y.doc.contents, `the top level of ${file}`, '"ntp_server: 10.0.0.1"', { file, line: 1, col: 1 });
  const out: Record<string, unknown> = {};
  for (const pair of map?.items ?? []) out[keyName(pair.key)] = toValue(y, pair.value);
  if (secret) addSecret(out);
  return out;
}

/** `<name>.yaml|yml|json`, a bare `<name>`, or a `<name>/` folder of such files, in sorted order. */
function varSources(dir: string): Array<{ name: string; files: string[] }> {
  if (!isDir(dir)) return [];
  return visible(dir).flatMap((e) => {
    const p = join(dir, e);
    if (isDir(p)) return [{ name: e, files: filesUnder(p) }];
    const ext = extname(e);
    if (!VAR_EXTS.has(ext)) return [];
    return [{ name: ext ? e.slice(0, -ext.length) : e, files: [p] }];
  });
}

// Ansible's group_vars/ and host_vars/ beside an inventory; they override vars written inside it.
// Files for groups or hosts the inventory does not define are ignored, as Ansible does.
export function applyVarDirs(base: string, b: InventoryBuilder): void {
  for (const { name, files } of varSources(join(base, 'group_vars'))) {
    const g = b.inv.groups.get(name);
    if (g) for (const f of files) Object.assign(g.vars, readVarsFile(f));
  }
  for (const { name, files } of varSources(join(base, 'host_vars'))) {
    const h = b.inv.hosts.get(name);
    if (h) for (const f of files) Object.assign(h.vars, readVarsFile(f));
  }
}
