// Evaluates the parsed tree with Jinja2's semantics as Ansible configures them: strict, chainable undefined
// (AnsibleUndefined), Python operators and values, loop/macro scoping as in Jinja2.
import { methodOf } from './methods.js';
import type { Expr, MacroDef, Node, Target } from './parser.js';
import { type CallEnv, type FilterFn, TAKES_UNDEFINED, type TestFn } from './types.js';
import {
  defined,
  isMapping,
  iterate,
  JinjaError,
  type Kwargs,
  pyCompare,
  pyEq,
  pyStr,
  pyType,
  type TemplateSource,
  truthy,
  tuple,
  Undefined,
} from './values.js';

/** Anything callable from a template: macros, globals (range, lookup), bound methods, loop.cycle. */
export class PyCallable {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kw: Kwargs) => unknown,
  ) {}
}

/** `namespace()` objects: the one thing `{% set ns.x = … %}` may assign into. */
export class Namespace {
  constructor(readonly attrs: Record<string, unknown> = {}) {}
}

/** A compiled template the runtime can render or import. */
export interface Compiled {
  body: Node[];
  source: TemplateSource;
}

export interface Env {
  filters: Record<string, FilterFn>;
  tests: Record<string, TestFn>;
  globals: Record<string, unknown>;
  /** {% include %}/{% import %}: a template by name, relative to the including one; undefined when missing. */
  load?(name: string, from: TemplateSource): Compiled | undefined;
  /** Renders a variable's own templated value (`b: "{{ a }}/conf"`) against the same variables, as Ansible does lazily. */
  renderVar?(value: unknown, root: Record<string, unknown>): unknown;
}

/** Resolves `ansible.builtin.default`, `community.general.x` to the short name when the short name is known. */
export function shortName(name: string, table: Record<string, unknown>): string | undefined {
  if (Object.hasOwn(table, name)) return name;
  const short = name.slice(name.lastIndexOf('.') + 1);
  return name.includes('.') && Object.hasOwn(table, short) ? short : undefined;
}

class Frame {
  /** Names the template set here; made on the first one (most renders of a playbook string set none). */
  private own?: Map<string, unknown>;
  constructor(
    readonly parent: Frame | undefined,
    readonly root: Record<string, unknown>,
  ) {}
  get vars(): Map<string, unknown> {
    this.own ??= new Map();
    return this.own;
  }
  lookup(name: string): unknown {
    for (let f: Frame | undefined = this; f; f = f.parent) if (f.own?.has(name)) return f.own.get(name);
    return Object.hasOwn(this.root, name) ? this.root[name] : NOT_FOUND;
  }
  /** Whether a name resolves to a run variable rather than one the template set itself. */
  isRoot(name: string): boolean {
    for (let f: Frame | undefined = this; f; f = f.parent) if (f.own?.has(name)) return false;
    return true;
  }
}

const NOT_FOUND = Symbol('not found');

class Macro extends PyCallable {}

const MAX_RANGE = 100_000;

export class Runtime implements CallEnv {
  private source: TemplateSource;
  constructor(
    private readonly env: Env,
    source: TemplateSource,
  ) {
    this.source = source;
  }

  // ---- CallEnv, for filters and tests
  filter(name: string, value: unknown, args: unknown[], kw: Kwargs): unknown {
    const key = shortName(name, this.env.filters);
    if (!key) throw new JinjaError(`no filter named '${name}'`);
    if (value instanceof Undefined && !TAKES_UNDEFINED.has(key)) value.fail();
    return this.env.filters[key](this, value, args, kw);
  }

  test(name: string, value: unknown, args: unknown[], kw: Kwargs): boolean {
    const key = shortName(name, this.env.tests);
    if (!key) throw new JinjaError(`no test named '${name}'`);
    if (value instanceof Undefined && !TAKES_UNDEFINED.has(key)) {
      if (TYPE_TESTS.has(key)) return false;
      value.fail();
    }
    return Boolean(this.env.tests[key](this, value, args, kw));
  }

  attr(value: unknown, name: string): unknown {
    let v = value;
    for (const part of name.split('.'))
      v = /^\d+$/.test(part) && Array.isArray(v) ? this.getitem(v, Number(part), part) : this.getattr(v, part, part);
    return v;
  }

