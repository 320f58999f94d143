// Rendering for playbooks: Jinja for strings and template files (as Ansible), Handlebars for `.hbs` files; errors
// say which file, line, host and variable.
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import Handlebars, { type RuntimeOptions } from 'handlebars';
import { didYouMean, formatLocation, type Location, TemplateError } from '../errors.js';
import {
  compileTemplate,
  errorPosition,
  type Globals,
  isTemplate,
  JinjaError,
  JinjaSyntaxError,
  renderString as jinjaRender,
  OMIT,
  PLAYBOOK_OPTIONS,
  renderFileText,
  UndefinedError,
} from '../jinja/index.js';
import { pyStr } from '../jinja/values.js';
import { HELPERS, HelperFailure } from './helpers.js';
import { HbsInterpreter, interpretable } from './hbs-interp.js';
import { MissingVariable, makeStrict } from './strict.js';

type Compiled = HandlebarsTemplateDelegate;

/** Where the text came from, so an error can point at it. */
export interface RenderOptions {
  /** Template file the text came from; absent for inline strings (then `at` locates them). */
  file?: string;
  host?: string;
  at?: Location;
  /** Functions bound to the run, beside lookup()/query(). */
  globals?: Globals;
  /** Folders lookup('file'/'template') searches: the role's, then the playbook's. */
  dirs?: string[];
}

const env = Handlebars.create();
env.registerHelper(HELPERS);
const helperNames: ReadonlySet<string> = new Set(Object.keys(env.helpers));

/** Own properties only, silently (Handlebars' default denies too, but logs to the console). */
const NO_PROTOTYPES: RuntimeOptions = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
const byFile = new Map<string, Compiled>();

const missingHint = (v: string) =>
  `define it in the inventory (host_vars/group_vars), the play's vars, or with -e; or guard it: {{ ${v} | default('…') }}, {% if ${v} is defined %}`;
const hbsMissingHint = (v: string) =>
  `define it in the inventory (host_vars/group_vars), the play's vars, or with -e; or guard it with {{#if ${v}}} / {{default ${v} "…"}}`;
const HBS_SYNTAX_HINT = 'check that every {{ has its }} and every {{#block}} its {{/block}}';
const SYNTAX_HINT = 'check that every {{ has its }}, every {% if %} its {% endif %} and every {% for %} its {% endfor %}';

/** Callers decide whether a value needs rendering at all: Ansible templates any string with {{, {% or {#. */
export function hasTemplate(s: unknown): s is string {
  return isTemplate(s);
}

/** Load-time validation: a playbook with a broken template fails before any host is touched. */
export function checkTemplateSyntax(src: string, at: Location): void {
  try {
    compileTemplate(src, undefined, PLAYBOOK_OPTIONS);
  } catch (e) {
    throw jinjaError(e, src, { at });
  }
}

/** Renders one string from a playbook to text. */
export function renderString(src: string, vars: Record<string, unknown>, opts: RenderOptions = {}): string {
  const v = renderValue(src, vars, opts);
  return typeof v === 'string' ? v : pyStr(v);
}

/** Renders task args deeply; a lone `{{ expr }}` keeps its native type (lists stay lists), like Ansible; `omit` drops a key. */
export function renderValue(value: unknown, vars: Record<string, unknown>, opts: RenderOptions = {}): unknown {
  if (typeof value === 'string') {
    if (!isTemplate(value)) return value;
    try {
      return jinjaRender(value, vars, { globals: opts.globals, dirs: opts.dirs });
    } catch (e) {
      throw jinjaError(e, value, opts, vars);
    }
  }
  // Plain loops (every task's args, for every host and loop item): too few calls for V8 to optimise iterator chains.
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const r = renderValue(value[i], vars, opts);
      if (r !== OMIT) out.push(r);
    }
    return out;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      if (!Object.hasOwn(obj, k)) continue;
      const r = renderValue(obj[k], vars, opts);
      if (r !== OMIT) out[isTemplate(k) ? String(renderValue(k, vars, opts)) : k] = r;
    }
    return out;
  }
  return value;
}

