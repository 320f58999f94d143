// Runs a parsed Handlebars template (after makeStrict and Handlebars' own whitespace pass) as Handlebars 4.7's
// compiled code would, without compiling it: the same helper functions get the same arguments, `this` and options,
// values are looked up and joined exactly as the generated JavaScript does (`+`, which adds two numbers side by side,
// as Handlebars itself does). Written here because Handlebars has no interpreter: its compiler generates JavaScript
// on a template's first render and its runtime wraps every helper on every render; on a no-op rerun, where each host
// renders each template twice (the pre-run check and the plan), that was a third of the run's template time. Partials,
// decorators and block parameters are not handled here: such a template is compiled by Handlebars (interpretable()).

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type Expr = hbs.AST.Expression;
type Path = hbs.AST.PathExpression;
type Sexpr = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;
type Helper = (this: unknown, ...args: unknown[]) => unknown;
type Data = Record<string, unknown> & { _parent?: Data };
type ProgramFn = (context: unknown, options?: { data?: Data; blockParams?: unknown }) => unknown;

/** The helpers Handlebars' compiler knows by name: a mustache naming one is a call even without arguments. */
const KNOWN = new Set(['helperMissing', 'blockHelperMissing', 'each', 'if', 'unless', 'with', 'log', 'lookup']);
/** Handlebars moves these two out of the helpers a template can name (runtime.js, moveHelperToHooks). */
const HOOKS = new Set(['helperMissing', 'blockHelperMissing']);
/** container.nullContext: `this` for a helper called where the context is null or undefined. */
const NULL_CONTEXT = Object.seal({});
const noop = () => '';

/** Handlebars' container.lookupProperty under allowProtoPropertiesByDefault/MethodsByDefault false: own properties only. */
export function lookupProperty(parent: unknown, name: string): unknown {
  const result = (parent as Record<string, unknown>)[name];
  if (result == null) return result;
  if (Object.hasOwn(Object(parent), name) && !(name === 'constructor' && typeof result === 'function' && parent === result.prototype))
    return result;
  return undefined;
}

/** Whether the interpreter runs this (unprocessed or processed) template: no partials, decorators or block params. */
export function interpretable(program: Program): boolean {
  const ok = (n: Node | undefined): boolean => {
    if (!n) return true;
    switch (n.type) {
      case 'Program': {
        const p = n as Program;
        return !p.blockParams?.length && p.body.every(ok);
      }
      case 'ContentStatement':
      case 'CommentStatement':
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
      case 'UndefinedLiteral':
      case 'NullLiteral':
      case 'PathExpression':
        return true;
      case 'MustacheStatement':
      case 'SubExpression': {
        const s = n as hbs.AST.MustacheStatement;
        return ok(s.path) && s.params.every(ok) && (s.hash?.pairs ?? []).every((p) => ok(p.value));
      }
      case 'BlockStatement': {
        const b = n as hbs.AST.BlockStatement;
        return ok(b.path) && b.params.every(ok) && (b.hash?.pairs ?? []).every((p) => ok(p.value)) && ok(b.program) && ok(b.inverse);
      }
      default:
        return false; // partials, decorators
    }
  };
  return ok(program);
}

function usesDepths(n: Node | undefined): boolean {
  if (!n || typeof n !== 'object') return false;
  if (n.type === 'PathExpression' && (n as Path).depth > 0) return true;
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) {
      if (v.some((x) => x && typeof x === 'object' && 'type' in x && usesDepths(x as Node))) return true;
    } else if (v && typeof v === 'object' && 'type' in v && v !== n && usesDepths(v as Node)) return true;
  }
  return false;
}

/** `{{"x"}}`, `{{1}}`: a literal where a helper or value name goes is read as a name (compiler.js transformLiteralToPath). */
function pathOf(e: Expr): Path {
  if (e.type === 'PathExpression') return e as Path;
  const lit = e as hbs.AST.StringLiteral;
  return { type: 'PathExpression', data: false, depth: 0, parts: [`${lit.original}`], original: `${lit.original}`, loc: lit.loc } as Path;
}

/** AST.helpers.simpleId: one part, not scoped (`this`, `.`), no depth. */
function simpleId(p: Path): boolean {
  return p.parts.length === 1 && !/^\.|this\b/.test(p.original) && !p.depth;
}

