// Shared pieces of the filter and test tables: Python-style parameter binding and value coercions.
import type { CallEnv, FilterFn } from './types.js';
import { isMapping, isUndefined, iterate, JinjaError, type Kwargs, pyStr, pyType, toNumber, Undefined } from './values.js';

/** Marks a parameter without a default: binding fails when the caller leaves it out. */
export const REQUIRED: unique symbol = Symbol('required');

/**
 * Binds positional and keyword arguments to named parameters as Python would, so `indent(2, true)` and
 * `indent(width=2, first=true)` mean the same; unknown keywords and surplus positionals fail like a TypeError.
 */
export function bind<T extends Record<string, unknown>>(fn: string, args: unknown[], kw: Kwargs, spec: T): { [K in keyof T]: unknown } {
  const names = Object.keys(spec);
  if (args.length > names.length) {
    throw new JinjaError(`${fn}() takes ${names.length + 1} positional arguments but ${args.length + 1} were given`);
  }
  const out: Record<string, unknown> = {};
  names.forEach((n, i) => {
    if (i < args.length) {
      if (Object.hasOwn(kw, n)) throw new JinjaError(`${fn}() got multiple values for argument '${n}'`);
      out[n] = args[i];
    } else if (Object.hasOwn(kw, n)) out[n] = kw[n];
    else if (spec[n] === REQUIRED) throw new JinjaError(`${fn}() missing required argument: '${n}'`);
    else out[n] = spec[n];
  });
  for (const k of Object.keys(kw)) if (!names.includes(k)) throw new JinjaError(`${fn}() got an unexpected keyword argument '${k}'`);
  return out as { [K in keyof T]: unknown };
}

/** Text of a value the way Jinja2 filters call str() on it. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : pyStr(v));

/** A list of the items of any iterable (Jinja2 filters accept strings and dicts wherever they iterate). */
export const toList = (v: unknown): unknown[] => [...iterate(v)];

/** Python int(): truncating numbers, parsing strings in a base; undefined when it does not convert. */
export function toInt(v: unknown, base = 10): number | undefined {
  if (typeof v === 'string') {
    let s = v.trim().replace(/_/g, '').toLowerCase();
    const neg = s.startsWith('-');
    if (neg || s.startsWith('+')) s = s.slice(1);
    const prefix: Record<number, string> = { 16: '0x', 8: '0o', 2: '0b' };
    if (base === 0) {
      const m = /^0([xob])/.exec(s);
      base = m ? { x: 16, o: 8, b: 2 }[m[1] as 'x' | 'o' | 'b'] : 10;
    }
    if (prefix[base] && s.startsWith(prefix[base])) s = s.slice(2);
    const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
    if (s === '' || [...s].some((c) => !digits.includes(c))) {
      const f = base === 10 ? toNumber(v) : undefined;
      return f === undefined ? undefined : Math.trunc(f);
    }
    const n = Number.parseInt(s, base);
    return neg ? -n : n;
  }
  const n = toNumber(v);
  return n === undefined ? undefined : Math.trunc(n);
}

/** A number argument (width, count…), failing like Python's TypeError when it is not one. */
export function num(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new JinjaError(`${what}: '${pyType(v)}' object cannot be interpreted as an integer`);
}

/** Jinja2's make_attrgetter: `attribute='a.b'` on each item, with an optional default for Undefined. */
export function attrGetter(env: CallEnv, attribute: unknown, dflt?: unknown): (v: unknown) => unknown {
  if (attribute === null || attribute === undefined) return (v) => v;
  const name = String(attribute);
  return (v) => {
    const r = env.attr(v, name);
    if (isUndefined(r)) return dflt !== undefined ? dflt : r;
    return r;
  };
}

/** Lowercases strings for case-insensitive comparisons (Jinja2's ignore_case). */
export const fold = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

/** A registered filter applied to each item with the remaining arguments (map/select/reject). */
export function applyNamed(env: CallEnv, kind: 'filter' | 'test', args: unknown[], kw: Kwargs): (v: unknown) => unknown {
  const [name, ...rest] = args;
  if (typeof name !== 'string') throw new JinjaError(`${kind} name must be a string, got ${pyType(name)}`);
  return kind === 'filter' ? (v) => env.filter(name, v, rest, kw) : (v) => env.test(name, v, rest, kw);
}

/** A dict argument, failing with Python's wording otherwise. */
export function mapping(v: unknown, fn: string): Record<string, unknown> {
  if (isMapping(v)) return v;
  throw new JinjaError(`${fn} expects a dictionary, got ${pyType(v)}`);
}

/** Fails on Undefined, for the few filters that would otherwise pass it through silently. */
export function notUndefined(v: unknown): void {
  if (v instanceof Undefined) v.fail();
}

export type FilterTable = Record<string, FilterFn>;

/** Python json.dumps: sort_keys, ensure_ascii and indent as Python spells them (', ' and ': ' separators inline). */
export function pyJson(v: unknown, opts: { indent?: number | string | null; sortKeys?: boolean; ensureAscii?: boolean } = {}): string {
  const ind =
    opts.indent === null || opts.indent === undefined ? null : typeof opts.indent === 'number' ? ' '.repeat(opts.indent) : opts.indent;
  const itemSep = ind === null ? ', ' : ',';
  const quote = (s: string) => {
    let out = '"';
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      if (ch === '"') out += '\\"';
      else if (ch === '\\') out += '\\\\';
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else if (c < 0x20 || (opts.ensureAscii !== false && c > 0x7e)) {
        for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
      } else out += ch;
    }
    return `${out}"`;
  };
  const walk = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return 'null';
    if (isUndefined(x)) x.fail();
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (typeof x === 'number') return Number.isNaN(x) ? 'NaN' : Number.isFinite(x) ? pyStr(x) : x > 0 ? 'Infinity' : '-Infinity';
    if (typeof x === 'string') return quote(x);
    let parts: string[];
    let open: string;
    let close: string;
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      parts = x.map((i) => walk(i, depth + 1));
      [open, close] = ['[', ']'];
    } else if (isMapping(x)) {
      const keys = Object.keys(x);
      if (keys.length === 0) return '{}';
      if (opts.sortKeys) keys.sort();
      parts = keys.map((k) => `${quote(k)}: ${walk(x[k], depth + 1)}`);
      [open, close] = ['{', '}'];
    } else throw new JinjaError(`Object of type ${pyType(x)} is not JSON serializable`);
    if (ind === null) return open + parts.join(itemSep) + close;
    const pad = `\n${ind.repeat(depth + 1)}`;
    return open + pad + parts.join(itemSep + pad) + `\n${ind.repeat(depth)}` + close;
  };
  return walk(v, 0);
}

/** Python's str.splitlines() line breaks. */
export const LINE_BREAKS = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** A deterministic PRNG for seeded random/shuffle (mulberry32 over an FNV-1a hash of str(seed)); not Python's sequence. */
export function seededRandom(seed: unknown): () => number {
  if (seed === null || seed === undefined) return Math.random;
  let h = 0x811c9dc5;
  for (const ch of str(seed)) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
