// The one expression and template language of playbooks: Jinja2 as Ansible configures it (trim_blocks, strict
// chainable undefined, Ansible's filters, tests and lookups). Callers get values or a JinjaError with a position.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { didYouMean } from '../errors.js';
import { FILTERS } from './filters.js';
import { JinjaSyntaxError, lineCol } from './lexer.js';
import { lookupGlobals } from './lookups.js';
import { type Expr, type Node, Parser } from './parser.js';
import { builtinGlobals, type Compiled, type Env, PyCallable, Runtime, shortName } from './runtime.js';
import { TESTS } from './tests.js';
import { JinjaError, type TemplateSource, Undefined, UndefinedError } from './values.js';

export type { TemplateSource };
export { JinjaError, JinjaSyntaxError, Undefined, UndefinedError };

/** Ansible's placeholder for `{{ omit }}`: an argument whose value is this is left out. */
export const OMIT = '__omit_place_holder__runbook';

export interface JinjaOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
  rawStrings?: boolean;
}

/** Ansible's template module defaults. */
export const ANSIBLE_OPTIONS: JinjaOptions = { trimBlocks: true, lstripBlocks: false };
/** Strings in a playbook: as templates, plus Ansible's backslash doubling in {{ }} string literals. */
export const PLAYBOOK_OPTIONS: JinjaOptions = { trimBlocks: true, lstripBlocks: false, rawStrings: true };

/** Functions a template may call that need the run: lookup()/query() and friends. */
export type Globals = Record<string, unknown>;

const BASE_GLOBALS = { ...builtinGlobals(), omit: OMIT };
const MAX_CACHED = 5000;
/** Compiled templates per options (by their bits), then by text: a playbook's string is its own key, so its hash is
 * computed once (a key joined from options, name and text was built and hashed again on every render). */
const templates = new Map<number, Map<string, Compiled>>();
let cachedTemplates = 0;
const expressions = new Map<string, Expr>();

/** A render's environment. Its globals (range, lookup, query, …) are built on first use: most renders name only
 * variables, and one is made for every string and condition (a class: an object literal's getter is slow to make). */
// One per render (every task argument of every host and loop item): the constant members are on the prototype and
// nothing is a declared field, whose per-instance definitions cost more than the render of a short string.
class BaseEnv implements Env {
  declare readonly filters: Env['filters'];
  declare readonly tests: Env['tests'];
  declare readonly renderVar: Env['renderVar'];
  declare readonly load: RenderCall['load'];
  declare private built?: Record<string, unknown>;
  declare private readonly vars: Record<string, unknown>;
  declare private readonly call: RenderCall;
  constructor(vars: Record<string, unknown>, call: RenderCall) {
    this.vars = vars;
    this.call = call;
    this.load = call.load;
  }

  get globals(): Record<string, unknown> {
    if (!this.built) {
      const { vars, call } = this;
      const dirs = call.dirs ?? [process.cwd()];
      const lookups = lookupGlobals({ vars, dirs, renderFile: (p) => renderFileText(p, vars, dirs, call.globals) });
      this.built = { ...BASE_GLOBALS, ...lookups, ...call.globals };
    }
    return this.built;
  }
}

Object.assign(BaseEnv.prototype, { filters: FILTERS, tests: TESTS, renderVar });

function baseEnv(vars: Record<string, unknown>, call: RenderCall): Env {
  return new BaseEnv(vars, call);
}

/** A variable's templated value, rendered with the same variables (deeply, keeping types), as Ansible does on use. */
let varDepth = 0;
function renderVar(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (varDepth > 20)
      throw new JinjaError(
        `recursive loop detected in template: "${value}" keeps naming itself`,
        'a variable cannot be defined in terms of itself',
      );
    varDepth++;
    try {
      return renderString(value, vars);
    } finally {
      varDepth--;
    }
  }
  if (Array.isArray(value)) return value.map((v) => renderVar(v, vars));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderVar(v, vars);
    return out;
  }
  return value;
}

/** Parses a template (cached by options and text); syntax errors and unknown filters/tests are JinjaSyntaxErrors. */
export function compileTemplate(text: string, name?: string, opts: JinjaOptions = ANSIBLE_OPTIONS): Compiled {
  const bits = (opts.trimBlocks ? 1 : 0) | (opts.lstripBlocks ? 2 : 0) | (opts.rawStrings ? 4 : 0);
  let byText = templates.get(bits);
  if (!byText) templates.set(bits, (byText = new Map()));
  const key = name === undefined ? text : `${name}\0${text}`;
  const hit = byText.get(key);
  if (hit) return hit;
  const source: TemplateSource = { name, text };
  let body: Node[];
  try {
    body = Parser.template(text, opts);
    checkNames(body);
  } catch (e) {
    if (e instanceof JinjaError && e.source === undefined) e.source = source;
    throw e;
  }
  const t = { body, source };
  if (cachedTemplates >= MAX_CACHED) {
    for (const m of templates.values()) m.clear();
    cachedTemplates = 0;
  }
  byText.set(key, t);
  cachedTemplates++;
  return t;
}

/** Parses a bare expression (a `when:`, a `loop:` name); cached. */
export function compileExpression(text: string): Expr {
  const hit = expressions.get(text);
  if (hit) return hit;
  let e: Expr;
  try {
    e = Parser.expression(text);
    checkNames(e);
  } catch (err) {
    if (err instanceof JinjaError && err.source === undefined) err.source = { text };
    throw err;
  }
  if (expressions.size >= MAX_CACHED) expressions.clear();
  expressions.set(text, e);
  return e;
}

