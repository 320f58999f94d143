// The Python methods Ansible users call on strings, lists and dicts (x.startswith('a'), d.get('k', 1), d.items()).
import { isMapping, JinjaError, type Kwargs, pyEq, pyStr, pyType, toNumber, tuple } from './values.js';

type Method = (self: never, args: unknown[], kw: Kwargs) => unknown;

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw new JinjaError(`${what} must be str, not ${pyType(v)}`);
  return v;
};
const int = (v: unknown, dflt: number): number => (v === undefined || v === null ? dflt : (toNumber(v) ?? dflt));
const stripChars = (chars: unknown) => (chars === undefined || chars === null ? '\\s' : String(chars).replace(/[\\\]^-]/g, '\\$&'));

/** Python str.split: no separator splits on runs of whitespace and drops empty ends. */
export function pySplit(s: string, sep: unknown, maxsplit = -1): string[] {
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest) {
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const d = str(sep, 'separator');
  if (d === '') throw new JinjaError('empty separator');
  const parts = s.split(d);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(d)];
}

function prefixes(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => str(x, 'prefix')) : [str(v, 'prefix')];
}

/** str.format with {} / {0} / {name} fields (no format specs beyond plain substitution). */
function strFormat(s: string, args: unknown[], kw: Kwargs): string {
  let auto = 0;
  return s.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const name = (field ?? '').split(/[:!]/)[0];
    if (name === '') return pyStr(args[auto++]);
    if (/^\d+$/.test(name)) return pyStr(args[Number(name)]);
    return pyStr(kw[name]);
  });
}

const STR: Record<string, (s: string, a: unknown[], kw: Kwargs) => unknown> = {
  startswith: (s, [p]) => prefixes(p).some((x) => s.startsWith(x)),
  endswith: (s, [p]) => prefixes(p).some((x) => s.endsWith(x)),
  split: (s, [sep, max], kw) => pySplit(s, sep ?? kw.sep, int(max ?? kw.maxsplit, -1)),
  rsplit: (s, [sep, max]) => {
    const m = int(max, -1);
    if (m < 0) return pySplit(s, sep);
    const r = pySplit([...s].reverse().join(''), typeof sep === 'string' ? [...sep].reverse().join('') : sep, m);
    return r.map((x) => [...x].reverse().join('')).reverse();
  },
  splitlines: (s) => s.split(/\r\n|\r|\n/).filter((x, i, all) => !(i === all.length - 1 && x === '')),
  strip: (s, [c]) => s.replace(new RegExp(`^[${stripChars(c)}]+|[${stripChars(c)}]+$`, 'g'), ''),
  lstrip: (s, [c]) => s.replace(new RegExp(`^[${stripChars(c)}]+`), ''),
  rstrip: (s, [c]) => s.replace(new RegExp(`[${stripChars(c)}]+$`), ''),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  title: (s) => s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_, a, b) => a + b.toUpperCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  replace: (s, [a, b, c]) => {
    const n = int(c, -1);
    const parts = s.split(str(a, 'old'));
    if (n < 0 || parts.length <= n + 1) return parts.join(str(b, 'new'));
    return parts.slice(0, n + 1).join(str(b, 'new')) + str(a, 'old') + parts.slice(n + 1).join(str(a, 'old'));
  },
  find: (s, [x]) => s.indexOf(str(x, 'sub')),
  rfind: (s, [x]) => s.lastIndexOf(str(x, 'sub')),
  index: (s, [x]) => {
    const i = s.indexOf(str(x, 'sub'));
    if (i < 0) throw new JinjaError('substring not found');
    return i;
  },
  count: (s, [x]) => (str(x, 'sub') === '' ? s.length + 1 : s.split(x as string).length - 1),
  join: (s, [xs]) => {
    if (!Array.isArray(xs)) throw new JinjaError(`can only join an iterable, not ${pyType(xs)}`);
    return xs.map((x) => str(x, 'sequence item')).join(s);
  },
  format: (s, a, kw) => strFormat(s, a, kw),
  isdigit: (s) => /^\d+$/.test(s),
  isnumeric: (s) => /^\d+$/.test(s),
  isdecimal: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^[A-Za-z]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9]+$/.test(s),
  isspace: (s) => /^\s+$/.test(s),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  zfill: (s, [w]) => (s.startsWith('-') || s.startsWith('+') ? s[0] + s.slice(1).padStart(int(w, 0) - 1, '0') : s.padStart(int(w, 0), '0')),
  ljust: (s, [w, f]) => s.padEnd(int(w, 0), (f as string) ?? ' '),
  rjust: (s, [w, f]) => s.padStart(int(w, 0), (f as string) ?? ' '),
  center: (s, [w, f]) => {
    const total = int(w, 0) - s.length;
    if (total <= 0) return s;
    const left = Math.floor(total / 2) + (total % 2 && int(w, 0) % 2 ? 1 : 0);
    return ((f as string) ?? ' ').repeat(left) + s + ((f as string) ?? ' ').repeat(total - left);
  },
  partition: (s, [sep]) => {
    const i = s.indexOf(str(sep, 'sep'));
    return i < 0 ? [s, '', ''] : [s.slice(0, i), sep, s.slice(i + (sep as string).length)];
  },
  rpartition: (s, [sep]) => {
    const i = s.lastIndexOf(str(sep, 'sep'));
    return i < 0 ? ['', '', s] : [s.slice(0, i), sep, s.slice(i + (sep as string).length)];
  },
  encode: (s) => s,
  decode: (s) => s,
};

