// Every test the Jinja engine knows (`x is name`): Jinja2's builtins and Ansible's (results, versions, sets, paths).
import { existsSync, lstatSync, statSync } from 'node:fs';
import { FILTERS } from './filters.js';
import { pyRegex } from './filters-regex.js';
import { bind, REQUIRED, str } from './filters-util.js';
import { VERSION_TYPES } from './versions.js';
import type { TestFn } from './types.js';
import { isMapping, isUndefined, iterate, JinjaError, type Kwargs, pyCompare, pyEq, pyRepr, pyType, truthy } from './values.js';

const OPS: Record<string, string> = {
  '==': 'eq',
  '=': 'eq',
  eq: 'eq',
  '<': 'lt',
  lt: 'lt',
  '<=': 'le',
  le: 'le',
  '>': 'gt',
  gt: 'gt',
  '>=': 'ge',
  ge: 'ge',
  '!=': 'ne',
  '<>': 'ne',
  ne: 'ne',
};

function versionCompare(value: unknown, args: unknown[], kw: Kwargs): boolean {
  const p = bind('version', args, kw, { version: REQUIRED, operator: 'eq', strict: null, version_type: null });
  if (p.strict !== null && p.version_type !== null) throw new JinjaError("Cannot specify both 'strict' and 'version_type'");
  if (!truthy(value)) throw new JinjaError('Input version value cannot be empty');
  if (!truthy(p.version)) throw new JinjaError('Version parameter to compare against cannot be empty');
  const type = p.version_type === null ? (truthy(p.strict) ? 'strict' : 'loose') : str(p.version_type);
  const key = VERSION_TYPES[type];
  if (!key) throw new JinjaError(`Invalid version type (${type}). Must be one of ${Object.keys(VERSION_TYPES).map(pyRepr).join(', ')}`);
  const op = OPS[str(p.operator)];
  if (!op) throw new JinjaError(`Invalid operator type (${str(p.operator)}). Must be one of ${Object.keys(OPS).map(pyRepr).join(', ')}`);
  let c: number;
  try {
    c = pyCompare(key(str(value)), key(str(p.version)));
  } catch (e) {
    if (e instanceof JinjaError && e.message.startsWith('Version comparison failed')) throw e;
    throw new JinjaError(`Version comparison failed: ${(e as Error).message}`);
  }
  return { eq: c === 0, ne: c !== 0, lt: c < 0, le: c <= 0, gt: c > 0, ge: c >= 0 }[op]!;
}

function result(test: string, v: unknown): Record<string, unknown> {
  if (isMapping(v)) return v;
  throw new JinjaError(`The '${test}' test expects a dictionary`);
}

/** `x in seq`: substring for strings, key for dicts, == membership for lists. */
export function pyIn(x: unknown, seq: unknown): boolean {
  if (typeof seq === 'string') {
    if (typeof x !== 'string') throw new JinjaError(`'in <string>' requires string as left operand, not ${pyType(x)}`);
    return seq.includes(x);
  }
  if (isMapping(seq)) return typeof x === 'string' && Object.hasOwn(seq, x);
  return iterate(seq).some((y) => pyEq(x, y));
}

/** Ansible's strict boolean() for truthy(convert_bool=True); undefined when the value is not a boolean word. */
function ansibleBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const x = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (['y', 'yes', 'on', '1', 'true', 't', 1].includes(x as string)) return true;
  if (['n', 'no', 'off', '0', 'false', 'f', 0].includes(x as string) || x === null || x === '') return false;
  return undefined;
}

function regexTest(type: string): TestFn {
  return (_e, v, args, kw) => {
    const p = bind(
      type,
      args,
      kw,
      type === 'regex'
        ? { pattern: '', ignorecase: false, multiline: false, match_type: 'search' }
        : { pattern: '', ignorecase: false, multiline: false },
    );
    const how = type === 'regex' ? str(p.match_type) : type;
    const s = str(v);
    if (how === 'search') return pyRegex(p.pattern, p).test(s);
    if (how !== 'match' && how !== 'fullmatch') throw new JinjaError(`regex: unknown match_type '${how}'`);
    const re = pyRegex(p.pattern, { ...p, sticky: true });
    const m = re.exec(s);
    return m !== null && (how === 'match' || m[0].length === s.length);
  };
}

function pathTest(check: (p: string) => boolean): TestFn {
  return (_e, v) => {
    try {
      return check(str(v));
    } catch {
      return false;
    }
  };
}

const cmp =
  (test: (c: number) => boolean): TestFn =>
  (_e, v, [other]) =>
    test(pyCompare(v, other));

const isSet = (a: unknown, b: unknown) => iterate(a).every((x) => pyIn(x, Array.isArray(b) ? b : iterate(b)));

