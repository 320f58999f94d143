// Handlebars rendering with strict variables and errors that say which file, line, host and variable.
import { readFileSync } from 'node:fs';
import Handlebars, { type RuntimeOptions } from 'handlebars';
import { didYouMean, formatLocation, type Location, TemplateError } from '../errors.js';
import { HELPERS, HelperFailure } from './helpers.js';
import { MissingVariable, makeStrict } from './strict.js';

type Compiled = HandlebarsTemplateDelegate;

/** Where the text came from, so an error can point at it. */
export interface RenderOptions {
  /** Template file the text came from; absent for inline strings (then `at` locates them). */
  file?: string;
  host?: string;
  at?: Location;
}

const env = Handlebars.create();
env.registerHelper(HELPERS);
const helperNames: ReadonlySet<string> = new Set(Object.keys(env.helpers));

/** Own properties only, silently (Handlebars' default denies too, but logs to the console). */
const NO_PROTOTYPES: RuntimeOptions = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
const MAX_CACHED = 5000;
const bySource = new Map<string, Compiled>();
const byFile = new Map<string, Compiled>();

const missingHint = (v: string) =>
  `define it in the inventory (host_vars/group_vars), the play's vars, or with -e; or guard it with {{#if ${v}}} / {{default ${v} "…"}}`;
const SYNTAX_HINT = 'check that every {{ has its }} and every {{#block}} its {{/block}}';

/** Callers decide whether a value needs rendering at all. */
export function hasTemplate(s: unknown): boolean {
  return typeof s === 'string' && s.includes('{{');
}

/** Load-time validation: a playbook with a broken template fails before any host is touched. */
export function checkTemplateSyntax(src: string, at: Location): void {
  compile(src, { at });
}

/** Renders one template string; compiled templates are cached by their text. */
export function renderString(src: string, vars: Record<string, unknown>, opts: RenderOptions = {}): string {
  let fn = bySource.get(src);
  if (!fn) {
    fn = compile(src, opts);
    if (bySource.size >= MAX_CACHED) bySource.clear();
    bySource.set(src, fn);
  }
  return run(fn, vars, opts);
}

/** Renders task args deeply; a lone `{{ path }}` keeps its native type (lists stay lists), like Ansible. */
export function renderValue(value: unknown, vars: Record<string, unknown>, opts: RenderOptions = {}): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    const path = lonePath(value);
    if (path) return resolvePath(path, vars, opts);
    const out = renderString(value, vars, opts);
    // A lone helper call such as {{default mtu 1400}} keeps a number or boolean a number or boolean.
    return isLoneMustache(value) && /^(-?\d+(\.\d+)?|true|false)$/.test(out) ? JSON.parse(out) : out;
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars, opts));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, vars, opts);
    return out;
  }
  return value;
}

function isLoneMustache(s: string): boolean {
  const t = s.trim();
  return t.startsWith('{{') && t.endsWith('}}') && t.indexOf('{{', 2) === -1;
}

/** Renders a template file (the `template` module); the compiled form is cached per path. */
export function renderFile(path: string, vars: Record<string, unknown>, host?: string): string {
  let fn = byFile.get(path);
  if (!fn) {
    let src: string;
    try {
      src = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TemplateError(`template ${path}: ${code === 'ENOENT' ? 'file not found' : (e as Error).message}`, {
        at: { file: path },
        hint: 'template paths are relative to the playbook directory or its templates/ folder',
        cause: e,
      });
    }
    fn = compile(src, { file: path });
    byFile.set(path, fn);
  }
  return run(fn, vars, { file: path, host });
}

function label(opts: RenderOptions): string {
  if (opts.file) return `template ${opts.file}`;
  return opts.at ? `inline template at ${formatLocation(opts.at)}` : 'inline template';
}

function where(opts: RenderOptions, line: number | undefined): Location | undefined {
  if (opts.file) return { file: opts.file, line };
  return opts.at;
}

// The compiler classes every Handlebars environment carries; its type definitions leave them out.
interface HandlebarsCompilers {
  Compiler: new () => { compile(ast: hbs.AST.Program, options: { data: boolean }): unknown };
}

