#!/usr/bin/env node
// Jinja engines against the oracle (test/fixtures/jinja/oracle.json, Python's Jinja2 with Ansible's filters):
// (a) minijinja-js, (b) nunjucks, (c) runbook's own engine (src/jinja/index.ts, bundled on the fly with esbuild) when
// it exists and bundles. Each engine runs as it ships: no Ansible filters are added to (a) or (b).
//   expression value: the engine's value (minijinja evalExpr; nunjucks `{{ (expr) | dump }}` parsed; ours evaluate)
//     compared as JSON with the oracle's value; an error, or an undefined result, agrees with an oracle error.
//   expression rendered: '{{ expr }}' rendered to a string, compared with the oracle's string.
//   templates: rendered strings compared (trim_blocks on, trailing newline kept, where the engine has the option).
// Then each engine's cold start (import + first render, in-process time, median of 10 fresh node processes) and the
// cost of one evaluation with a context holding hostvars of 500 hosts × 50 vars (and with a small context, so the
// per-call copy of the context into WASM that minijinja-js makes shows).
// Usage: node bench/jinja-compare.mjs [--out bench/jinja-compare.txt]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const oracle = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/jinja/oracle.json'), 'utf8'));
const ctx = oracle.context;

/** JS value → plain JSON data (Maps → objects, Sets → arrays); undefined stays undefined. */
function plain(v) {
  if (v === undefined) return undefined;
  return JSON.parse(
    JSON.stringify(v, (_k, x) => {
      if (x instanceof Map) return Object.fromEntries(x);
      if (x instanceof Set) return [...x];
      if (typeof x === 'bigint') return Number(x);
      return x;
    }) ?? 'null',
  );
}

function outcome(fn) {
  try {
    const v = fn();
    return v === undefined ? { error: 'undefined result' } : { value: v };
  } catch (e) {
    return { error: String(e?.message ?? e).split('\n')[0] };
  }
}

// ---- engines ----

function minijinjaEngine() {
  const { Environment } = require('minijinja-js');
  const env = new Environment();
  env.trimBlocks = true;
  env.keepTrailingNewline = true;
  env.undefinedBehavior = 'strict';
  env.enablePyCompat();
  return {
    name: 'minijinja-js 2.11.0',
    // evalExpr gives undefined both for none and for an undefined value (strict mode or not): rendering tells them apart
    value: (expr, vars) => {
      const v = env.evalExpr(expr, vars);
      if (v !== undefined) return plain(v);
      env.renderStr(`{{ ${expr} }}`, vars); // throws when the value is undefined
      return null;
    },
    render: (src, vars) => env.renderStr(src, vars),
  };
}

function nunjucksEngine() {
  const nunjucks = require('nunjucks');
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true });
  return {
    name: 'nunjucks 3.2.4',
    value: (expr, vars) => {
      const s = env.renderString(`{{ (${expr}) | dump }}`, vars);
      return s === '' ? undefined : JSON.parse(s);
    },
    render: (src, vars) => env.renderString(src, vars),
  };
}

let oursModule;
async function oursEngine() {
  const src = join(ROOT, 'src/jinja/index.ts');
  if (!existsSync(src)) return { skipped: 'src/jinja/index.ts is absent' };
  // inside node_modules/.cache so the bundle's external packages resolve from the project's node_modules
  const out = join(ROOT, 'node_modules/.cache/runbook-jinja-bench/jinja.mjs');
  try {
    require('esbuild').buildSync({ entryPoints: [src], bundle: true, packages: 'external', platform: 'node', format: 'esm', outfile: out, logLevel: 'silent' });
  } catch (e) {
    return { skipped: `src/jinja/index.ts does not bundle: ${String(e.message).split('\n')[0]}` };
  }
  const m = await import(pathToFileURL(out).href);
  if (typeof m.evaluate !== 'function' || typeof m.renderString !== 'function') return { skipped: 'src/jinja/index.ts exports no evaluate/renderString' };
  oursModule = out;
  // a whole template renders to a string: render(compileTemplate()) where exported, else String(renderString())
  const toText = m.render && m.compileTemplate ? (s, v) => m.render(m.compileTemplate(s), v) : (s, v) => String(m.renderString(s, v));
  return { name: 'runbook src/jinja', value: (expr, vars) => plain(m.evaluate(expr, vars)), render: toText };
}

