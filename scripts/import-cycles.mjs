// Fails when folders of src/ import each other in a cycle (a → b → … → a); prints each cycle with one import per edge.
// Dynamic import() is counted too: a lazy import still ties the folders together. Type-only imports count as well.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');
const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
};
walk(root);

// The folder a file belongs to: its first directory under src/ (files directly in src/ are their own folder "."),
const folderOf = (file) => {
  const rel = relative(root, file).split('/');
  return rel.length > 1 ? rel[0] : '.';
};
const edges = new Map(); // folder → Map(folder → example "file → import")
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = resolve(dirname(f), m[1].replace(/\.js$/, '.ts'));
    const a = folderOf(f);
    const b = folderOf(target);
    if (a === b || b === '.' || a === '.') continue;
    if (!edges.has(a)) edges.set(a, new Map());
    if (!edges.get(a).has(b)) edges.get(a).set(b, []);
    edges.get(a).get(b).push(`${relative(root, f)} → ${m[1]}`);
  }
}

// Strongly connected components (Tarjan): any with more than one folder is a cycle.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const on = new Set();
const sccs = [];
const strong = (v) => {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const c = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      c.push(w);
    } while (w !== v);
    if (c.length > 1) sccs.push(c);
  }
};
for (const v of edges.keys()) if (!idx.has(v)) strong(v);

if (!sccs.length) {
  console.log(`no import cycle between the folders of ${relative(process.cwd(), root) || '.'}`);
  process.exit(0);
}
for (const c of sccs) {
  const set = new Set(c);
  console.log(`cycle between ${c.sort().join(', ')}:`);
  for (const a of c) for (const [b, ex] of edges.get(a) ?? []) if (set.has(b)) console.log(`  ${a} → ${b}: ${ex.join(', ')}`);
}
process.exit(1);
