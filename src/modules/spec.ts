// A module's arguments declared once (Ansible's argument_spec): parsing, the JSON Schema, `runbook doc` and the
// README table all read the same declaration.
import { didYouMean, type Location, PlaybookError } from '../errors.js';
import { type Args, fail, isTemplated, keysOf, type Raw, toBool, wrongType } from './args.js';

/** Ansible's argument types; `path` is a string naming a file (on the host unless the description says otherwise). */
export type ArgType = 'str' | 'int' | 'bool' | 'float' | 'path' | 'list' | 'dict' | 'raw';

export interface ArgSpec {
  /** Default 'str'. */
  type?: ArgType;
  /** Type of each item of a list (default 'str'). */
  elements?: Exclude<ArgType, 'list'>;
  /** A string given for a list is split on commas, as Ansible's check_type_list does; false keeps it one item. */
  split?: false;
  required?: boolean;
  default?: unknown;
  choices?: readonly (string | number)[];
  aliases?: readonly string[];
  /** One line for `runbook doc`, the README and the schema. */
  description: string;
  /**
   * Further checks and normalisation after typing, given the typed value in a.v[key]; returns the value to keep.
   * Called whenever the value is set (also for a templated string: such checks let `{{ }}` through themselves).
   */
  check?: (a: Args, key: string) => unknown;
}

export type ArgSpecs = Record<string, ArgSpec>;

/** When `key` has `value`, the listed arguments are needed (all of them, or with oneOf at least one). */
export type RequiredIf = readonly [key: string, value: unknown, requires: readonly string[], oneOf?: boolean];

/** The cross-argument rules of Ansible's AnsibleModule. */
export interface ArgRules {
  mutually_exclusive?: readonly (readonly string[])[];
  required_together?: readonly (readonly string[])[];
  required_one_of?: readonly (readonly string[])[];
  required_if?: readonly RequiredIf[];
}

/** Everything one module declares about its arguments. */
export interface ModuleSpec extends ArgRules {
  args: ArgSpecs;
  /** Any other key is accepted too, untyped (set_fact: the keys are the facts). */
  open?: boolean;
}

/** The free-form string of command and shell (`command: ls -l`); `runbook doc` calls it free_form, as Ansible does. */
export const FREE_FORM = '_raw';

const INT = /^\s*[+-]?\d+(_\d+)*\s*$/;
const FLOAT = /^\s*[+-]?((\d+(_\d+)*)(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+)?\s*$/;

/** Python's int(): digits with an optional sign, underscores between digits, surrounding blanks. */
export function pyInt(s: string): number | undefined {
  return INT.test(s) ? Number(s.trim().replace(/_/g, '')) : undefined;
}

/** Python's float() on a string, including inf and nan. */
export function pyFloat(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[+-]?nan$/.test(t)) return Number.NaN;
  return FLOAT.test(s) ? Number(t.replace(/_/g, '')) : undefined;
}