function compile(src: string, opts: RenderOptions): Compiled {
  let ast: hbs.AST.Program;
  try {
    ast = env.parseWithoutProcessing(src);
    // Handlebars runs its compiler phase (partial arguments, helper rules, node types) lazily; run it now so a bad
    // template fails at load. Its code generation (JavaScriptCompiler, source maps) raises only internal invariants,
    // so it is skipped here: it costs ~15 ms per syntax check and runs anyway when the template is first rendered.
    new (env as unknown as HandlebarsCompilers).Compiler().compile(ast, { data: true });
  } catch (e) {
    const msg = (e as Error).message;
    const line = (e as { lineNumber?: number }).lineNumber ?? Number(/line (\d+)/.exec(msg)?.[1] ?? Number.NaN);
    const at = Number.isNaN(line) ? undefined : line;
    const detail = msg.replace(/^Parse error on line \d+:\n/, '').replace(/ - \d+:\d+$/, '');
    throw new TemplateError(`${label(opts)}: syntax error${at ? ` at line ${at}` : ''}: ${detail}`, {
      at: where(opts, at),
      hint: SYNTAX_HINT,
      cause: e,
    });
  }
  return env.compile(makeStrict(ast, helperNames), { noEscape: true, strict: false });
}

function run(fn: Compiled, vars: Record<string, unknown>, opts: RenderOptions): string {
  try {
    return fn(vars, NO_PROTOTYPES);
  } catch (e) {
    throw toTemplateError(e, vars, opts);
  }
}

function toTemplateError(e: unknown, vars: Record<string, unknown>, opts: RenderOptions): TemplateError {
  if (e instanceof TemplateError) return e;
  const forHost = opts.host ? ` for host ${opts.host}` : '';
  if (e instanceof MissingVariable) return missing(e.variable, e.line, vars, opts);
  if (e instanceof HelperFailure) {
    const line = e.line ? ` line ${e.line}` : '';
    return new TemplateError(`${label(opts)}${line}: ${e.message}${forHost}`, { at: where(opts, e.line), cause: e });
  }
  const msg = e instanceof Error ? e.message : String(e);
  const helper = /Missing helper: "([^"]+)"/.exec(msg)?.[1];
  const hint = helper
    ? (didYouMean(helper, helperNames) ?? `known helpers: ${[...helperNames].filter((h) => /^[a-z]/.test(h)).join(', ')}`)
    : undefined;
  return new TemplateError(`${label(opts)}: ${msg}${forHost}`, { at: where(opts, undefined), hint, cause: e });
}

function missing(variable: string, line: number | undefined, vars: Record<string, unknown>, opts: RenderOptions): TemplateError {
  const forHost = opts.host ? ` for host ${opts.host}` : '';
  const head = variable.split('.')[0];
  const guess = head.length < 3 || Object.hasOwn(vars, head) ? undefined : didYouMean(head, Object.keys(vars));
  return new TemplateError(`${label(opts)}${line ? ` line ${line}` : ''}: variable "${variable}" is undefined${forHost}`, {
    at: where(opts, line),
    hint: guess ? `${guess} Otherwise ${missingHint(variable)}` : missingHint(variable),
  });
}

const LONE_PATH = /^\{\{\s*([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*)\s*\}\}$/;
const NOT_VARIABLES = new Set(['this', 'true', 'false', 'null', 'undefined']);

function lonePath(s: string): string[] | undefined {
  const m = LONE_PATH.exec(s);
  if (!m) return undefined;
  const parts = m[1].split('.');
  if (NOT_VARIABLES.has(parts[0]) || helperNames.has(parts[0])) return undefined;
  return parts;
}

function resolvePath(parts: string[], vars: Record<string, unknown>, opts: RenderOptions): unknown {
  let cur: unknown = vars;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, p)) {
      throw missing(parts.join('.'), 1, vars, opts);
    }
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined) throw missing(parts.join('.'), 1, vars, opts);
  return cur;
}