export interface RenderCall {
  globals?: Globals;
  /** {% include %} and {% import %}: a template's text by name, relative to the including file. */
  load?: (name: string, from: TemplateSource) => Compiled | undefined;
  /** Folders lookup('file'/'template'/…) searches (the role's, then the playbook's); default: the working directory. */
  dirs?: string[];
}

export function render(t: Compiled, vars: Record<string, unknown>, call: RenderCall = {}): string {
  return new Runtime(baseEnv(vars, call), t.source).render(t.body, vars);
}

/** Evaluates a bare expression to a value; an undefined result fails, naming the variable. */
export function evaluate(text: string, vars: Record<string, unknown>, call: RenderCall = {}): unknown {
  const e = compileExpression(text);
  const v = new Runtime(baseEnv(vars, call), { text }).evaluate(e, vars);
  if (v instanceof Undefined) v.fail();
  return v;
}

/** Whether a string holds Jinja (Ansible templates any string with {{ or {%). */
export function isTemplate(s: unknown): s is string {
  return typeof s === 'string' && (s.includes('{{') || s.includes('{%') || s.includes('{#'));
}

/**
 * Renders a string from a playbook. A string that is one `{{ expr }}` and nothing else keeps the expression's type
 * (a list stays a list), as in Ansible; anything else renders to a string.
 */
// Ansible's Templar.SINGLE_VAR: a string that is one variable (`{{ port }}`) holding a number or a boolean is that
// value, not rendered. Its pattern ends in Python's `$`, which also matches before a final newline, so
// `content="{{ port }}\n"` gives the number too, and the newline is lost (ansible-playbook writes "2", not "2\n").
const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}\n?$/u;

export function renderString(text: string, vars: Record<string, unknown>, call: RenderCall = {}): unknown {
  if (!isTemplate(text)) return text;
  if (text.endsWith('\n')) {
    const one = SINGLE_VAR.exec(text);
    if (one && Object.hasOwn(vars, one[1])) {
      const v = vars[one[1]];
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v;
    }
  }
  const t = compileTemplate(text, undefined, PLAYBOOK_OPTIONS);
  if (t.body.length === 1 && t.body[0].k === 'output') {
    const v = new Runtime(baseEnv(vars, call), t.source).evaluate(t.body[0].expr, vars);
    if (v instanceof Undefined) v.fail();
    if (v instanceof PyCallable) throw new JinjaError(`"${v.name}" is a function: call it`);
    return v;
  }
  return render(t, vars, call);
}

/** Reads `#jinja2:trim_blocks: False, lstrip_blocks: True` on a template's first line, as Ansible's template does. */
export function templateHeader(text: string): { text: string; opts: JinjaOptions } {
  const m = /^#jinja2:(.*)\r?\n/.exec(text);
  if (!m) return { text, opts: ANSIBLE_OPTIONS };
  const opts = { ...ANSIBLE_OPTIONS };
  for (const part of m[1].split(',')) {
    const [k, v] = part.split(':').map((x) => x.trim());
    const on = /^true$/i.test(v ?? '');
    if (k === 'trim_blocks') opts.trimBlocks = on;
    else if (k === 'lstrip_blocks') opts.lstripBlocks = on;
  }
  return { text: text.slice(m[0].length), opts };
}

/** A template file with includes/imports resolved beside it, then in the given folders. */
export function renderFileText(
  path: string,
  vars: Record<string, unknown>,
  searchDirs: string[],
  globals?: Globals,
  dirs?: string[],
): string {
  const t = compileFile(path);
  const load = (name: string, from: TemplateSource): Compiled | undefined => {
    const dirs = [from.name ? dirname(from.name) : undefined, ...searchDirs].filter((d): d is string => d !== undefined);
    for (const d of isAbsolute(name) ? [''] : dirs) {
      const p = isAbsolute(name) ? name : join(d, name);
      if (existsSync(p)) return compileFile(p);
    }
    return undefined;
  };
  return render(t, vars, { globals, load, dirs: dirs ?? searchDirs });
}

function compileFile(path: string): Compiled {
  const { text, opts } = templateHeader(readFileSync(path, 'utf8'));
  return compileTemplate(text, path, opts);
}

/** Line and column of an error inside its template source. */
export function errorPosition(e: JinjaError): { line: number; col: number } | undefined {
  if (e.pos === undefined || !e.source) return undefined;
  return lineCol(e.source.text, e.pos);
}

/** Load-time checks Jinja2 makes at compile time: every filter and test named must exist. */
function checkNames(root: Node[] | Expr): void {
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    if (x === null || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.k === 'filter' && !shortName(o.name as string, FILTERS)) {
      throw new JinjaSyntaxError(`no filter named '${o.name}'`, o.pos as number, didYouMeanOf(o.name as string, FILTERS));
    }
    if (o.k === 'test' && !shortName(o.name as string, TESTS)) {
      throw new JinjaSyntaxError(`no test named '${o.name}'`, o.pos as number, didYouMeanOf(o.name as string, TESTS));
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'k' && typeof v === 'object') visit(v);
  };
  visit(root);
}

function didYouMeanOf(name: string, table: Record<string, unknown>): string | undefined {
  return didYouMean(name.slice(name.lastIndexOf('.') + 1), Object.keys(table));
}