function hasArgs(s: Sexpr): boolean {
  return s.type === 'SubExpression' || s.params.length > 0 || !!s.hash;
}

type Kind = 'helper' | 'ambiguous' | 'simple';

function kindOf(s: Sexpr): Kind {
  const p = pathOf(s.path);
  const simple = simpleId(p);
  if (hasArgs(s) || (simple && KNOWN.has(p.parts[0]!))) return 'helper';
  return simple ? 'ambiguous' : 'simple';
}

/** How a statement joins its program's output in the generated code: in the `+` chain, or as a statement of its own. */
function breaksChain(n: Node): boolean {
  if (n.type !== 'BlockStatement') return false;
  return kindOf(n as hbs.AST.BlockStatement) === 'ambiguous';
}

/** JavaScript's `+`, which the generated code joins a program's parts with. */
const plus = (a: unknown, b: unknown): unknown => (a as any) + (b as any);

/** `a + b + c`, left to right. */
function sum(parts: unknown[]): unknown {
  let acc = parts[0];
  for (let i = 1; i < parts.length; i++) acc = plus(acc, parts[i]);
  return acc;
}

/** A compiled node: its value for a context, a data frame and the contexts above (`../`, when the template uses them). */
type Fn = (ctx: unknown, data: Data, depths: unknown[] | undefined) => unknown;

/**
 * The template turned once into a tree of closures, every choice the generated code makes at compile time (a helper
 * or a value, which helper, how a path is read, how a program joins its parts) made here too, so a render only runs
 * them. Helpers are looked up once: the environment's set is fixed when render.ts registers it.
 */
export class HbsInterpreter {
  private readonly depthsOn: boolean;
  private readonly main: Fn;
  private readonly missing: Helper;
  private readonly blockMissing: Helper;

  constructor(
    main: Program,
    private readonly helpers: Record<string, Helper>,
  ) {
    this.depthsOn = usesDepths(main);
    this.missing = helpers.helperMissing as Helper;
    this.blockMissing = helpers.blockHelperMissing as Helper;
    this.main = this.program(main);
  }

  render(context: unknown): string {
    // initData: the root frame
    return `${this.main(context, { root: context }, this.depthsOn ? [context] : undefined)}`;
  }

  private helper(name: string): Helper | undefined {
    if (HOOKS.has(name)) return undefined;
    return lookupProperty(this.helpers, name) as Helper | undefined;
  }

  /**
   * A program's value, joined as its generated function joins it (javascript-compiler.js mergeSource): one statement is
   * returned as it is; otherwise the parts form `+` chains, and an ambiguous block (a statement of its own in the
   * generated code) ends a chain: the chain before the first such block initialises `buffer` (`buffer = a + b`), a chain
   * between two is added as one sum (`buffer += a + b`), the last one left to right (`return buffer + a + b`). Empty
   * text and comments make no code.
   */
  private program(p: Program): Fn {
    const body = p.body;
    if (body.length === 1) {
      const one = this.statement(body[0]!);
      if (!one) return () => '';
      return (c, d, dp) => {
        const v = one(c, d, dp);
        return v == null ? '' : v;
      };
    }
    const parts: { fn: Fn; breaks: boolean }[] = [];
    for (const n of body) {
      const fn = this.statement(n);
      if (fn) parts.push({ fn, breaks: breaksChain(n) });
    }
    if (!parts.length) return () => '';
    if (!parts.some((x) => x.breaks)) {
      const fns = parts.map((x) => x.fn);
      if (fns.length === 1) return fns[0]!;
      return (c, d, dp) => {
        let acc = fns[0]!(c, d, dp);
        for (let i = 1; i < fns.length; i++) acc = plus(acc, fns[i]!(c, d, dp));
        return acc;
      };
    }
    return (c, d, dp) => {
      let buffer: unknown;
      let started = false;
      let chain: unknown[] = [];
      for (let i = 0; i < parts.length; i++) {
        const { fn, breaks } = parts[i]!;
        const v = fn(c, d, dp);
        if (!breaks) {
          chain.push(v);
          continue;
        }
        if (chain.length) buffer = started ? plus(buffer, sum(chain)) : sum(chain);
        else if (!started) buffer = '';
        chain = [];
        started = true;
        if (v != null) buffer = plus(buffer, v);
      }
      if (!started) return sum(chain);
      for (let i = 0; i < chain.length; i++) buffer = plus(buffer, chain[i]);
      return buffer;
    };
  }

