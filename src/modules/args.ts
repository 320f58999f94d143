// Shared argument checks, so every module reports bad args with the same words and hints.
import { didYouMean, type Location, ModuleUnavailable, PlaybookError } from '../errors.js';

// Args as YAML gave them, before any checking.
export type Raw = Record<string, unknown>;

/** Checked args of one task: the values plus what error messages need. */
export interface Args {
  v: Raw;
  at: Location;
  module: string;
}

// Load-time parse sees unrendered args; a templated value can only be checked after rendering.
export function isTemplated(v: unknown): v is string {
  return typeof v === 'string' && v.includes('{{');
}

// Every unknown key is a typo until proven otherwise: name it and suggest the closest one.
export function keysOf(a: Raw, allowed: readonly string[], at: Location, module: string): void {
  for (const k of Object.keys(a)) {
    if (!allowed.includes(k))
      throw new PlaybookError(`unknown argument "${k}" for module "${module}"`, { at, hint: didYouMean(k, allowed) });
  }
}

// A mapping, aliases folded into their canonical key, unknown keys rejected (parseArgs in spec.ts does this and more).
export function argsOf(raw: unknown, at: Location, module: string, allowed: readonly string[], aliases: Record<string, string> = {}): Args {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new PlaybookError(`module "${module}" expects a mapping of arguments`, { at });
  const v: Raw = {};
  for (const [k, val] of Object.entries(raw as Raw)) {
    const key = aliases[k] ?? k;
    if (key !== k && Object.hasOwn(raw as Raw, key))
      throw new PlaybookError(`module "${module}": "${k}" is an alias of "${key}"; give only one`, { at });
    v[key] = val;
  }
  keysOf(v, [...allowed, ...Object.keys(aliases)], at, module);
  return { v, at, module };
}

// Module-level rule violations (exclusive keys, cross-checks) share the message prefix of type errors.
export function fail(a: Args, msg: string, hint?: string): never {
  throw new PlaybookError(`module "${a.module}": ${msg}`, { at: a.at, hint });
}

/** What the module could do in Ansible but not in runbook (a download): refused like a mistake, but a different kind. */
export function unavailable(a: Args, msg: string, hint?: string): never {
  throw new ModuleUnavailable(`module "${a.module}": ${msg}`, { at: a.at, hint });
}

export function wrongType(a: Args, key: string, expected: string, hint?: string): never {
  const got = a.v[key];
  const shown = typeof got === 'string' ? JSON.stringify(got) : Array.isArray(got) ? 'a list' : typeof got;
  return fail(a, `argument "${key}" must be ${expected}, got ${shown}`, hint);
}

const given = (a: Args, key: string) => a.v[key] !== undefined && a.v[key] !== null;

// Numbers are accepted as strings because YAML turns `owner: 1000` or `line: 42` into numbers.
export function optStr(a: Args, key: string): string | undefined {
  const v = a.v[key];
  if (!given(a, key)) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return wrongType(a, key, 'a string');
}

// Required args fail at load time, before any host is contacted.
export function str(a: Args, key: string): string {
  const s = optStr(a, key);
  if (s === undefined) fail(a, `missing required argument "${key}"`);
  return s;
}

// Ansible's module_utils boolean(): these strings (any case), and the numbers 1 and 0.
export const TRUE_STRINGS = ['true', 'yes', 'on', '1', 'y', 't'];
export const FALSE_STRINGS = ['false', 'no', 'off', '0', 'n', 'f'];

/** check_type_bool: a boolean, one of Ansible's boolean strings (any case), or the numbers 1 and 0. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string' && TRUE_STRINGS.includes(v.trim().toLowerCase())) return true;
  if (typeof v === 'string' && FALSE_STRINGS.includes(v.trim().toLowerCase())) return false;
  return undefined;
}

// Rendered args and `k=v` free-form args arrive as strings ("yes", "True"), so strings count as booleans too.
export function bool(a: Args, key: string, dflt: boolean): boolean {
  const v = a.v[key];
  if (!given(a, key) || isTemplated(v)) return dflt;
  const b = toBool(v);
  if (b !== undefined) return b;
  return wrongType(a, key, 'a boolean (true/false/yes/no)', `write ${key}: true or ${key}: false (yes/no, on/off and 1/0 also work)`);
}

// A boolean the playbook may leave out: undefined means "leave the host's value alone".
export function optBool(a: Args, key: string): boolean | undefined {
  return a.v[key] === undefined || a.v[key] === null ? undefined : bool(a, key, false);
}

// Rendered numbers arrive as strings, so digit strings count as integers.
export function int(a: Args, key: string): number | undefined {
  const v = a.v[key];
  if (!given(a, key) || isTemplated(v)) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return wrongType(a, key, 'an integer');
}

/**
 * File mode as a 4-digit octal string ("0644"). Strings are read as octal. A YAML number is ambiguous
 * (YAML 1.2 reads `0644` as decimal 644), so a number whose decimal digits are all 0-7 is taken as
 * octal digits (644 → "0644", also 420 → "0420"); any other number is a decimal value (493 → "0755").
 * Quote modes in playbooks to avoid the guess.
 */
export function mode(a: Args, key: string): string | undefined {
  const v = a.v[key];
  if (!given(a, key)) return undefined;
  if (isTemplated(v)) return v;
  let n: number | undefined;
  if (typeof v === 'string' && /^0?[0-7]{3,4}$/.test(v.trim())) n = Number.parseInt(v.trim(), 8);
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) n = /^[0-7]+$/.test(String(v)) ? Number.parseInt(String(v), 8) : v;
  if (n === undefined || n > 0o7777) return wrongType(a, key, 'an octal mode such as "0644"');
  return n.toString(8).padStart(4, '0');
}

/** copy's and template's mode: an octal mode, or "preserve" (the source's own mode, as Ansible gives it). */
export function modeOrPreserve(a: Args, key: string): string | undefined {
  return a.v[key] === 'preserve' ? 'preserve' : mode(a, key);
}

// A single string is a one-item list, as in Ansible.
export function list(a: Args, key: string): string[] | undefined {
  const v = a.v[key];
  if (!given(a, key)) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  return wrongType(a, key, 'a string or a list of strings');
}

/** A templated value is returned as is: it equals no choice, so cross-checks on it stay quiet at load time. */
export function enumOf<T extends string>(a: Args, key: string, choices: readonly T[], dflt: T): T {
  const v = a.v[key];
  if (!given(a, key)) return dflt;
  if (isTemplated(v)) return v as T;
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
  const hint = typeof v === 'string' ? didYouMean(v, choices) : undefined;
  if (typeof v === 'string') fail(a, `argument "${key}" must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`, hint);
  return wrongType(a, key, `one of ${choices.join(', ')}`);
}

// For pairs like content/src where the task must pick exactly one.
export function exactlyOne(a: Args, keys: readonly string[]): string {
  const present = keys.filter((k) => given(a, k));
  if (present.length !== 1) fail(a, present.length ? `give only one of ${present.join(', ')}` : `give one of ${keys.join(', ')}`);
  return present[0];
}