  // ---- rendering
  render(body: Node[], root: Record<string, unknown>): string {
    const out: string[] = [];
    this.renderNodes(body, new Frame(undefined, root), out);
    return out.join('');
  }

  /** Runs a template for {% import %}: its top-level names (macros, sets) become the module's attributes. */
  module(t: Compiled, root: Record<string, unknown>): Record<string, unknown> {
    const frame = new Frame(undefined, root);
    this.withSource(t.source, () => this.renderNodes(t.body, frame, []));
    return Object.fromEntries(frame.vars);
  }

  evaluate(e: Expr, root: Record<string, unknown>): unknown {
    return this.eval(e, new Frame(undefined, root));
  }

  private withSource<T>(src: TemplateSource, fn: () => T): T {
    const prev = this.source;
    this.source = src;
    try {
      return fn();
    } finally {
      this.source = prev;
    }
  }

  private located(pos: number, e: unknown): unknown {
    if (e instanceof JinjaError && e.pos === undefined) {
      e.pos = pos;
      e.source = this.source;
    }
    return e;
  }

  private renderNodes(nodes: Node[], frame: Frame, out: string[]): void {
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (n.k === 'data') out.push(n.text);
      else
        try {
          this.renderNode(n, frame, out);
        } catch (e) {
          throw this.located(n.k === 'macro' ? n.def.pos : n.pos, e);
        }
    }
  }

  private renderNode(n: Exclude<Node, { k: 'data' }>, frame: Frame, out: string[]): void {
    switch (n.k) {
      case 'output': {
        // Ansible's finalize: None writes nothing.
        const v = this.eval(n.expr, frame);
        out.push(v === null ? '' : pyStr(v));
        return;
      }
      case 'if':
        for (const b of n.branches) {
          if (truthy(this.eval(b.test, frame))) {
            this.renderNodes(b.body, frame, out);
            return;
          }
        }
        this.renderNodes(n.else, frame, out);
        return;
      case 'for':
        this.renderFor(n, frame, out, this.eval(n.iter, frame), 0);
        return;
      case 'set':
        this.assign(n.target, this.eval(n.value, frame), frame);
        return;
      case 'setblock': {
        const inner: string[] = [];
        this.renderNodes(n.body, new Frame(frame, frame.root), inner);
        const text = inner.join('');
        this.assign(n.target, n.filters ? this.applyFilterChain(n.filters, text, frame) : text, frame);
        return;
      }
      case 'macro':
        frame.vars.set(n.def.name, this.macro(n.def, frame));
        return;
      case 'callblock': {
        const caller = this.macro({ name: 'caller', params: n.params, body: n.body, pos: n.pos }, frame);
        const call = n.call as Extract<Expr, { k: 'call' }>;
        out.push(pyStr(this.callExpr({ ...call, kwargs: [...call.kwargs] }, frame, caller)));
        return;
      }
      case 'filterblock': {
        const inner: string[] = [];
        this.renderNodes(n.body, new Frame(frame, frame.root), inner);
        out.push(pyStr(this.applyFilterChain(n.filter, inner.join(''), frame)));
        return;
      }
      case 'with': {
        const f = new Frame(frame, frame.root);
        for (const [k, v] of n.assigns) f.vars.set(k, this.eval(v, frame));
        this.renderNodes(n.body, f, out);
        return;
      }
      case 'include': {
        const t = this.loadTemplate(this.eval(n.template, frame), n.ignoreMissing);
        if (!t) return;
        const f = n.withContext ? new Frame(frame, frame.root) : new Frame(undefined, frame.root);
        this.withSource(t.source, () => this.renderNodes(t.body, f, out));
        return;
      }
      case 'import': {
        const t = this.loadTemplate(this.eval(n.template, frame), false) as Compiled;
        frame.vars.set(n.as, this.module(t, n.withContext ? frame.root : {}));
        return;
      }
      case 'fromimport': {
        const t = this.loadTemplate(this.eval(n.template, frame), false) as Compiled;
        const mod = this.module(t, n.withContext ? frame.root : {});
        for (const [name, as] of n.names) {
          if (!Object.hasOwn(mod, name)) throw new JinjaError(`the template ${t.source.name ?? ''} exports no "${name}"`);
          frame.vars.set(as, mod[name]);
        }
        return;
      }
      case 'do':
        this.eval(n.expr, frame);
        return;
    }
  }

  private loadTemplate(name: unknown, ignoreMissing: boolean): Compiled | undefined {
    const names = Array.isArray(name) ? name : [name];
    for (const nm of names) {
      const t = this.env.load?.(String(defined(nm)), this.source);
      if (t) return t;
    }
    if (ignoreMissing) return undefined;
    throw new JinjaError(
      `template not found: ${names.map((x) => pyStr(x)).join(', ')}`,
      'the path is relative to the including template, then to templates/',
    );
  }

  private renderFor(n: Extract<Node, { k: 'for' }>, frame: Frame, out: string[], iterable: unknown, depth: number): void {
    let items = iterable === null ? [] : iterate(iterable);
    if (isMapping(iterable) && n.target.length === 2) items = Object.keys(iterable); // Jinja iterates keys; unpack fails like Python
    if (n.cond) {
      const cond = n.cond;
      items = items.filter((it) => {
        const f = new Frame(frame, frame.root);
        this.bindTarget(n.target, it, f);
        return truthy(this.eval(cond, f));
      });
    }
    if (!items.length) {
      this.renderNodes(n.else, frame, out);
      return;
    }
    let last: unknown = NOT_FOUND;
    items.forEach((it, i) => {
      const f = new Frame(frame, frame.root);
      this.bindTarget(n.target, it, f);
      const loop: Record<string, unknown> = {
        index: i + 1,
        index0: i,
        revindex: items.length - i,
        revindex0: items.length - i - 1,
        first: i === 0,
        last: i === items.length - 1,
        length: items.length,
        depth: depth + 1,
        depth0: depth,
        previtem: i > 0 ? items[i - 1] : new Undefined("'loop' has no attribute 'previtem'", 'loop.previtem'),
        nextitem: i < items.length - 1 ? items[i + 1] : new Undefined("'loop' has no attribute 'nextitem'", 'loop.nextitem'),
        cycle: new PyCallable('cycle', (args) => {
          if (!args.length) throw new JinjaError('no items for cycling given');
          return args[i % args.length];
        }),
        changed: new PyCallable('changed', (args) => {
          const changed = last === NOT_FOUND || !pyEq(last, args);
          last = args;
          return changed;
        }),
      };
      if (n.recursive) {
        const self = new PyCallable('loop', ([sub]) => {
          const inner: string[] = [];
          this.renderFor(n, frame, inner, sub, depth + 1);
          return inner.join('');
        });
        f.vars.set('loop', Object.assign(self, loop));
      } else f.vars.set('loop', loop);
      this.renderNodes(n.body, f, out);
    });
  }

  private bindTarget(target: string[], value: unknown, frame: Frame): void {
    if (target.length === 1) {
      frame.vars.set(target[0], value);
      return;
    }
    const parts = Array.isArray(value) ? value : typeof value === 'string' ? [...value] : undefined;
    if (!parts || parts.length !== target.length) {
      throw new JinjaError(`cannot unpack ${pyType(value)} into ${target.length} names (${target.join(', ')})`);
    }
    for (const [i, t] of target.entries()) frame.vars.set(t, parts[i]);
  }

  private assign(target: Target, value: unknown, frame: Frame): void {
    if ('ns' in target) {
      const ns = frame.lookup(target.ns);
      if (!(ns instanceof Namespace)) throw new JinjaError(`cannot assign attribute on non-namespace object '${target.ns}'`);
      ns.attrs[target.attr] = value;
      return;
    }
    this.bindTarget(target.names, value, frame);
  }

  private macro(def: MacroDef, frame: Frame): Macro {
    return new Macro(def.name, (args, kw) => {
      const f = new Frame(frame, frame.root);
      const extra = args.slice(def.params.length);
      const kwargs: Kwargs = { ...kw };
      def.params.forEach((p, i) => {
        if (i < args.length) f.vars.set(p.name, args[i]);
        else if (Object.hasOwn(kwargs, p.name)) {
          f.vars.set(p.name, kwargs[p.name]);
          delete kwargs[p.name];
        } else if (p.default) f.vars.set(p.name, this.eval(p.default, f));
        else f.vars.set(p.name, new Undefined(`parameter '${p.name}' was not provided`, p.name));
      });
      if (Object.hasOwn(kwargs, 'caller')) {
        f.vars.set('caller', kwargs.caller);
        delete kwargs.caller;
      }
      f.vars.set('varargs', extra);
      f.vars.set('kwargs', kwargs);
      const out: string[] = [];
      this.renderNodes(def.body, f, out);
      return out.join('');
    });
  }

  // ---- expressions
  eval(e: Expr, frame: Frame): unknown {
    switch (e.k) {
      case 'const':
        return e.v;
      case 'name': {
        const v = frame.lookup(e.name);
        if (v === undefined) return new Undefined(`'${e.name}' is undefined`, e.name, e.pos, this.source);
        if (v !== NOT_FOUND) return frame.isRoot(e.name) ? this.lazyVar(e.name, v, frame.root) : v;
        if (Object.hasOwn(this.env.globals, e.name)) return this.env.globals[e.name];
        return new Undefined(`'${e.name}' is undefined`, e.name, e.pos, this.source);
      }
      case 'list':
        return e.items.map((x) => this.eval(x, frame));
      case 'tuple':
        return tuple(e.items.map((x) => this.eval(x, frame)));
      case 'dict': {
        const d: Record<string, unknown> = {};
        for (const [k, v] of e.items) d[keyOf(defined(this.eval(k, frame)))] = this.eval(v, frame);
        return d;
      }
      case 'getattr':
        return this.getattr(this.eval(e.obj, frame), e.attr, pathOf(e), e.pos);
      case 'getitem': {
        const key = defined(this.eval(e.index, frame));
        return this.getitem(this.eval(e.obj, frame), key, pathOf(e), e.pos);
      }
      case 'slice':
        return this.slice(e, frame);
      case 'call':
        return this.at(e.pos, () => this.callExpr(e, frame));
      case 'filter':
        return this.at(e.pos, () => this.applyFilter(e, e.value ? this.eval(e.value, frame) : '', frame));
      case 'test':
        return this.at(e.pos, () => {
          const v = this.eval(e.value, frame);
          const { args, kw } = this.evalArgs(e.args, e.kwargs, frame);
          return this.test(e.name, v, args, kw) !== e.negate;
        });
      case 'unary': {
        const v = this.eval(e.arg, frame);
        if (e.op === 'not') return !truthy(v);
        const n = num(defined(v), e.op === '-' ? 'unary -' : 'unary +');
        return e.op === '-' ? -n : n;
      }
      case 'and': {
        const l = this.eval(e.left, frame);
        return truthy(l) ? this.eval(e.right, frame) : l;
      }
      case 'or': {
        const l = this.eval(e.left, frame);
        return truthy(l) ? l : this.eval(e.right, frame);
      }
      case 'bin':
        return this.at(e.pos, () => this.binary(e.op, this.eval(e.left, frame), this.eval(e.right, frame)));
      case 'concat':
        return e.parts.map((p) => pyStr(this.eval(p, frame))).join('');
      case 'compare': {
        let left = this.eval(e.first, frame);
        // indexes: a `when:` compares for every loop item of every host
        for (let i = 0; i < e.ops.length; i++) {
          const op = e.ops[i]![0];
          const re = e.ops[i]![1];
          const right = this.eval(re, frame);
          if (!this.at(e.pos, () => compare(op, left, right))) return false;
          left = right;
        }
        return true;
      }
      case 'cond':
        if (truthy(this.eval(e.test, frame))) return this.eval(e.yes, frame);
        // Jinja2 gives its plain, lenient Undefined here: it renders as '' and is not defined.
        return e.else
          ? this.eval(e.else, frame)
          : new Undefined('the inline if expression evaluated to false and no else section was defined', 'if', e.pos, this.source, true);
    }
  }

  /** Names being rendered right now, so `a: "{{ a }}"` is an error instead of a hang. */
  private rendering?: Set<string>;

  private lazyVar(name: string, v: unknown, root: Record<string, unknown>): unknown {
    if (!this.env.renderVar || NEVER_RENDERED.has(name) || name.startsWith('ansible_') || !holdsTemplate(v)) return v;
    this.rendering ??= new Set();
    if (this.rendering.has(name)) throw new JinjaError(`recursive loop detected in template: the value of '${name}' uses '${name}'`);
    this.rendering.add(name);
    try {
      return this.env.renderVar(v, root);
    } finally {
      this.rendering.delete(name);
    }
  }

  private at<T>(pos: number, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.located(pos, err);
    }
  }

  getattr(obj: unknown, name: string, path: string, pos?: number): unknown {
    if (obj instanceof Undefined) return obj;
    if (obj instanceof Namespace) {
      if (Object.hasOwn(obj.attrs, name)) return obj.attrs[name];
    } else if (isMapping(obj) && !(obj instanceof PyCallable) && Object.hasOwn(obj, name)) return (obj as Record<string, unknown>)[name];
    else if (obj instanceof PyCallable && Object.hasOwn(obj, name)) return (obj as unknown as Record<string, unknown>)[name];
    const m = methodOf(obj, name);
    if (m) return new PyCallable(name, m);
    return new Undefined(`'${objName(obj)}' has no attribute '${name}'`, path, pos, this.source);
  }

  getitem(obj: unknown, key: unknown, path: string, pos?: number): unknown {
    if (obj instanceof Undefined) return obj;
    if (Array.isArray(obj) || typeof obj === 'string') {
      if (typeof key === 'number' || typeof key === 'boolean') {
        const k = Number(key);
        const i = k < 0 ? obj.length + k : k;
        if (Number.isInteger(i) && i >= 0 && i < obj.length) return obj[i];
        return new Undefined(`${objName(obj)} has no element ${k}`, path, pos, this.source);
      }
    } else if (isMapping(obj) && !(obj instanceof Namespace)) {
      const k = keyOf(key);
      if (Object.hasOwn(obj, k)) return obj[k];
    }
    if (typeof key === 'string') return this.getattr(obj, key, path, pos);
    return new Undefined(`'${objName(obj)}' has no attribute '${pyStr(key)}'`, path, pos, this.source);
  }

  private slice(e: Extract<Expr, { k: 'slice' }>, frame: Frame): unknown {
    const obj = defined(this.eval(e.obj, frame));
    const part = (x: Expr | undefined) => {
      if (!x) return undefined;
      const v = defined(this.eval(x, frame));
      return v === null ? undefined : num(v, 'slice index');
    };
    const [start, stop, step] = [part(e.start), part(e.stop), part(e.step) ?? 1];
    if (typeof obj !== 'string' && !Array.isArray(obj)) throw new JinjaError(`'${pyType(obj)}' object is not subscriptable`);
    const seq: unknown[] = typeof obj === 'string' ? [...obj] : obj;
    const out = pySlice(seq, start, stop, step);
    return typeof obj === 'string' ? out.join('') : out;
  }

  private evalArgs(args: Expr[], kwargs: [string, Expr][], frame: Frame): { args: unknown[]; kw: Kwargs } {
    const kw: Kwargs = {};
    for (let i = 0; i < kwargs.length; i++) kw[kwargs[i]![0]] = this.eval(kwargs[i]![1], frame);
    const out: unknown[] = [];
    for (let i = 0; i < args.length; i++) out.push(this.eval(args[i]!, frame));
    return { args: out, kw };
  }

  private callExpr(e: Extract<Expr, { k: 'call' }>, frame: Frame, caller?: Macro): unknown {
    const fn = this.eval(e.fn, frame);
    const { args, kw } = this.evalArgs(e.args, e.kwargs, frame);
    if (e.star) args.push(...iterate(this.eval(e.star, frame)));
    if (e.dstar) {
      const d = defined(this.eval(e.dstar, frame));
      if (!isMapping(d)) throw new JinjaError('argument after ** must be a mapping');
      Object.assign(kw, d);
    }
    if (caller) kw.caller = caller;
    if (fn instanceof Undefined) fn.fail();
    if (fn instanceof PyCallable) {
      for (const a of args) if (a instanceof Undefined && fn instanceof Macro === false && !LENIENT_CALLS.has(fn.name)) a.fail();
      return fn.fn(args, kw);
    }
    throw new JinjaError(`'${pyType(fn)}' object is not callable`);
  }

  private applyFilter(e: Extract<Expr, { k: 'filter' }>, value: unknown, frame: Frame): unknown {
    const { args, kw } = this.evalArgs(e.args, e.kwargs, frame);
    const key = shortName(e.name, this.env.filters);
    if (!key || !TAKES_UNDEFINED.has(key)) {
      for (const a of args) if (a instanceof Undefined) a.fail();
      for (const a of Object.values(kw)) if (a instanceof Undefined) a.fail();
    }
    return this.filter(e.name, value, args, kw);
  }

  /** A chain parsed with a null innermost value ({% filter upper %}): applied to a rendered body. */
  private applyFilterChain(chain: Expr, value: unknown, frame: Frame): unknown {
    if (chain.k !== 'filter') return value;
    const inner = chain.value ? this.applyFilterChain(chain.value, value, frame) : value;
    return this.applyFilter(chain, inner, frame);
  }

  private binary(op: string, a: unknown, b: unknown): unknown {
    defined(a);
    defined(b);
    if (op === '+') {
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (isNum(a) && isNum(b)) return Number(a) + Number(b);
    } else if (op === '-') {
      if (isNum(a) && isNum(b)) return Number(a) - Number(b);
    } else if (op === '*') {
      if (isNum(a) && isNum(b)) return Number(a) * Number(b);
      const [s, n] = typeof a === 'string' || Array.isArray(a) ? [a, b] : [b, a];
      if ((typeof s === 'string' || Array.isArray(s)) && typeof n === 'number' && Number.isInteger(n)) {
        if (typeof s === 'string') return s.repeat(Math.max(0, n));
        return Array.from({ length: Math.max(0, n) }, () => s).flat(1);
      }
    } else if (op === '/' || op === '//' || op === '%') {
      if (op === '%' && typeof a === 'string') {
        const args = Array.isArray(b) ? b : [b];
        return this.filter('format', a, isMapping(b) ? [b] : args, {});
      }
      if (isNum(a) && isNum(b)) {
        const x = Number(a);
        const y = Number(b);
        if (y === 0) throw new JinjaError(op === '%' ? 'integer division or modulo by zero' : 'division by zero');
        if (op === '/') return x / y;
        if (op === '//') return Math.floor(x / y);
        return ((x % y) + y) % y;
      }
    } else if (op === '**') {
      if (isNum(a) && isNum(b)) return Number(a) ** Number(b);
    }
    throw new JinjaError(`unsupported operand type(s) for ${op}: '${pyType(a)}' and '${pyType(b)}'`);
  }
}

