#!/usr/bin/env node
// `node scripts/module-table.mjs [--check]`: rewrites README.md's module table (between <!-- modules:start --> and
// <!-- modules:end -->) from the module specs in dist/ (run `npm run build` first); --check only reports staleness.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = resolve(ROOT, 'dist/modules/table.js');
if (!existsSync(built)) {
  process.stderr.write('dist/modules/table.js is missing: run npm run build first\n');
  process.exit(1);
}
const { withModuleTable } = await import(pathToFileURL(built).href);
const path = resolve(ROOT, 'README.md');
const old = readFileSync(path, 'utf8');
const next = withModuleTable(old);
if (old === next) process.stdout.write('README.md module table is up to date\n');
else if (process.argv.includes('--check')) {
  process.stderr.write('README.md module table is out of date: run npm run build && node scripts/module-table.mjs\n');
  process.exitCode = 1;
} else {
  writeFileSync(path, next);
  process.stdout.write('wrote the module table in README.md\n');
}