// ---- agreement ----

function compare(engine) {
  const perCat = new Map();
  const misses = [];
  for (const c of oracle.cases) {
    const key = `${c.kind === 'expression' ? 'expr' : 'tpl'}:${c.category}`;
    const row = perCat.get(key) ?? { n: 0, value: 0, rendered: 0 };
    row.n++;
    if (c.kind === 'expression') {
      const v = outcome(() => engine.value(c.source, ctx));
      const okV = 'value_error' in c ? 'error' in v : !('error' in v) && isDeepStrictEqual(plain(v.value), c.value);
      if (okV) row.value++;
      else misses.push(`${c.id} value ${JSON.stringify(c.source)}: oracle ${JSON.stringify('value' in c ? c.value : c.value_error)} got ${JSON.stringify(v.value ?? v.error)?.slice(0, 100)}`);
    }
    const r = outcome(() => engine.render(c.kind === 'expression' ? `{{ ${c.source} }}` : c.source, ctx));
    const okR = 'render_error' in c ? 'error' in r : !('error' in r) && r.value === c.rendered;
    if (okR) row.rendered++;
    else if (c.kind === 'template') misses.push(`${c.id} ${JSON.stringify(c.source).slice(0, 60)}: oracle ${JSON.stringify(c.rendered ?? c.render_error)} got ${JSON.stringify(r.value ?? r.error)?.slice(0, 100)}`);
    perCat.set(key, row);
  }
  return { perCat, misses };
}

// ---- timing ----

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const COLD = {
  'minijinja-js 2.11.0': `const { Environment } = require('minijinja-js'); const env = new Environment(); env.trimBlocks = true; out = env.renderStr(TPL, VARS);`,
  'nunjucks 3.2.4': `const nunjucks = require('nunjucks'); const env = new nunjucks.Environment(null, { autoescape: false, trimBlocks: true }); out = env.renderString(TPL, VARS);`,
  'runbook src/jinja': `const m = await import(OURS); out = m.render(m.compileTemplate(TPL), VARS);`,
};

function coldStart(name) {
  const tpl = '{% for u in users %}{{ u.name | upper }}:{{ u.uid }}{% if not loop.last %},{% endif %}{% endfor %}';
  const script = `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
const t0 = process.hrtime.bigint(); const TPL = ${JSON.stringify(tpl)}; const VARS = ${JSON.stringify({ users: ctx.users })}; const OURS = ${JSON.stringify(oursModule ? pathToFileURL(oursModule).href : '')}; let out;
${COLD[name]}
const ms = Number(process.hrtime.bigint() - t0) / 1e6; if (!out.startsWith('ALICE')) throw new Error(out); console.log(ms);`;
  const times = [];
  for (let i = 0; i < 10; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT });
    if (r.status !== 0) return `failed: ${r.stderr.split('\n').find((l) => l.includes('Error')) ?? r.stderr.slice(0, 80)}`;
    times.push(Number(r.stdout.trim()));
  }
  return median(times);
}

function bigContext() {
  const hostvars = {};
  const all = [];
  for (let h = 0; h < 500; h++) {
    const name = `host${String(h).padStart(3, '0')}`;
    all.push(name);
    const vars = {};
    for (let v = 0; v < 50; v++) vars[`var${String(v).padStart(2, '0')}`] = v % 5 === 0 ? [v, `x${v}`] : v % 2 ? `value-${h}-${v}` : v;
    vars.ansible_host = `10.0.${h >> 8}.${h & 255}`;
    hostvars[name] = vars;
  }
  return { hostvars, groups: { all, web: all.slice(0, 250) }, inventory_hostname: 'host042', port: 8080 };
}

const EXPR = "hostvars[inventory_hostname].var07 ~ ':' ~ (groups['web'] | length) ~ ':' ~ (hostvars['host499'].var10 | first)";

