// The Jinja filters (`x | length`) and tests (`x is changed`) that expressions may use.
import { overlaps, parseCidr } from '../template/cidr.js';
import { pyString, truthy, typeName } from './values.js';

/** Thrown while evaluating; eval.ts adds the expression and location. */
export class EvalFailure extends Error {
  constructor(
    message: string,
    /** Set when a name is missing, so the caller can suggest a near name and a guard. */
    readonly missing?: { path: string; root: boolean },
  ) {
    super(message);
  }
}

type Filter = (value: unknown, ...args: unknown[]) => unknown;

function str(v: unknown): string {
  return typeof v === 'string' ? v : pyString(v);
}

function seq(name: string, v: unknown): unknown[] | string {
  if (Array.isArray(v) || typeof v === 'string') return v;
  throw new EvalFailure(`filter "${name}" needs a list or string, got ${typeName(v)}`);
}

function toNumber(v: unknown, fallback: unknown, integer: boolean): unknown {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'boolean') n = v ? 1 : 0;
  else if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v)) n = Number(v);
  else return fallback;
  return integer ? Math.trunc(n) : n;
}

/** Filters by name, as registered with jexl's addTransform. */
export const FILTERS: Record<string, Filter> = {
  length: (v) => {
    if (Array.isArray(v) || typeof v === 'string') return v.length;
    if (v !== null && typeof v === 'object') return Object.keys(v).length;
    throw new EvalFailure(`filter "length" needs a list, string or mapping, got ${typeName(v)}`);
  },
  int: (v, fallback = 0) => toNumber(v, fallback, true),
  float: (v, fallback = 0) => toNumber(v, fallback, false),
  bool: (v) => {
    if (typeof v === 'string') return ['yes', 'on', '1', 'true', 'y'].includes(v.trim().toLowerCase());
    return v === true || v === 1;
  },
  string: (v) => str(v),
  lower: (v) => str(v).toLowerCase(),
  upper: (v) => str(v).toUpperCase(),
  trim: (v) => str(v).trim(),
  default: (v, fallback = '', falsy = false) => (v === undefined || (falsy === true && !truthy(v)) ? fallback : v),
  first: (v) => seq('first', v)[0],
  last: (v) => {
    const s = seq('last', v);
    return s[s.length - 1];
  },
  join: (v, sep = '') => {
    if (!Array.isArray(v)) throw new EvalFailure(`filter "join" needs a list, got ${typeName(v)}`);
    return v.map(str).join(str(sep));
  },
  split: (v, sep) => {
    const s = str(v);
    return sep === undefined || sep === null ? s.split(/\s+/).filter(Boolean) : s.split(str(sep));
  },
  replace: (v, from, to = '') => str(v).split(str(from)).join(str(to)),
  // `hostvars | subnet_overlaps(groups.mesh, inventory_hostname, 'docker_subnet')`: the other hosts whose prefix overlaps mine.
  subnet_overlaps: (hv, hosts, me, key) => {
    const vars = (h: unknown) => ((hv ?? {}) as Record<string, Record<string, unknown>>)[str(h)] ?? {};
    const cidrOf = (h: unknown) => {
      const v = vars(h)[str(key)];
      if (v === undefined) return undefined;
      const c = parseCidr(v);
      if (typeof c === 'string') throw new EvalFailure(`subnet_overlaps: host ${str(h)}: ${str(key)} ${c}`);
      return c;
    };
    const mine = cidrOf(me);
    if (!mine || !Array.isArray(hosts)) return [];
    return hosts.filter((h) => str(h) !== str(me)).filter((h) => {
      const c = cidrOf(h);
      return c !== undefined && overlaps(mine, c);
    });
  },
};
FILTERS.d = FILTERS.default;
FILTERS.count = FILTERS.length;

function result(test: string, v: unknown): Record<string, unknown> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new EvalFailure(`"is ${test}" needs a registered task result, got ${typeName(v)}`);
}

function regex(test: string, pattern: unknown): RegExp {
  try {
    return new RegExp(str(pattern));
  } catch (e) {
    throw new EvalFailure(`"is ${test}": bad regular expression: ${(e as Error).message}`);
  }
}

type Test = (value: unknown, ...args: unknown[]) => boolean;

/** Jinja/Ansible tests by name (`x is <name>`). */
export const TESTS: Record<string, Test> = {
  defined: (v) => v !== undefined,
  undefined: (v) => v === undefined,
  none: (v) => v === null,
  changed: (v) => truthy(result('changed', v).changed),
  failed: (v) => truthy(result('failed', v).failed),
  succeeded: (v) => !truthy(result('succeeded', v).failed),
  skipped: (v) => truthy(result('skipped', v).skipped),
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  mapping: (v) => typeName(v) === 'mapping',
  sequence: (v) => Array.isArray(v) || typeof v === 'string',
  truthy: (v) => truthy(v),
  falsy: (v) => !truthy(v),
  match: (v, p) => regex('match', p).exec(str(v))?.index === 0,
  search: (v, p) => regex('search', p).test(str(v)),
};
TESTS.success = TESTS.succeeded;
TESTS.regex = TESTS.search;

/** Tests under which a missing variable is an answer, not an error. */
export const PRESENCE_TESTS = new Set(['defined', 'undefined']);
/** Filters under which a missing variable is an answer, not an error. */
export const PRESENCE_FILTERS = new Set(['default', 'd']);