  /** A statement's compiled value, or undefined where Handlebars emits no code (empty text, comments). */
  private statement(n: Node): Fn | undefined {
    switch (n.type) {
      case 'ContentStatement': {
        const v = (n as hbs.AST.ContentStatement).value;
        return v ? () => v : undefined;
      }
      case 'CommentStatement':
        return undefined;
      case 'MustacheStatement': {
        const e = this.sexpr(n as hbs.AST.MustacheStatement);
        return (c, d, dp) => {
          const v = e(c, d, dp);
          return v != null ? v : '';
        };
      }
      case 'BlockStatement': {
        const b = n as hbs.AST.BlockStatement;
        if (breaksChain(b)) return this.ambiguousBlock(b);
        const e = this.block(b);
        return (c, d, dp) => {
          const v = e(c, d, dp);
          return v != null ? v : '';
        };
      }
      default:
        throw new Error(`template node ${n.type} is not interpreted`);
    }
  }

  /** options.fn / options.inverse: a program bound to where the block is (runtime.js wrapProgram). */
  private static bind(p: Fn | undefined, data: Data, depths: unknown[] | undefined): ProgramFn {
    if (!p) return noop;
    return (context, options) => {
      let current = depths;
      // biome-ignore lint/suspicious/noDoubleEquals: the runtime's own loose test (runtime.js wrapProgram)
      if (depths && context != depths[0] && !(context === NULL_CONTEXT && depths[0] === null)) current = [context, ...depths];
      return p(context, options?.data || data, current);
    };
  }

  /** A block helper's options: as a helper's, with the block's body and else part bound to where the block is. */
  private static blockOptions(
    name: string,
    hash: Record<string, unknown>,
    d: Data,
    dp: unknown[] | undefined,
    loc: hbs.AST.SourceLocation,
    fn: Fn | undefined,
    inverse: Fn | undefined,
  ): Record<string, unknown> {
    return { name, hash, data: d, loc, lookupProperty, fn: HbsInterpreter.bind(fn, d, dp), inverse: HbsInterpreter.bind(inverse, d, dp) };
  }

  /** Evaluates a helper's hash: last pair first, as the generated object literal has them (assignToHash pops them). */
  private hashOf(s: Sexpr): (c: unknown, d: Data, dp: unknown[] | undefined) => Record<string, unknown> {
    const pairs = [...(s.hash?.pairs ?? [])].reverse().map((p) => ({ key: p.key, fn: this.expr(p.value) }));
    if (!pairs.length) return () => ({});
    return (c, d, dp) => {
      const h: Record<string, unknown> = {};
      for (let i = 0; i < pairs.length; i++) h[pairs[i]!.key] = pairs[i]!.fn(c, d, dp);
      return h;
    };
  }

  /**
   * A mustache, subexpression or helper block: a value read (`simple`), a helper or else a value (`ambiguous`), or a
   * helper call: its function found first, then its arguments in order, then its hash.
   */
  private sexpr(s: Sexpr): Fn {
    const p = pathOf(s.path);
    const kind = kindOf(s);
    const loc = s.loc;
    const block = s.type === 'BlockStatement' ? (s as hbs.AST.BlockStatement) : undefined;
    const fn = block ? this.programOrUndefined(block.program) : undefined;
    const inverse = block ? this.programOrUndefined(block.inverse) : undefined;
    const options = (name: string, hash: Record<string, unknown>, d: Data, dp: unknown[] | undefined): Record<string, unknown> =>
      block ? HbsInterpreter.blockOptions(name, hash, d, dp, loc, fn, inverse) : { name, hash, data: d, loc, lookupProperty };
    if (kind === 'simple') {
      const read = this.path(p, false);
      return (c, d, dp) => {
        const v = read(c, d, dp);
        return typeof v === 'function' ? (v as Helper).call(c) : v;
      };
    }
    if (kind === 'ambiguous') {
      const name = p.parts[0]!;
      const helper = this.helper(name);
      const read = this.path(p, false);
      const missing = this.missing;
      return (c, d, dp) => {
        let h: unknown = helper;
        if (h == null) h = read(c, d, dp);
        if (h == null) h = missing;
        return typeof h === 'function' ? (h as Helper).call(c != null ? c : NULL_CONTEXT, options(name, {}, d, dp)) : h;
      };
    }
    const simple = simpleId(p);
    const known = simple && KNOWN.has(p.parts[0]!);
    const name = known ? p.parts[0]! : p.original;
    const found = simple ? this.helper(p.parts[0]!) : undefined;
    const read = known || found ? undefined : this.path(p, true);
    const missing = this.missing;
    const params = s.params.map((e) => this.expr(e));
    const hash = this.hashOf(s);
    return (c, d, dp) => {
      let f: unknown = found;
      if (!known && !f) f = (read as Fn)(c, d, dp) || missing;
      const args: unknown[] = new Array(params.length + 1);
      for (let i = 0; i < params.length; i++) args[i] = params[i]!(c, d, dp);
      args[params.length] = options(name, hash(c, d, dp), d, dp);
      if (typeof f !== 'function') throw new TypeError(`${name} is not a helper (${f === undefined ? 'undefined' : typeof f})`);
      return (f as Helper).apply(c != null ? c : NULL_CONTEXT, args);
    };
  }