function perEval(engine, vars, budgetMs = 1500) {
  engine.value(EXPR, vars); // warm: parse caches, JIT
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  while (el < budgetMs) {
    for (let i = 0; i < 10; i++) engine.value(EXPR, vars);
    n += 10;
    el = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return (el * 1000) / n; // µs per evaluation
}

// ---- main ----

const engines = [minijinjaEngine(), nunjucksEngine()];
const ours = await oursEngine();
const notes = [];
if (ours.skipped) notes.push(`(c) runbook src/jinja skipped: ${ours.skipped}`);
else engines.push(ours);

const results = engines.map((e) => ({ e, ...compare(e) }));
const cats = [...results[0].perCat.keys()];
const lines = [];
const nExpr = oracle.cases.filter((c) => c.kind === 'expression').length;
const nTpl = oracle.cases.length - nExpr;
lines.push(`Jinja engines vs the oracle (Python Jinja2 ${oracle.jinja2} + Ansible filters): ${oracle.cases.length} cases, ${nExpr} expressions, ${nTpl} templates`);
lines.push(`node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
lines.push('');
const w = Math.max(...cats.map((c) => c.length), 14);
const head = ['category'.padEnd(w), 'n'.padStart(4), ...engines.map((e) => e.name.padStart(26))].join(' ');
lines.push('Agreement (expressions: value / rendered string; templates: rendered string)');
lines.push(head);
for (const cat of cats) {
  const n = results[0].perCat.get(cat).n;
  const cells = results.map((r) => {
    const row = r.perCat.get(cat);
    return (cat.startsWith('expr') ? `${row.value} / ${row.rendered}` : `${row.rendered}`).padStart(26);
  });
  lines.push([cat.padEnd(w), String(n).padStart(4), ...cells].join(' '));
}
const totals = results.map((r) => {
  let v = 0;
  let rs = 0;
  let t = 0;
  for (const [cat, row] of r.perCat) {
    if (cat.startsWith('expr')) {
      v += row.value;
      rs += row.rendered;
    } else t += row.rendered;
  }
  return { v, rs, t };
});
lines.push([`expressions`.padEnd(w), String(nExpr).padStart(4), ...totals.map((x) => `${x.v} / ${x.rs}`.padStart(26))].join(' '));
lines.push([`templates`.padEnd(w), String(nTpl).padStart(4), ...totals.map((x) => `${x.t}`.padStart(26))].join(' '));
lines.push([`all (value|tpl)`.padEnd(w), String(oracle.cases.length).padStart(4), ...totals.map((x) => `${x.v + x.t} (${(((x.v + x.t) * 100) / oracle.cases.length).toFixed(1)}%)`.padStart(26))].join(' '));
lines.push('');
lines.push('Speed');
const big = bigContext();
const small = { hostvars: { host042: { var07: 7, var10: [10, 'x10'] }, host499: { var10: [10, 'x10'] } }, groups: { web: ['host042'] }, inventory_hostname: 'host042' };
lines.push([''.padEnd(38), ...engines.map((e) => e.name.padStart(22))].join(' '));
lines.push(['cold start: import + first render (ms)'.padEnd(38), ...engines.map((e) => { const c = coldStart(e.name); return (typeof c === 'number' ? c.toFixed(1) : c).padStart(22); })].join(' '));
lines.push(['one evaluation, small context (µs)'.padEnd(38), ...engines.map((e) => perEval(e, small).toFixed(1).padStart(22))].join(' '));
lines.push(['one evaluation, 500 hosts × 50 vars (µs)'.padEnd(38), ...engines.map((e) => perEval(e, big).toFixed(1).padStart(22))].join(' '));
lines.push(`expression timed: ${EXPR}`);
lines.push('cold start: in-process time from before the import to after the first render, median of 10 fresh node processes');
for (const n of notes) lines.push(n);

const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
const outIdx = process.argv.indexOf('--out');
if (outIdx > 0) writeFileSync(resolve(process.argv[outIdx + 1]), text);
if (process.argv.includes('--misses')) {
  for (const r of results) {
    process.stdout.write(`\n== ${r.e.name}: ${r.misses.length} misses\n${r.misses.join('\n')}\n`);
  }
}