/** The tests by name. */
export const TESTS: Record<string, TestFn> = {
  defined: (_e, v) => !isUndefined(v),
  undefined: (_e, v) => isUndefined(v),
  none: (_e, v) => v === null,
  boolean: (_e, v) => typeof v === 'boolean',
  true: (_e, v) => v === true,
  false: (_e, v) => v === false,
  string: (_e, v) => typeof v === 'string',
  number: (_e, v) => typeof v === 'number' || typeof v === 'boolean',
  integer: (_e, v) => typeof v === 'number' && Number.isInteger(v),
  float: (_e, v) => typeof v === 'number' && !Number.isInteger(v),
  mapping: (_e, v) => isMapping(v),
  iterable: (_e, v) => typeof v === 'string' || Array.isArray(v) || isMapping(v),
  sequence: (_e, v) => typeof v === 'string' || Array.isArray(v) || isMapping(v),
  callable: (_e, v) =>
    typeof v === 'function' || (v !== null && typeof v === 'object' && typeof (v as { call?: unknown }).call === 'function'),
  sameas: (_e, v, [other]) => Object.is(v, other),
  eq: (_e, v, [other]) => pyEq(v, other),
  ne: (_e, v, [other]) => !pyEq(v, other),
  lt: cmp((c) => c < 0),
  le: cmp((c) => c <= 0),
  gt: cmp((c) => c > 0),
  ge: cmp((c) => c >= 0),
  in: (_e, v, [seq]) => pyIn(v, seq),
  divisibleby: (_e, v, [n]) => {
    if (typeof v !== 'number' || typeof n !== 'number')
      throw new JinjaError(`unsupported operand type(s) for %: '${pyType(v)}' and '${pyType(n)}'`);
    if (n === 0) throw new JinjaError('integer division or modulo by zero');
    return v % n === 0;
  },
  even: (_e, v) => Number(v) % 2 === 0,
  odd: (_e, v) => Math.abs(Number(v) % 2) === 1,
  lower: (_e, v) => {
    const s = str(v);
    return s !== s.toUpperCase() && s === s.toLowerCase();
  },
  upper: (_e, v) => {
    const s = str(v);
    return s !== s.toLowerCase() && s === s.toUpperCase();
  },
  escaped: () => false,
  filter: (_e, v) => typeof v === 'string' && Object.hasOwn(FILTERS, v),
  test: (_e, v) => typeof v === 'string' && Object.hasOwn(TESTS, v),
  match: regexTest('match'),
  search: regexTest('search'),
  regex: regexTest('regex'),
  version: (_e, v, args, kw) => versionCompare(v, args, kw),
  subset: (_e, v, [b]) => isSet(v, b),
  superset: (_e, v, [b]) => isSet(b, v),
  contains: (_e, v, [x]) => pyIn(x, v),
  any: (_e, v) => iterate(v).some(truthy),
  all: (_e, v) => iterate(v).every(truthy),
  abs: (_e, v) => str(v).startsWith('/'),
  changed: (_e, v) => {
    const r = result('changed', v);
    if (Object.hasOwn(r, 'changed')) return truthy(r.changed);
    return Array.isArray(r.results) && isMapping(r.results[0]) && r.results.some((x) => isMapping(x) && truthy(x.changed ?? false));
  },
  failed: (_e, v) => truthy(result('failed', v).failed ?? false),
  succeeded: (_e, v) => !truthy(result('succeeded', v).failed ?? false),
  skipped: (_e, v) => truthy(result('skipped', v).skipped ?? false),
  unreachable: (_e, v) => truthy(result('unreachable', v).unreachable ?? false),
  reachable: (_e, v) => !truthy(result('reachable', v).unreachable ?? false),
  finished: (_e, v) => {
    const r = result('finished', v);
    return Object.hasOwn(r, 'finished') ? pyEq(r.finished, 1) : true;
  },
  started: (_e, v) => {
    const r = result('started', v);
    return Object.hasOwn(r, 'started') ? pyEq(r.started, 1) : true;
  },
  truthy: (_e, v, args, kw) => {
    const p = bind('truthy', args, kw, { convert_bool: false });
    return truthy(truthy(p.convert_bool) ? (ansibleBoolean(v) ?? v) : v);
  },
  falsy: (env, v, args, kw) => !TESTS.truthy(env, v, args, kw),
  nan: (_e, v) => typeof v === 'number' && Number.isNaN(v),
  vault_encrypted: (_e, v) => typeof v === 'string' && v.startsWith('$ANSIBLE_VAULT;'),
  file: pathTest((p) => statSync(p).isFile()),
  directory: pathTest((p) => statSync(p).isDirectory()),
  link: pathTest((p) => lstatSync(p).isSymbolicLink()),
  exists: pathTest((p) => existsSync(p)),
  same_file: (_e, v, [other]) => {
    try {
      const [a, b] = [statSync(str(v)), statSync(str(other))];
      return a.dev === b.dev && a.ino === b.ino;
    } catch {
      return false;
    }
  },
};
const aliases: Record<string, string> = {
  '==': 'eq',
  equalto: 'eq',
  '!=': 'ne',
  '<': 'lt',
  lessthan: 'lt',
  '<=': 'le',
  '>': 'gt',
  greaterthan: 'gt',
  '>=': 'ge',
  version_compare: 'version',
  success: 'succeeded',
  successful: 'succeeded',
  issubset: 'subset',
  issuperset: 'superset',
  isnan: 'nan',
  is_abs: 'abs',
  is_file: 'file',
  is_dir: 'directory',
  is_link: 'link',
};
for (const [a, t] of Object.entries(aliases)) TESTS[a] = TESTS[t];