// check_type_dict's `k1=v1, k2=v2` form: fields split on commas and blanks outside quotes, a backslash escapes.
function kvDict(s: string): Record<string, string> | undefined {
  const fields: string[] = [];
  let buf = '';
  let quote = '';
  let escaped = false;
  for (const c of s.trim()) {
    if (escaped) {
      buf += c;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (!quote && (c === "'" || c === '"')) quote = c;
    else if (quote && c === quote) quote = '';
    else if (!quote && (c === ',' || c === ' ')) {
      if (buf) fields.push(buf);
      buf = '';
    } else buf += c;
  }
  if (buf) fields.push(buf);
  if (!fields.every((f) => f.includes('='))) return undefined;
  return Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
}

const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a wrong value was expected to be, in the words of the error messages. */
function expected(spec: Partial<ArgSpec>): string {
  switch (spec.type ?? 'str') {
    case 'int':
      return 'an integer';
    case 'float':
      return 'a number';
    case 'bool':
      return 'a boolean (true/false/yes/no)';
    case 'list':
      return (spec.elements ?? 'str') === 'str' || spec.elements === 'path'
        ? 'a string or a list of strings'
        : `a list of ${typeName(spec.elements!)}s`;
    case 'dict':
      return 'a mapping';
    default:
      return 'a string';
  }
}

const typeName = (t: ArgType) =>
  ({ str: 'string', path: 'path', int: 'integer', float: 'number', bool: 'boolean', list: 'list', dict: 'mapping', raw: 'value' })[t];

// One value to one type, as Ansible's check_type_* do; undefined when it does not convert.
function convert(type: ArgType, v: unknown, spec: Partial<ArgSpec>): { ok: true; value: unknown } | { ok: false } {
  const ok = (value: unknown) => ({ ok: true as const, value });
  switch (type) {
    case 'str':
    case 'path':
      if (typeof v === 'string') return ok(v);
      if (typeof v === 'number' && Number.isFinite(v)) return ok(String(v));
      return { ok: false };
    case 'int': {
      if (typeof v === 'number' && Number.isInteger(v)) return ok(v);
      const n = typeof v === 'string' ? pyInt(v) : undefined;
      return n === undefined ? { ok: false } : ok(n);
    }
    case 'float': {
      if (typeof v === 'number') return ok(v);
      const n = typeof v === 'string' ? pyFloat(v) : undefined;
      return n === undefined ? { ok: false } : ok(n);
    }
    case 'bool': {
      const b = toBool(v);
      return b === undefined ? { ok: false } : ok(b);
    }
    case 'list': {
      let items: unknown[];
      if (Array.isArray(v)) items = v;
      else if (typeof v === 'string') items = spec.split === false || v.includes('{{') ? [v] : v.split(',');
      else if (typeof v === 'number') items = [String(v)];
      else return { ok: false };
      const el = spec.elements ?? 'str';
      const out: unknown[] = [];
      for (const x of items) {
        if (isTemplated(x) && el !== 'str' && el !== 'path' && el !== 'raw') {
          out.push(x);
          continue;
        }
        const c = convert(el, x, {});
        if (!c.ok) return c;
        out.push(c.value);
      }
      return ok(out);
    }
    case 'dict':
      if (isMap(v)) return ok(v);
      if (typeof v === 'string' && v.trim().startsWith('{')) {
        try {
          const parsed = JSON.parse(v);
          return isMap(parsed) ? ok(parsed) : { ok: false };
        } catch {
          return { ok: false };
        }
      }
      if (typeof v === 'string' && v.includes('=')) {
        const d = kvDict(v);
        return d ? ok(d) : { ok: false };
      }
      return { ok: false };
    default:
      return ok(v);
  }
}

const given = (v: Raw, k: string) => v[k] !== undefined && v[k] !== null;

// "state=present", or just "backrefs" for a flag that is on.
const condition = (key: string, value: unknown) => (value === true ? key : `${key}=${value}`);

const orList = (xs: readonly string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`);

/** Canonical names and aliases of a spec, alias → canonical. */
export function aliasesOf(spec: ModuleSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(spec.args)) for (const al of s.aliases ?? []) out[al] = k;
  return out;
}

/** What parseArgs reads of a spec on every call, derived once: specs are declared once and never changed. */
interface Derived {
  aliases: Map<string, string>;
  /** Canonical names then aliases, in the order the did-you-mean hint weighs them. */
  allowed: string[];
  known: Set<string>;
  /** The spec's argument names and their specs, index for index. */
  names: string[];
  specs: ArgSpec[];
  /** Names of required arguments. */
  required: string[];
}

const derived = new WeakMap<ModuleSpec, Derived>();

function derive(spec: ModuleSpec): Derived {
  let d = derived.get(spec);
  if (d) return d;
  const aliases = new Map(Object.entries(aliasesOf(spec)));
  const allowed = [...Object.keys(spec.args), ...aliases.keys()];
  const names = Object.keys(spec.args);
  const specs = names.map((k) => spec.args[k]);
  d = { aliases, allowed, known: new Set(allowed), names, specs, required: names.filter((k) => spec.args[k].required) };
  derived.set(spec, d);
  return d;
}

// structuredClone is a call into C++ per default: only values that can be shared and changed need it.
const fresh = (v: unknown) => (v === null || typeof v !== 'object' ? v : structuredClone(v));

/**
 * Args of one task checked against the module's spec: a mapping, aliases folded, unknown keys refused with a
 * did-you-mean, values typed (free-form `k=v` strings too), choices, defaults and the cross-argument rules.
 * A value still holding `{{ }}` skips its type check (it is checked again after rendering, per host): a templated
 * string stays as written, a templated bool/int/float/dict takes the default meanwhile.
 */
export function parseArgs(spec: ModuleSpec, raw: unknown, at: Location, module: string): Args {
  if (raw === null || raw === undefined) raw = {};
  if (!isMap(raw)) throw new PlaybookError(`module "${module}" expects a mapping of arguments`, { at });
  const { aliases, allowed, known, names, specs, required } = derive(spec);
  const v: Raw = {};
  for (const k in raw) {
    if (!Object.hasOwn(raw, k)) continue;
    const key = aliases.get(k) ?? k;
    if (key !== k && Object.hasOwn(raw, key))
      throw new PlaybookError(`module "${module}": "${k}" is an alias of "${key}"; give only one`, { at });
    v[key] = raw[k];
  }
  const a: Args = { v, at, module };
  if (!spec.open) for (const k in v) if (!known.has(k)) keysOf(v, allowed, at, module);
  const rules = spec.mutually_exclusive || spec.required_one_of || spec.required_together || spec.required_if;
  // what was given before defaults fill in: only the cross-argument rules read it
  const input = rules ? { ...v } : v;

  // Index loops: a run is too short for V8 to optimise these, and iterators cost several times more unoptimised.
  for (let i = 0; i < required.length; i++) if (!given(v, required[i])) fail(a, `missing required argument "${required[i]}"`);

  for (let i = 0; i < names.length; i++) {
    const k = names[i];
    const s = specs[i];
    if (!given(v, k)) {
      v[k] = fresh(s.default);
    } else {
      const type = s.type ?? 'str';
      const templated = isTemplated(v[k]);
      if (templated && type !== 'str' && type !== 'path' && type !== 'raw' && type !== 'list') {
        v[k] = fresh(s.default);
      } else {
        const c = convert(type, v[k], s);
        if (!c.ok)
          wrongType(a, k, expected(s), type === 'bool' ? `write ${k}: true or ${k}: false (yes/no, on/off and 1/0 also work)` : undefined);
        v[k] = c.value;
        if (s.choices && !templated && !s.choices.includes(v[k] as string)) {
          const hint = typeof v[k] === 'string' ? didYouMean(v[k] as string, s.choices.map(String)) : undefined;
          fail(a, `argument "${k}" must be one of ${s.choices.join(', ')}, got ${JSON.stringify(v[k])}`, hint);
        }
      }
    }
    if (s.check && v[k] !== undefined) v[k] = s.check(a, k);
  }

  if (!rules) return a;
  const has = (k: string) => given(input, k) || v[k] !== undefined;
  // A templated value may render to omit (`{{ x | default(omit) }}`): it counts as given only once rendered, when the
  // task runs and its args are checked again.
  const surely = (k: string) => given(input, k) && !isTemplated(input[k]);
  for (const group of spec.mutually_exclusive ?? []) {
    const present = group.filter(surely);
    if (present.length > 1) fail(a, `give only one of ${present.join(', ')}`);
  }
  for (const group of spec.required_one_of ?? []) {
    if (group.some((k) => given(input, k))) continue;
    const exclusive = (spec.mutually_exclusive ?? []).some((m) => group.every((k) => m.includes(k)));
    fail(a, `give one of ${group.join(', ')}${exclusive ? '' : group.length === 2 ? ' or both' : ' or more'}`);
  }
  for (const group of spec.required_together ?? []) {
    const present = group.filter(surely);
    if (present.length && group.some((k) => !given(input, k)))
      fail(a, `give ${group.join(' and ')} together (${present.join(', ')} given)`);
  }
  for (const [key, value, requires, oneOf] of spec.required_if ?? []) {
    if (v[key] !== value) continue;
    if (oneOf) {
      if (!requires.some(has)) fail(a, `${condition(key, value)} needs ${orList(requires)}`);
    } else {
      const missing = requires.filter((k) => !has(k));
      if (missing.length) fail(a, `missing required argument "${missing[0]}" (${condition(key, value)})`);
    }
  }
  return a;
}

/** The argument names of a spec with their aliases, sorted; `_raw` left out. */
export function argNames(spec: ModuleSpec): string[] {
  return [...Object.keys(spec.args), ...Object.keys(aliasesOf(spec))].filter((k) => k !== FREE_FORM).sort();
}

/** "str", "list of str", "bool" — the type as `runbook doc` and the README show it. */
export function typeLabel(s: ArgSpec): string {
  const t = s.type ?? 'str';
  return t === 'list' ? `list of ${s.elements ?? 'str'}` : t;
}