  private programOrUndefined(p: Program | undefined): Fn | undefined {
    return p ? this.program(p) : undefined;
  }

  /** A block that is no ambiguous one: a helper's, or a value's through blockHelperMissing (`{{#a.b}}`, `{{#this}}`). */
  private block(b: hbs.AST.BlockStatement): Fn {
    if (kindOf(b) === 'helper') return this.sexpr(b);
    const p = pathOf(b.path);
    const read = this.path(p, false);
    const fn = this.programOrUndefined(b.program);
    const inverse = this.programOrUndefined(b.inverse);
    const blockMissing = this.blockMissing;
    const name = p.original;
    const loc = b.loc;
    return (c, d, dp) => {
      let v = read(c, d, dp);
      if (typeof v === 'function') v = (v as Helper).call(c);
      return blockMissing.call(c, v, HbsInterpreter.blockOptions(name, {}, d, dp, loc, fn, inverse));
    };
  }

  /** `{{#name}}` where name is no known helper: a helper of that name, else the value through blockHelperMissing. */
  private ambiguousBlock(b: hbs.AST.BlockStatement): Fn {
    const p = pathOf(b.path);
    const name = p.parts[0]!;
    const helper = this.helper(name);
    const read = this.path(p, false);
    const fn = this.programOrUndefined(b.program);
    const inverse = this.programOrUndefined(b.inverse);
    const { missing, blockMissing } = this;
    const loc = b.loc;
    return (c, d, dp) => {
      const options = HbsInterpreter.blockOptions(name, {}, d, dp, loc, fn, inverse);
      let h: unknown = helper;
      if (h == null) h = read(c, d, dp);
      if (h == null) h = missing;
      const v = typeof h === 'function' ? (h as Helper).call(c != null ? c : NULL_CONTEXT, options) : h;
      return helper ? v : blockMissing.call(c, v, { ...options, name: '' });
    };
  }

  private expr(e: Expr): Fn {
    switch (e.type) {
      case 'PathExpression':
        return this.path(e as Path, false);
      case 'SubExpression':
        return this.sexpr(e as hbs.AST.SubExpression);
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral': {
        const v = (e as hbs.AST.StringLiteral).value;
        return () => v;
      }
      case 'UndefinedLiteral':
        return () => undefined;
      case 'NullLiteral':
        return () => null;
      default:
        throw new Error(`template node ${e.type} is not interpreted`);
    }
  }

  /** A path's value: `!= null` steps on the context, `&&` steps on data (and on a helper's name: `falsy`). */
  private path(p: Path, falsy: boolean): Fn {
    const parts = p.parts;
    const depth = p.depth;
    if (p.data)
      return (_c, d) => {
        let cur: unknown = d;
        for (let k = depth; cur && k > 0; k--) cur = (cur as Data)._parent;
        for (let i = 0; i < parts.length; i++) cur = cur && lookupProperty(cur, parts[i]!);
        return cur;
      };
    if (parts.length === 1 && !depth && !falsy) {
      const one = parts[0]!;
      return (c) => (c != null ? lookupProperty(c, one) : c);
    }
    return (c, _d, dp) => {
      let cur: unknown = depth ? dp?.[depth] : c;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        cur = falsy ? cur && lookupProperty(cur, part) : cur != null ? lookupProperty(cur, part) : cur;
      }
      return cur;
    };
  }
}
