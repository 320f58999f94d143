// The committed schemas/ files are exactly what the generator produces, and cover every keyword and module.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isModule } from '../../../src/modules/registry.js';
import { PLAY_KEYS, TASK_KEYS } from '../../../src/playbook/keywords.js';
import { SCHEMA_DIR, schemaFiles } from '../../../src/schema/generate.js';
import { moduleArgKeys } from '../../../src/schema/module-args.js';

const ROOT = resolve(import.meta.dirname, '../../..');
type Obj = Record<string, any>;
const playbook = (): Obj => JSON.parse(readFileSync(resolve(SCHEMA_DIR, 'playbook.schema.json'), 'utf8'));

describe('schemas/ cannot drift from the loader', () => {
  test.each(Object.entries(schemaFiles()))('schemas/%s equals the generator output (run node dist/schema/generate.js)', (name, text) => {
    expect(readFileSync(resolve(SCHEMA_DIR, name), 'utf8')).toBe(text);
  });

  test('the folder holds nothing else', () => {
    expect(readdirSync(SCHEMA_DIR).sort()).toEqual(Object.keys(schemaFiles()).sort());
  });

  test('every play and task keyword is a property, and nothing else is', () => {
    const d = playbook().definitions;
    expect(Object.keys(d.play.properties).sort()).toEqual([...PLAY_KEYS].sort());
    const taskKeywords = Object.keys(d.handler.properties).filter((k) => !isModule(k) && !k.startsWith('ansible.'));
    expect(taskKeywords.sort()).toEqual([...TASK_KEYS].sort());
    expect(d.task.properties.listen).toBeUndefined();
  });

  test('every registered module is a task key (also as ansible.builtin.x), with the keys its parse() accepts', () => {
    const d = playbook().definitions;
    const mods = moduleArgKeys();
    expect(mods.map((m) => m.name)).toEqual(expect.arrayContaining(['shell', 'copy', 'ovs_port', 'route', 'json_merge', 'set_fact']));
    for (const m of mods) {
      expect(d.task.properties[m.name]).toEqual({ $ref: `#/definitions/module.${m.name}` });
      expect(d.task.properties[`ansible.builtin.${m.name}`]).toBeDefined();
      if (!m.open) expect(Object.keys(d[`args.${m.name}`].properties)).toEqual(m.keys);
    }
    expect(Object.keys(d['args.ovs_port'].properties)).toEqual(['bridge', 'options', 'port', 'protected', 'state', 'tag', 'type']);
    // aliases count as accepted keys; the internal free-form key does not
    expect(Object.keys(d['args.json_merge'].properties)).toContain('dest');
    expect(Object.keys(d['args.shell'].properties)).not.toContain('_raw');
    expect(d['args.set_fact'].additionalProperties).toBeUndefined();
  });

  test('the shipped playbooks and inventory carry the yaml-language-server modeline on their first line', () => {
    for (const f of readdirSync(resolve(ROOT, 'playbooks')).filter((x) => x.endsWith('.yaml')))
      expect(readFileSync(resolve(ROOT, 'playbooks', f), 'utf8').split('\n')[0]).toBe(
        '# yaml-language-server: $schema=../schemas/playbook.schema.json',
      );
    expect(readFileSync(resolve(ROOT, 'inventory/hosts.yaml'), 'utf8').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../schemas/inventory.schema.json',
    );
  });
});
