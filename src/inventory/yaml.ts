import { type Document, isAlias, isMap, isNode, isScalar, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { didYouMean, InventoryError, type Location } from '../errors.js';
import { vaultFailure, vaultTag } from '../vault/tag.js';
import { yaml11Bool } from '../yaml11.js';
import type { InventoryBuilder } from './builder.js';
import { parseHostPattern } from './hostpattern.js';

/** The keys a YAML inventory group takes (also read by the inventory JSON Schema). */
export const GROUP_KEYS = ['hosts', 'vars', 'children'] as const;

// A parsed YAML file plus the way back from a node to file:line:col.
export interface YamlSource {
  doc: Document;
  file: string;
  at(node: unknown): Location;
}

const fail = (at: Location, message: string, hint: string): InventoryError => new InventoryError(message, { at, hint });

// One reader for every YAML/JSON file so syntax errors always carry file:line:col.
export function readYaml(text: string, file: string): YamlSource {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, customTags: (tags) => [...tags, yaml11Bool, vaultTag] });
  const vault = vaultFailure(doc, file, lc);
  if (vault) throw vault;
  const locate = (offset: number): Location => ({ file, ...lc.linePos(offset) });
  const err = doc.errors[0];
  if (err) {
    throw fail(
      locate(err.pos[0]),
      `invalid YAML: ${err.message.split('\n')[0]}`,
      'fix the YAML syntax near that position (indentation, a missing ":" or an unclosed quote)',
    );
  }
  return {
    doc,
    file,
    at: (node) => (isNode(node) && node.range ? locate(node.range[0]) : { file }),
  };
}

const deref = (y: YamlSource, node: unknown): unknown => (isAlias(node) ? node.resolve(y.doc) : node);

const isEmpty = (node: unknown): boolean => node == null || (isScalar(node) && node.value == null);

// Map keys may be numbers or booleans in YAML (`1234:`); names are always strings.
export const keyName = (key: unknown): string => String(isScalar(key) ? key.value : key);

// A node that must be a map (or empty); anything else is an error naming what to write instead.
export function mapOrEmpty(y: YamlSource, node: unknown, what: string, example: string, fallbackAt: Location): YAMLMap | undefined {
  const n = deref(y, node);
  if (isEmpty(n)) return undefined;
  if (!isMap(n)) {
    const kind = isScalar(n) ? 'a scalar' : 'a list';
    throw fail(isNode(n) ? y.at(n) : fallbackAt, `${what} must be a map, not ${kind}`, `write it as a map, e.g. ${example}`);
  }
  return n;
}

// Var values leave the YAML AST as plain JSON-like data, aliases resolved.
export const toValue = (y: YamlSource, node: unknown): unknown => (isNode(node) ? (node as Node).toJS(y.doc) : node);

// An inventory plugin's config (`plugin: aws_ec2`) is refused, naming two ways to keep using it.
export function pluginRefused(file: string, plugin: unknown, at: Location): InventoryError {
  return new InventoryError(`${file} configures the inventory plugin "${String(plugin)}"; inventory plugins are not supported`, {
    at,
    hint:
      `export it with Ansible (ansible-inventory -i ${file} --list --yaml > hosts.yml) and pass -i hosts.yml, ` +
      `or keep it dynamic with an executable inventory script: printf '#!/bin/sh\\nexec ansible-inventory -i ${file} --list\\n' > inv.sh; chmod +x inv.sh; -i inv.sh`,
  });
}

// Ansible YAML inventory: top-level groups (usually `all:`), each with hosts / vars / children, nested freely.
export function parseYamlInventory(text: string, file: string, b: InventoryBuilder): void {
  const y = readYaml(text, file);
  const root = mapOrEmpty(y, y.doc.contents, `the top level of ${file}`, '"all: { hosts: { web1: } }"', { file, line: 1, col: 1 });
  const plugin = root?.items.find((p) => keyName(p.key) === 'plugin');
  if (plugin) throw pluginRefused(file, toValue(y, plugin.value), y.at(plugin.key));
  for (const pair of root?.items ?? []) groupDef(y, b, keyName(pair.key), pair.value, y.at(pair.key));
}

function groupDef(y: YamlSource, b: InventoryBuilder, name: string, node: unknown, at: Location, parent?: string): void {
  b.group(name, at);
  if (parent) b.addChild(parent, name, at);
  const def = mapOrEmpty(y, node, `group "${name}"`, `"${name}: { hosts: { web1: } }"`, at);
  for (const pair of def?.items ?? []) {
    const key = keyName(pair.key);
    const keyAt = y.at(pair.key);
    if (key === 'hosts') {
      const hosts = mapOrEmpty(y, pair.value, `"hosts" of group "${name}"`, '"hosts: { web1: , web2: { ansible_host: 10.0.0.2 } }"', keyAt);
      for (const h of hosts?.items ?? []) hostDef(y, b, name, keyName(h.key), h.value, y.at(h.key));
    } else if (key === 'vars') {
      const vars = mapOrEmpty(y, pair.value, `"vars" of group "${name}"`, '"vars: { ntp_server: 10.0.0.1 }"', keyAt);
      for (const v of vars?.items ?? []) b.setGroupVar(name, keyName(v.key), toValue(y, v.value), y.at(v.key));
    } else if (key === 'children') {
      const children = mapOrEmpty(y, pair.value, `"children" of group "${name}"`, '"children: { web: , db: }"', keyAt);
      for (const c of children?.items ?? []) groupDef(y, b, keyName(c.key), c.value, y.at(c.key), name);
    } else {
      const guess = didYouMean(key, GROUP_KEYS);
      throw fail(
        keyAt,
        `unknown key "${key}" in group "${name}"`,
        `a group has only hosts, vars and children${guess ? `; ${guess}` : ''} (to add a child group, put it under children:)`,
      );
    }
  }
}

function hostDef(y: YamlSource, b: InventoryBuilder, group: string, pattern: string, node: unknown, at: Location): void {
  const spec = parseHostPattern(pattern, at);
  const vars = mapOrEmpty(y, node, `host "${pattern}"`, `"${pattern}: { ansible_host: 10.0.0.5 }" (or "${pattern}:" with no value)`, at);
  for (const name of spec.names) {
    b.addHost(group, name, at);
    if (spec.port !== undefined) b.setHostVar(name, 'ansible_port', spec.port, at);
    for (const v of vars?.items ?? []) b.setHostVar(name, keyName(v.key), toValue(y, v.value), y.at(v.key));
  }
}