/** Run-wide views whose values belong to other hosts (rendered with their own variables, not these). */
const NEVER_RENDERED = new Set(['hostvars', 'groups', 'group_names', 'vars', 'environment', 'omit']);
const UNSAFE = Symbol('unsafe');
const TEMPLATED = /\{\{|\{%/;
const scanned = new WeakMap<object, boolean>();

/** Marks a value that came from a host (a registered result, facts) so its text is never read as a template. */
export function markUnsafe<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) Object.defineProperty(v, UNSAFE, { value: true });
  return v;
}

/** Whether a variable's value holds a template anywhere inside (cached per object: values are not changed in place). */
function holdsTemplate(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return TEMPLATED.test(v);
  if (v === null || typeof v !== 'object' || depth > 32) return false;
  if ((v as Record<symbol, unknown>)[UNSAFE]) return false;
  const hit = scanned.get(v);
  if (hit !== undefined) return hit;
  const found = Array.isArray(v)
    ? v.some((x) => holdsTemplate(x, depth + 1))
    : isMapping(v) && Object.values(v).some((x) => holdsTemplate(x, depth + 1));
  scanned.set(v, found);
  return found;
}

/** Tests that answer false for an undefined value instead of failing (x is string, x is none…). */
const TYPE_TESTS = new Set([
  'none',
  'string',
  'number',
  'integer',
  'float',
  'mapping',
  'sequence',
  'iterable',
  'boolean',
  'callable',
  'true',
  'false',
]);
/** Globals that take undefined arguments without failing. */
const LENIENT_CALLS = new Set<string>();

const isNum = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';

function num(v: unknown, what: string): number {
  if (!isNum(v)) throw new JinjaError(`bad operand type for ${what}: '${pyType(v)}'`);
  return Number(v);
}

function keyOf(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number') return String(k);
  if (typeof k === 'boolean' || k === null) return pyStr(k);
  throw new JinjaError(`unhashable type: '${pyType(k)}'`);
}

function objName(obj: unknown): string {
  const t = pyType(obj);
  return t === 'NoneType' ? 'NoneType' : `${t} object`;
}

// Built once per node of a compiled (cached) expression: it names an undefined value, read on every attribute access.
const paths = new WeakMap<Expr, string>();

function pathOf(e: Expr): string {
  let p = paths.get(e);
  if (p === undefined) paths.set(e, (p = makePath(e)));
  return p;
}

function makePath(e: Expr): string {
  if (e.k === 'name') return e.name;
  if (e.k === 'getattr') return `${pathOf(e.obj)}.${e.attr}`;
  if (e.k === 'getitem') return `${pathOf(e.obj)}[${e.index.k === 'const' ? JSON.stringify(e.index.v) : '…'}]`;
  return '…';
}

function contains(item: unknown, container: unknown): boolean {
  defined(item);
  defined(container);
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new JinjaError(`'in <string>' requires string as left operand, not ${pyType(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isMapping(container)) return typeof item === 'string' || typeof item === 'number' ? Object.hasOwn(container, String(item)) : false;
  throw new JinjaError(`argument of type '${pyType(container)}' is not iterable`);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return pyEq(defined(a), defined(b));
    case '!=':
      return !pyEq(defined(a), defined(b));
    case '<':
      return pyCompare(a, b) < 0;
    case '>':
      return pyCompare(a, b) > 0;
    case '<=':
      return pyCompare(a, b) <= 0;
    case '>=':
      return pyCompare(a, b) >= 0;
    case 'in':
      return contains(a, b);
    case 'notin':
      return !contains(a, b);
  }
  throw new JinjaError(`unknown operator ${op}`);
}

/** Python slicing semantics (negative indexes, steps, clamping). */
export function pySlice<T>(seq: T[], start: number | undefined, stop: number | undefined, step: number): T[] {
  if (step === 0) throw new JinjaError('slice step cannot be zero');
  const n = seq.length;
  const norm = (x: number | undefined, dflt: number, lo: number, hi: number) => {
    if (x === undefined) return dflt;
    const v = x < 0 ? x + n : x;
    return Math.min(Math.max(v, lo), hi);
  };
  const out: T[] = [];
  if (step > 0) {
    const s = norm(start, 0, 0, n);
    const e = norm(stop, n, 0, n);
    for (let i = s; i < e; i += step) out.push(seq[i]);
  } else {
    const s = norm(start, n - 1, -1, n - 1);
    const e = norm(stop, -1, -1, n - 1);
    for (let i = s; i > e; i += step) out.push(seq[i]);
  }
  return out;
}

/** The globals every template and expression sees: range, dict, namespace, cycler, joiner. */
export function builtinGlobals(): Record<string, unknown> {
  return {
    range: new PyCallable('range', (args) => {
      const ns = args.map((a) => num(defined(a), 'range'));
      const [start, stop, step] = ns.length === 1 ? [0, ns[0], 1] : [ns[0], ns[1], ns[2] ?? 1];
      if (step === 0) throw new JinjaError('range() arg 3 must not be zero');
      const out: number[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
        out.push(i);
        if (out.length > MAX_RANGE) throw new JinjaError(`range too big: more than ${MAX_RANGE} items`);
      }
      return out;
    }),
    dict: new PyCallable('dict', (args, kw) => ({
      ...(isMapping(args[0]) ? args[0] : Array.isArray(args[0]) ? Object.fromEntries(args[0] as [string, unknown][]) : {}),
      ...kw,
    })),
    namespace: new PyCallable('namespace', (args, kw) => new Namespace({ ...(isMapping(args[0]) ? args[0] : {}), ...kw })),
    cycler: new PyCallable('cycler', (args) => {
      let i = 0;
      const c: Record<string, unknown> = {};
      c.next = new PyCallable('next', () => args[i++ % args.length]);
      c.reset = new PyCallable('reset', () => {
        i = 0;
        return null;
      });
      Object.defineProperty(c, 'current', { get: () => args[i % args.length], enumerable: true });
      return c;
    }),
    joiner: new PyCallable('joiner', (args) => {
      let used = false;
      return new PyCallable('joiner', () => {
        if (!used) {
          used = true;
          return '';
        }
        return args[0] ?? ', ';
      });
    }),
  };
}