const LIST: Record<string, (l: unknown[], a: unknown[], kw: Kwargs) => unknown> = {
  index: (l, [x]) => {
    const i = l.findIndex((e) => pyEq(e, x));
    if (i < 0) throw new JinjaError(`${pyStr(x)} is not in list`);
    return i;
  },
  count: (l, [x]) => l.filter((e) => pyEq(e, x)).length,
  append: (l, [x]) => {
    l.push(x);
    return null;
  },
  extend: (l, [xs]) => {
    l.push(...(Array.isArray(xs) ? xs : []));
    return null;
  },
  insert: (l, [i, x]) => {
    l.splice(int(i, 0), 0, x);
    return null;
  },
  pop: (l, [i]) => {
    if (!l.length) throw new JinjaError('pop from empty list');
    const at = i === undefined ? l.length - 1 : int(i, 0) < 0 ? l.length + int(i, 0) : int(i, 0);
    return l.splice(at, 1)[0];
  },
  remove: (l, [x]) => {
    const i = l.findIndex((e) => pyEq(e, x));
    if (i < 0) throw new JinjaError('list.remove(x): x not in list');
    l.splice(i, 1);
    return null;
  },
  reverse: (l) => {
    l.reverse();
    return null;
  },
  copy: (l) => [...l],
};

const DICT: Record<string, (d: Record<string, unknown>, a: unknown[], kw: Kwargs) => unknown> = {
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  items: (d) => Object.entries(d).map((kv) => tuple(kv)),
  get: (d, [k, dflt]) => (Object.hasOwn(d, String(k)) ? d[String(k)] : (dflt ?? null)),
  copy: (d) => ({ ...d }),
  update: (d, [other], kw) => {
    Object.assign(d, isMapping(other) ? other : {}, kw);
    return null;
  },
  pop: (d, [k, dflt]) => {
    const key = String(k);
    if (!Object.hasOwn(d, key)) {
      if (dflt === undefined) throw new JinjaError(`KeyError: ${pyStr(k)}`);
      return dflt;
    }
    const v = d[key];
    delete d[key];
    return v;
  },
  setdefault: (d, [k, dflt]) => {
    const key = String(k);
    if (!Object.hasOwn(d, key)) d[key] = dflt ?? null;
    return d[key];
  },
};

/** The bound method `obj.name`, or undefined when Python has no such method on that type. */
export function methodOf(obj: unknown, name: string): ((args: unknown[], kw: Kwargs) => unknown) | undefined {
  let table: Record<string, Method> | undefined;
  if (typeof obj === 'string') table = STR as Record<string, Method>;
  else if (Array.isArray(obj)) table = LIST as Record<string, Method>;
  else if (isMapping(obj)) table = DICT as Record<string, Method>;
  const m = table && Object.hasOwn(table, name) ? table[name] : undefined;
  return m && ((args, kw) => m(obj as never, args, kw));
}
