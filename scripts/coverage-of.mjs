// Prints the line coverage of one source folder from coverage/coverage-summary.json (npm run coverage writes it).
// Usage: node scripts/coverage-of.mjs src/executor
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';

const dir = resolve(process.argv[2] ?? 'src/executor') + sep;
const summary = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8'));
let total = 0;
let covered = 0;
const rows = [];
for (const [file, s] of Object.entries(summary)) {
  if (!file.startsWith(dir)) continue;
  total += s.lines.total;
  covered += s.lines.covered;
  rows.push(`${s.lines.pct.toFixed(1).padStart(6)} %  ${file.slice(dir.length)}`);
}
if (!total) throw new Error(`no file under ${dir} in coverage/coverage-summary.json: run npm run coverage first`);
console.log(rows.sort().join('\n'));
console.log(`${((100 * covered) / total).toFixed(1)} % of ${total} lines in ${process.argv[2] ?? 'src/executor'}`);
