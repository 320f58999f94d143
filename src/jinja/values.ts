// Python value semantics for the Jinja engine: what Ansible users expect from truthiness, ==, str() and repr().
// JS values stand for Python ones: string, number (int and float alike), boolean, null (None), arrays (list and
// tuple), plain objects (dict), Undefined (a missing name or attribute: any use but `is defined`/`default` fails).

/** Raised while evaluating; the engine adds the file, line, column and host. */
export class JinjaError extends Error {
  /** Where in which template source it happened: set by the innermost node that saw it. */
  pos?: number;
  source?: TemplateSource;
  constructor(
    message: string,
    /** What the user should do, when it is known. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A template's text and name, so an error can say file:line:col even inside an included template. */
export interface TemplateSource {
  name?: string;
  text: string;
}

/** Ansible's AnsibleUndefined: chainable (x.y.z of an undefined x is the same Undefined), fails when used. */
export class Undefined {
  constructor(
    /** The Jinja2 message: "'foo' is undefined" or "'dict object' has no attribute 'bar'". */
    readonly message: string,
    /** The variable path as written (foo, foo.bar), for hints. */
    readonly name: string,
    /** Where the name is written. */
    readonly pos?: number,
    readonly source?: TemplateSource,
    /** Jinja2's plain Undefined (an inline if without else): renders as '' and is false, where Ansible's fails. */
    readonly lenient = false,
  ) {}
  fail(): never {
    const e = new UndefinedError(this);
    e.pos = this.pos;
    e.source = this.source;
    throw e;
  }
}

export class UndefinedError extends JinjaError {
  constructor(readonly undef: Undefined) {
    super(undef.message);
  }
}

export const isUndefined = (v: unknown): v is Undefined => v instanceof Undefined;

/** Keyword arguments of a call (`f(a, key=1)`), kept apart from positional ones. */
export type Kwargs = Record<string, unknown>;

/** A dict: a plain object (not a list, not one of the engine's own objects such as Undefined or a macro). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Fails on Undefined: every operation but `is defined`/`default`/`is undefined` goes through this. */
export function defined<T>(v: T | Undefined): T {
  if (v instanceof Undefined) v.fail();
  return v as T;
}

/** Python truthiness: empty string, list and mapping are false, as are 0, None and False. */
export function truthy(v: unknown): boolean {
  if (v instanceof Undefined) return v.lenient ? false : v.fail();
  if (Array.isArray(v)) return v.length > 0;
  if (isMapping(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Python `==`: no coercion between str and int ("1" != 1), True == 1, lists and dicts by content. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a instanceof Undefined || b instanceof Undefined) return false;
  if (a === b) return true;
  if (typeof a === 'boolean' && typeof b === 'number') return (a ? 1 : 0) === b;
  if (typeof b === 'boolean' && typeof a === 'number') return (b ? 1 : 0) === a;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  return false;
}

/** Python ordering (<): numbers with numbers, strings with strings, lists element-wise; else a TypeError. */
export function pyCompare(a: unknown, b: unknown): number {
  defined(a);
  defined(b);
  const num = (x: unknown) => (typeof x === 'boolean' ? (x ? 1 : 0) : x);
  const x = num(a);
  const y = num(b);
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = pyCompare(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  throw new JinjaError(`'<' not supported between instances of '${pyType(a)}' and '${pyType(b)}'`);
}

/** Python type names, as Jinja2's messages use them. */
export function pyType(v: unknown): string {
  if (v instanceof Undefined) return 'AnsibleUndefined';
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'function') return 'function';
  return 'dict';
}

/** Python repr() of a float: 1.0, 0.5, 1e+20, inf. */
function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return q + out + q;
}

const TUPLE = Symbol('tuple');

/** Marks a list as a Python tuple (it prints as (a, b)); still a JS array everywhere else. */
export function tuple<T extends unknown[]>(items: T): T {
  Object.defineProperty(items, TUPLE, { value: true });
  return items;
}

export const isTuple = (v: unknown): boolean => Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[TUPLE] === true;

/** Python repr(): what a list or dict shows its items as ({'a': 1, 'b': [True, None]}). */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return strRepr(v);
  if (isTuple(v))
    return (v as unknown[]).length === 1 ? `(${pyRepr((v as unknown[])[0])},)` : `(${(v as unknown[]).map(pyRepr).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isMapping(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${strRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return pyStr(v);
}

/** Python str(): what `{{ x }}` writes into a template (True, None, ['a', 'b']). */
export function pyStr(v: unknown): string {
  if (v instanceof Undefined) return v.lenient ? '' : v.fail();
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'function') return '<function>';
  return pyRepr(v);
}

/** A value as a sequence for iteration: lists as they are, strings by character, dicts by key. */
export function iterate(v: unknown): unknown[] {
  if (v instanceof Undefined) v.fail();
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isMapping(v)) return Object.keys(v);
  throw new JinjaError(`'${pyType(v)}' object is not iterable`);
}

/** Python int()/float() of a value, or undefined when it does not convert. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[+-]?(\d[\d_]*\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v)) return Number(v.replace(/_/g, ''));
  return undefined;
}