/** Renders a template file (the `template` module): `.hbs` with Handlebars, anything else as Jinja, like Ansible. */
export function renderFile(
  path: string,
  vars: Record<string, unknown>,
  host?: string,
  opts: { globals?: Globals; dirs?: string[] } = {},
): string {
  if (path.endsWith('.hbs')) return renderHandlebarsFile(path, vars, host);
  const extra = {
    template_path: path,
    template_fullpath: resolve(path),
    template_host: hostname(),
    template_uid: userInfo().username,
  };
  const all = { ansible_managed: 'Ansible managed', ...extra, ...vars };
  try {
    return renderFileText(path, all, [dirname(path), ...(opts.dirs ?? []).map((d) => `${d}/templates`)], opts.globals, opts.dirs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) {
      throw new TemplateError(`template ${path}: ${code === 'ENOENT' ? 'file not found' : (e as Error).message}`, {
        at: { file: path },
        hint: 'template paths are relative to the playbook directory or its templates/ folder',
        cause: e,
      });
    }
    throw jinjaError(e, undefined, { file: path, host }, vars);
  }
}

/** A JinjaError as a TemplateError naming the file (or the playbook location), line:col, host and variable. */
function jinjaError(e: unknown, text: string | undefined, opts: RenderOptions, vars?: Record<string, unknown>): unknown {
  if (!(e instanceof JinjaError)) return e;
  const pos = errorPosition(e);
  const forHost = opts.host ? ` for host ${opts.host}` : '';
  const file = e.source?.name ?? opts.file;
  const where: Location | undefined = file ? { file, line: pos?.line, col: pos?.col } : opts.at;
  const inText = file
    ? `template ${file}${pos ? ` line ${pos.line}` : ''}`
    : `"${text ?? ''}"${pos && text?.includes('\n') ? ` (line ${pos.line})` : ''}`;
  if (e instanceof UndefinedError) {
    const name = e.undef.name;
    const head = name.split(/[.[]/)[0];
    const guess = vars && head.length >= 3 && !Object.hasOwn(vars, head) ? didYouMean(head, Object.keys(vars)) : undefined;
    const hint = guess ? `${guess} Otherwise ${missingHint(name)}` : missingHint(name);
    return new TemplateError(`${inText}: ${e.message}${forHost}`, { at: where, hint, cause: e });
  }
  const syntax = e instanceof JinjaSyntaxError;
  return new TemplateError(`${inText}: ${syntax ? 'syntax error: ' : ''}${e.message}${forHost}`, {
    at: where,
    hint: e.hint ?? (syntax ? SYNTAX_HINT : undefined),
    cause: e,
  });
}

/** Renders Handlebars text (a `.hbs` file's content); `opts.file` names it in errors. */
export function renderHandlebars(src: string, vars: Record<string, unknown>, opts: RenderOptions = {}): string {
  return run(compile(src, opts), vars, opts);
}

/** Renders a Handlebars (.hbs) template file; the compiled form is cached per path. */
function renderHandlebarsFile(path: string, vars: Record<string, unknown>, host?: string): string {
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
      hint: HBS_SYNTAX_HINT,
      cause: e,
    });
  }
  const strict = makeStrict(ast, helperNames);
  if (!interpretable(strict)) return env.compile(strict, { noEscape: true, strict: false });
  // Handlebars' whitespace pass (standalone lines, ~), as its compiler runs it; then the interpreter (hbs-interp.ts)
  const processed = (env.parse as unknown as (ast: hbs.AST.Program) => hbs.AST.Program)(strict);
  const run = new HbsInterpreter(processed, env.helpers as Record<string, (...a: unknown[]) => unknown>);
  return (vars: unknown) => run.render(vars);
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
    hint: guess ? `${guess} Otherwise ${hbsMissingHint(variable)}` : hbsMissingHint(variable),
  });
}
