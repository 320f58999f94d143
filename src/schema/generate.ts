// `node dist/schema/generate.js [--check]`: writes schemas/*.schema.json, or with --check fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inventorySchema } from './inventory.js';
import { playbookSchema } from './playbook.js';

/** The package's schemas/ folder (two levels up from src/schema or dist/schema). */
export const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../schemas');

/** File name → exact file text, as committed. */
export function schemaFiles(): Record<string, string> {
  const text = (s: unknown) => `${JSON.stringify(s, null, 2)}\n`;
  return { 'playbook.schema.json': text(playbookSchema()), 'inventory.schema.json': text(inventorySchema()) };
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  let stale = 0;
  for (const [name, text] of Object.entries(schemaFiles())) {
    const path = resolve(SCHEMA_DIR, name);
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      // not written yet
    }
    if (old === text) continue;
    stale++;
    if (check) process.stderr.write(`schemas/${name} is out of date: run node dist/schema/generate.js\n`);
    else {
      writeFileSync(path, text);
      process.stdout.write(`wrote schemas/${name}\n`);
    }
  }
  return check && stale ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
