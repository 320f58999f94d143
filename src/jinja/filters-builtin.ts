// Jinja2 3.x's builtin filters, with the Python semantics Ansible users rely on (generators are returned as lists).
import { formatArgs, percentFormat, pyRound } from './filters-format.js';
import {
  applyNamed,
  attrGetter,
  bind,
  type FilterTable,
  fold,
  LINE_BREAKS,
  num,
  pyJson,
  REQUIRED,
  str,
  toInt,
  toList,
} from './filters-util.js';
import type { CallEnv } from './types.js';
import {
  isMapping,
  isUndefined,
  iterate,
  JinjaError,
  type Kwargs,
  pyCompare,
  pyEq,
  pyRepr,
  pyType,
  toNumber,
  truthy,
  tuple,
  Undefined,
} from './values.js';

/** markupsafe.escape, including its &#34; and &#39; spellings. */
export function htmlEscape(v: unknown): string {
  return str(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);
}

function htmlUnescape(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return named[e.toLowerCase()] ?? m;
  });
}

/** pprint.pformat for values that fit one line: repr with dict keys sorted. */
function pformat(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pformat).join(', ')}]`;
  if (isMapping(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${pyRepr(k)}: ${pformat(v[k])}`).join(', ')}}`;
  }
  return pyRepr(v);
}

/** Python's sorted(): stable, ordering keys with pyCompare. */
export function sortBy<T>(items: T[], key: (v: T) => unknown, reverse = false): T[] {
  const keyed = items.map((v) => ({ v, k: key(v) }));
  keyed.sort((a, b) => (reverse ? pyCompare(b.k, a.k) : pyCompare(a.k, b.k)));
  return keyed.map((x) => x.v);
}

/** Jinja2's sort/min/max key: one or more comma-separated attributes, lowercased unless case_sensitive. */
function sortKey(env: CallEnv, attribute: unknown, caseSensitive: unknown): (v: unknown) => unknown {
  const post = (x: unknown) => (truthy(caseSensitive) ? x : fold(x));
  if (attribute === null || attribute === undefined) return post;
  const parts = typeof attribute === 'string' ? attribute.split(',') : [attribute];
  const getters = parts.map((p) => attrGetter(env, p));
  const one = (g: (v: unknown) => unknown) => (v: unknown) => {
    const r = g(v);
    if (isUndefined(r)) r.fail();
    return post(r);
  };
  if (getters.length === 1) return one(getters[0]);
  return (v) => getters.map((g) => one(g)(v));
}

function minMax(name: string, which: 1 | -1) {
  return (env: CallEnv, v: unknown, args: unknown[], kw: Kwargs) => {
    const p = bind(name, args, kw, { case_sensitive: false, attribute: null });
    const items = toList(v);
    if (!items.length) return new Undefined('No aggregated item, sequence was empty.', name);
    const key = sortKey(env, p.attribute, p.case_sensitive);
    return items.reduce((best, x) => (pyCompare(key(x), key(best)) * which > 0 ? x : best));
  };
}

function selectOrReject(kind: 'select' | 'reject', byAttr: boolean) {
  return (env: CallEnv, v: unknown, args: unknown[], kw: Kwargs) => {
    let get = (x: unknown) => x;
    let rest = args;
    if (byAttr) {
      if (!args.length) throw new JinjaError('Missing parameter for attribute name');
      get = attrGetter(env, args[0]);
      rest = args.slice(1);
    }
    const test = rest.length ? applyNamed(env, 'test', rest, kw) : (x: unknown) => truthy(x);
    const want = kind === 'select';
    return toList(v).filter((x) => Boolean(test(get(x))) === want);
  };
}

/** Python's textwrap.wrap with expand_tabs and replace_whitespace off, as wordwrap calls it. */
function textWrap(text: string, width: number, breakLong: boolean, breakHyphens: boolean): string[] {
  const chunks: string[] = [];
  for (const c of text.split(/(\s+)/)) {
    if (!c) continue;
    if (breakHyphens && /\S/.test(c)) chunks.push(...c.split(/(?<=[^\W\d_]-)(?=[^\W\d_])/u));
    else chunks.push(c);
  }
  chunks.reverse();
  const lines: string[] = [];
  const blank = (s: string) => s.trim() === '';
  while (chunks.length) {
    const cur: string[] = [];
    let len = 0;
    if (lines.length && blank(chunks[chunks.length - 1])) chunks.pop();
    while (chunks.length) {
      const l = chunks[chunks.length - 1].length;
      if (len + l > width) break;
      cur.push(chunks.pop()!);
      len += l;
    }
    if (chunks.length && chunks[chunks.length - 1].length > width) {
      const space = Math.max(width - len, 1);
      if (breakLong) {
        const c = chunks.pop()!;
        cur.push(c.slice(0, space));
        chunks.push(c.slice(space));
      } else if (!cur.length) cur.push(chunks.pop()!);
    }
    if (cur.length && blank(cur[cur.length - 1])) cur.pop();
    if (cur.length) lines.push(cur.join(''));
  }
  return lines;
}

/** urllib.parse.quote over UTF-8 bytes: only letters, digits, _.-~ and the safe characters stay. */
export function urlQuote(v: unknown, safe: string, plus = false): string {
  let out = '';
  for (const b of Buffer.from(str(v), 'utf8')) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9_.\-~]/.test(ch) || safe.includes(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return plus ? out.replace(/%20/g, '+') : out;
}

function strip(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === null || chars === undefined) return left && right ? s.trim() : left ? s.trimStart() : s.trimEnd();
  const set = [...str(chars)];
  const cs = [...s];
  let a = 0;
  let b = cs.length;
  while (left && a < b && set.includes(cs[a])) a++;
  while (right && b > a && set.includes(cs[b - 1])) b--;
  return cs.slice(a, b).join('');
}

function pyFloat(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(t)) return Number.NaN;
  }
  return toNumber(v);
}

/** The builtin filters by name. */
export const BUILTIN_FILTERS: FilterTable = {
  abs: (_e, v) => {
    if (typeof v === 'number' || typeof v === 'boolean') return Math.abs(Number(v));
    throw new JinjaError(`bad operand type for abs(): '${pyType(v)}'`);
  },
  // Jinja2's attr() reads Python attributes only: a dict's keys are not attributes.
  attr: (env, v, args, kw) => {
    const name = str(bind('attr', args, kw, { name: REQUIRED }).name);
    return isMapping(v) ? new Undefined(`'dict object' has no attribute '${name}'`, name) : env.attr(v, name);
  },
  batch: (_e, v, args, kw) => {
    const p = bind('batch', args, kw, { linecount: REQUIRED, fill_with: null });
    const n = num(p.linecount, 'batch');
    const items = toList(v);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
    const last = out[out.length - 1];
    if (last && p.fill_with !== null && last.length < n) last.push(...Array(n - last.length).fill(p.fill_with));
    return out;
  },
  capitalize: (_e, v) => {
    const s = str(v);
    return s.slice(0, 1).toUpperCase() + s.slice(1).toLowerCase();
  },
  center: (_e, v, args, kw) => {
    const s = str(v);
    const width = num(bind('center', args, kw, { width: 80 }).width, 'center');
    const marg = width - s.length;
    if (marg <= 0) return s;
    const left = Math.floor(marg / 2) + (marg & width & 1);
    return ' '.repeat(left) + s + ' '.repeat(marg - left);
  },
  default: (_e, v, args, kw) => {
    const p = bind('default', args, kw, { default_value: '', boolean: false });
    if (isUndefined(v) || (truthy(p.boolean) && !truthy(v))) return p.default_value;
    return v;
  },
  dictsort: (_e, v, args, kw) => {
    const p = bind('dictsort', args, kw, { case_sensitive: false, by: 'key', reverse: false });
    if (!isMapping(v)) throw new JinjaError('dictsort: can only sort a mapping');
    if (p.by !== 'key' && p.by !== 'value') throw new JinjaError('You can only sort by either "key" or "value"');
    const pos = p.by === 'key' ? 0 : 1;
    const key = (pair: unknown[]) => (truthy(p.case_sensitive) ? pair[pos] : fold(pair[pos]));
    return sortBy(Object.entries(v), key, truthy(p.reverse)).map((kv) => tuple(kv));
  },
  escape: (_e, v) => htmlEscape(v),
  first: (_e, v) => {
    const items = iterate(v);
    return items.length ? items[0] : new Undefined('No first item, sequence was empty.', 'first');
  },
  float: (_e, v, args, kw) => {
    const p = bind('float', args, kw, { default: 0.0 });
    return pyFloat(v) ?? p.default;
  },
  forceescape: (_e, v) => htmlEscape(v),
  format: (_e, v, args, kw) => {
    const [pos, named] = formatArgs(args, kw);
    return percentFormat(str(v), pos, named);
  },
  groupby: (env, v, args, kw) => {
    const p = bind('groupby', args, kw, { attribute: REQUIRED, default: null, case_sensitive: false });
    const raw = attrGetter(env, p.attribute, p.default === null ? undefined : p.default);
    const get = (x: unknown) => {
      const r = raw(x);
      if (isUndefined(r)) r.fail();
      return r;
    };
    const key = (x: unknown) => (truthy(p.case_sensitive) ? get(x) : fold(get(x)));
    const out: [unknown, unknown[]][] = [];
    for (const x of sortBy(toList(v), key)) {
      const last = out[out.length - 1];
      if (last && pyEq(key(last[1][0]), key(x))) last[1].push(x);
      else out.push([get(x), [x]]);
    }
    return out;
  },
  indent: (_e, v, args, kw) => {
    const p = bind('indent', args, kw, { width: 4, first: false, blank: false });
    const ind = typeof p.width === 'string' ? p.width : ' '.repeat(num(p.width, 'indent'));
    const lines = `${str(v)}\n`.split(LINE_BREAKS);
    if (lines[lines.length - 1] === '') lines.pop();
    let rv: string;
    if (truthy(p.blank)) rv = lines.join(`\n${ind}`);
    else rv = [lines[0], ...lines.slice(1).map((l) => (l ? ind + l : l))].join('\n');
    return truthy(p.first) ? ind + rv : rv;
  },
  int: (_e, v, args, kw) => {
    const p = bind('int', args, kw, { default: 0, base: 10 });
    const base = num(p.base, 'int');
    if (typeof v === 'string') return toInt(v, base) ?? (base === 10 ? undefined : toInt(v)) ?? p.default;
    return toInt(v) ?? p.default;
  },
  items: (_e, v) => {
    if (isUndefined(v)) return [];
    if (!isMapping(v)) throw new JinjaError('Can only get item pairs from a mapping.');
    return Object.entries(v);
  },
  join: (env, v, args, kw) => {
    const p = bind('join', args, kw, { d: '', attribute: null });
    const items = toList(v).map(attrGetter(env, p.attribute));
    return items.map(str).join(str(p.d));
  },
  last: (_e, v) => {
    const items = iterate(v);
    return items.length ? items[items.length - 1] : new Undefined('No last item, sequence was empty.', 'last');
  },
  length: (_e, v) => {
    if (typeof v === 'string') return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (isMapping(v)) return Object.keys(v).length;
    throw new JinjaError(`object of type '${pyType(v)}' has no len()`);
  },
  list: (_e, v) => toList(v),
  lower: (_e, v) => str(v).toLowerCase(),
  map: (env, v, args, kw) => {
    const items = toList(v);
    if (!args.length && Object.hasOwn(kw, 'attribute')) {
      const { attribute, default: dflt, ...rest } = kw;
      const extra = Object.keys(rest);
      if (extra.length) throw new JinjaError(`Unexpected keyword argument '${extra[0]}'`);
      return items.map(attrGetter(env, attribute, dflt === null ? undefined : dflt));
    }
    if (!args.length) throw new JinjaError('map requires a filter argument');
    return items.map(applyNamed(env, 'filter', args, kw));
  },
  max: minMax('max', 1),
  min: minMax('min', -1),
  pprint: (_e, v) => pformat(v),
  reject: selectOrReject('reject', false),
  rejectattr: selectOrReject('reject', true),
  replace: (_e, v, args, kw) => {
    const p = bind('replace', args, kw, { old: REQUIRED, new: REQUIRED, count: null });
    const [s, o, n] = [str(v), str(p.old), str(p.new)];
    let count = p.count === null ? -1 : num(p.count, 'replace');
    if (count < 0) count = Number.POSITIVE_INFINITY;
    const parts = o === '' ? ['', ...[...s], ''] : s.split(o);
    let out = parts[0];
    for (let i = 1; i < parts.length; i++) out += (i <= count ? n : o) + parts[i];
    return out;
  },
  reverse: (_e, v) => (typeof v === 'string' ? [...v].reverse().join('') : [...iterate(v)].reverse()),
  round: (_e, v, args, kw) => {
    const p = bind('round', args, kw, { precision: 0, method: 'common' });
    const x = num(v, 'round');
    const prec = num(p.precision, 'round');
    if (p.method === 'common') return pyRound(x, prec);
    if (p.method !== 'ceil' && p.method !== 'floor') throw new JinjaError('method must be common, ceil or floor');
    const f = 10 ** prec;
    return Math[p.method](x * f) / f;
  },
  safe: (_e, v) => str(v),
  select: selectOrReject('select', false),
  selectattr: selectOrReject('select', true),
  slice: (_e, v, args, kw) => {
    const p = bind('slice', args, kw, { slices: REQUIRED, fill_with: null });
    const seq = toList(v);
    const slices = num(p.slices, 'slice');
    const per = Math.floor(seq.length / slices);
    const extra = seq.length % slices;
    let offset = 0;
    const out: unknown[][] = [];
    for (let i = 0; i < slices; i++) {
      const start = offset + i * per;
      if (i < extra) offset++;
      const tmp = seq.slice(start, offset + (i + 1) * per);
      if (p.fill_with !== null && i >= extra) tmp.push(p.fill_with);
      out.push(tmp);
    }
    return out;
  },
  sort: (env, v, args, kw) => {
    const p = bind('sort', args, kw, { reverse: false, case_sensitive: false, attribute: null });
    return sortBy(toList(v), sortKey(env, p.attribute, p.case_sensitive), truthy(p.reverse));
  },
  string: (_e, v) => str(v),
  striptags: (_e, v) => {
    const s = str(v)
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<[\s\S]*?>/g, '');
    return htmlUnescape(s.split(/\s+/).filter(Boolean).join(' '));
  },
  sum: (env, v, args, kw) => {
    const p = bind('sum', args, kw, { attribute: null, start: 0 });
    return toList(v)
      .map(attrGetter(env, p.attribute))
      .reduce((a: unknown, b) => {
        if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean'))
          return Number(a) + Number(b);
        if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
        throw new JinjaError(`unsupported operand type(s) for +: '${pyType(a)}' and '${pyType(b)}'`);
      }, p.start);
  },
  title: (_e, v) =>
    str(v)
      .split(/([-\s({[<]+)/)
      .filter(Boolean)
      .map((w) => w.slice(0, 1).toUpperCase() + w.slice(1).toLowerCase())
      .join(''),
  tojson: (_e, v, args, kw) => {
    const p = bind('tojson', args, kw, { indent: null });
    return pyJson(v, { indent: p.indent as number | null, sortKeys: true }).replace(
      /[<>&']/g,
      (c) => `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
  },
  trim: (_e, v, args, kw) => strip(str(v), bind('trim', args, kw, { chars: null }).chars, true, true),
  truncate: (_e, v, args, kw) => {
    const p = bind('truncate', args, kw, { length: 255, killwords: false, end: '...', leeway: 5 });
    const s = str(v);
    const [length, end, leeway] = [num(p.length, 'truncate'), str(p.end), num(p.leeway, 'truncate')];
    if (length < end.length) throw new JinjaError(`expected length >= ${end.length}, got ${length}`);
    if (leeway < 0) throw new JinjaError(`expected leeway >= 0, got ${leeway}`);
    if (s.length <= length + leeway) return s;
    if (truthy(p.killwords)) return s.slice(0, length - end.length) + end;
    const cut = s.slice(0, length - end.length);
    const sp = cut.lastIndexOf(' ');
    return (sp < 0 ? cut : cut.slice(0, sp)) + end;
  },
  unique: (env, v, args, kw) => {
    const p = bind('unique', args, kw, { case_sensitive: false, attribute: null });
    const get = attrGetter(env, p.attribute);
    const seen: unknown[] = [];
    return toList(v).filter((x) => {
      const k = truthy(p.case_sensitive) ? get(x) : fold(get(x));
      if (seen.some((s) => pyEq(s, k))) return false;
      seen.push(k);
      return true;
    });
  },
  upper: (_e, v) => str(v).toUpperCase(),
  urlencode: (_e, v) => {
    if (typeof v === 'string') return urlQuote(v, '/');
    const pairs = isMapping(v) ? Object.entries(v) : toList(v).map((x) => (Array.isArray(x) ? x : [x, '']));
    return pairs.map(([k, x]) => `${urlQuote(k, '', true)}=${urlQuote(x, '', true)}`).join('&');
  },
  wordcount: (_e, v) => (str(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length,
  wordwrap: (_e, v, args, kw) => {
    const p = bind('wordwrap', args, kw, { width: 79, break_long_words: true, wrapstring: null, break_on_hyphens: true });
    const ws = p.wrapstring === null ? '\n' : str(p.wrapstring);
    const width = num(p.width, 'wordwrap');
    return str(v)
      .split(LINE_BREAKS)
      .map((l) => textWrap(l, width, truthy(p.break_long_words), truthy(p.break_on_hyphens)).join(ws))
      .join(ws);
  },
  xmlattr: (_e, v, args, kw) => {
    const p = bind('xmlattr', args, kw, { autospace: true });
    if (!isMapping(v)) throw new JinjaError('xmlattr: expected a mapping');
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      if (x === null || isUndefined(x)) continue;
      if (/[\s/>=]/.test(k)) throw new JinjaError(`Invalid character in attribute name: '${k}'`);
      parts.push(`${htmlEscape(k)}="${htmlEscape(x)}"`);
    }
    const rv = parts.join(' ');
    return truthy(p.autospace) && rv ? ` ${rv}` : rv;
  },
};
BUILTIN_FILTERS.d = BUILTIN_FILTERS.default;
BUILTIN_FILTERS.e = BUILTIN_FILTERS.escape;
BUILTIN_FILTERS.count = BUILTIN_FILTERS.length;
