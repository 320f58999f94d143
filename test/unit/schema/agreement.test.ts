// Loader and schema agree on every fixture: good files pass both; shape mistakes fail both; the rest only the loader can judge.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { loadInventory } from '../../../src/inventory/load.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { inventorySchema } from '../../../src/schema/inventory.js';
import { playbookSchema } from '../../../src/schema/playbook.js';
import { writeTree } from '../playbook/helpers.js';
import { validate } from './mini-validator.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const yamlIn = (dir: string) =>
  readdirSync(resolve(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `${dir}/${f}`);

/** Files the loader rejects for a reason no JSON Schema can see, and why. */
const PLAYBOOK_LOADER_ONLY: Record<string, string> = {
  'test/fixtures/bad-input/bad-filter.yaml': 'template filter names inside {{ }}',
  'test/fixtures/bad-input/handler-missing.yaml': 'notify names must match a handler of the same play',
  'test/fixtures/bad-input/module-missing-arg.yaml': 'required module arguments (they may come from args: or be templated)',
  'test/fixtures/bad-input/vars-files-missing.yaml': 'files that must exist beside the playbook',
  'test/fixtures/bad-input/when-syntax.yaml': 'expression syntax in when/changed_when/failed_when/until',
};
const INVENTORY_LOADER_ONLY: Record<string, string> = {
  'test/fixtures/inventory/errors/conflict.yaml': 'one host given two values for a var by sibling groups',
  'test/fixtures/bad-input/inventory/conflict.yaml': 'one host given two values for a var by sibling groups',
  'test/fixtures/inventory/errors/cycle.yaml': 'group cycles through children',
  'test/fixtures/bad-input/inventory/cycle.yaml': 'group cycles through children',
  'test/fixtures/bad-input/vault/inventory.yaml': 'group_vars/ beside the file (here vault-encrypted, no password)',
};

function loaderVerdict(load: () => unknown): string | undefined {
  try {
    load();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function schemaVerdict(schema: Record<string, unknown>, text: string): string[] {
  const doc = parseDocument(text, { merge: true });
  return doc.errors.length ? [`YAML: ${doc.errors[0].message}`] : validate(schema, doc.toJS());
}

function agree(file: string, loader: string | undefined, schema: string[], loaderOnly: Record<string, string>) {
  if (loader === undefined) expect(schema, `${file}: the loader accepts it, the schema must too`).toEqual([]);
  else if (loaderOnly[file]) expect(schema, `${file}: listed as loader-only (${loaderOnly[file]})`).toEqual([]);
  else expect(schema.length, `${file}: the loader says "${loader}", the schema must reject it too`).toBeGreaterThan(0);
}

describe('playbook fixtures: loader and schema', () => {
  const ps = playbookSchema();
  const files = ['playbooks', 'test/fixtures/bad-input', 'test/fixtures/e2e', 'test/fixtures/playbook'].flatMap(yamlIn);
  test.each(files)('%s', (file) => {
    const loader = loaderVerdict(() => loadPlaybook(resolve(ROOT, file)));
    if (file.startsWith('playbooks/')) expect(loader).toBeUndefined();
    agree(file, loader, schemaVerdict(ps, readFileSync(resolve(ROOT, file), 'utf8')), PLAYBOOK_LOADER_ONLY);
  });
  test('every loader-only entry names a fixture the loader rejects', () => {
    for (const f of Object.keys(PLAYBOOK_LOADER_ONLY)) expect(loaderVerdict(() => loadPlaybook(resolve(ROOT, f)))).toBeDefined();
  });
});

describe('inventory fixtures: loader and schema', () => {
  const is = inventorySchema();
  const files = [
    'inventory/hosts.yaml',
    'test/fixtures/inventory/yaml/hosts.yaml',
    'test/fixtures/inventory/dir/hosts.yaml',
    'test/fixtures/inventory/precedence.yaml',
    'test/fixtures/inventory/merge/extra.yaml',
    'test/fixtures/bad-input/vault/inventory.yaml',
    ...yamlIn('test/fixtures/inventory/errors'),
    ...yamlIn('test/fixtures/bad-input/inventory'),
  ];
  test.each(files)('%s', (file) => {
    const loader = loaderVerdict(() => loadInventory([resolve(ROOT, file)]));
    agree(file, loader, schemaVerdict(is, readFileSync(resolve(ROOT, file), 'utf8')), INVENTORY_LOADER_ONLY);
  });
});

const play = (task: string, playExtra = '') => `- hosts: all\n${playExtra}  tasks:\n    - ${task.trim().split('\n').join('\n      ')}\n`;

// Shapes no fixture covers; [yaml, the loader and the schema accept it].
const CASES: [string, string, boolean][] = [
  ['FQCN module', play('ansible.builtin.shell: echo hi'), true],
  ['yes/no booleans (YAML 1.1, as Ansible)', play('shell: echo hi', '  gather_facts: no\n'), true],
  ['serial percentage and list', play('ping:', '  serial: [1, "30%"]\n'), true],
  ['module args under args:', play('shell: echo hi\nargs: {unless: "true", chdir: /tmp}'), true],
  ['key=value string on a map module', play('copy: "dest=/tmp/x content=y"'), true],
  ['action: with key=value', play('action: copy dest=/tmp/x content=y'), true],
  ['local_action: as a map', play('local_action: { module: debug, msg: hi }'), true],
  ['with_dict', play('debug: {msg: x}\nwith_dict: {a: 1}'), true],
  ['with_dict and loop together', play('debug: {msg: x}\nloop: [1]\nwith_dict: {a: 1}'), false],
  ['unknown key under args:', play('shell: echo hi\nargs: {unles: "true"}'), false],
  ['loop and with_items together', play('debug: {msg: x}\nloop: [1]\nwith_items: [2]'), false],
  ['listen on a task', play('ping:\nlisten: x'), false],
  ['register not a variable name', play('ping:\nregister: 1bad'), false],
  ['vars name not a variable name', play('ping:\nvars: {"my-var": 1}'), false],
  ['connection not ssh or local', play('ping:', '  connection: sssh\n'), false],
  ['serial zero', play('ping:', '  serial: 0\n'), false],
  ['max_fail_percentage over 100', play('ping:', '  max_fail_percentage: 150\n'), false],
  ['unknown loop_control key', play('debug: {msg: x}\nloop: [1]\nloop_control: {index: i}'), false],
  [
    'loop_control index_var, extended, pause',
    play('debug: {msg: x}\nloop: [1]\nloop_control: {index_var: i, extended: true, pause: 1}'),
    true,
  ],
  ['when a number', play('ping:\nwhen: 3'), false],
  ['hosts an empty list', '- hosts: []\n  tasks: []\n', false],
];

describe('inline shapes: loader and schema give the same verdict', () => {
  const ps = playbookSchema();
  test.each(CASES)('%s', (_name, text, ok) => {
    const dir = writeTree({ 'site.yml': text });
    const loader = loaderVerdict(() => loadPlaybook(join(dir, 'site.yml')));
    expect(loader === undefined, `loader: ${loader}`).toBe(ok);
    expect(schemaVerdict(ps, text).length === 0, schemaVerdict(ps, text).join('; ')).toBe(ok);
  });
});
