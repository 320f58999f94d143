// The contract between the Jinja engine and its filter and test tables.
import type { Kwargs } from './values.js';

/** What a filter or test may ask of the engine: other filters and tests by name, and Jinja's attribute lookup. */
export interface CallEnv {
  filter(name: string, value: unknown, args: unknown[], kw: Kwargs): unknown;
  test(name: string, value: unknown, args: unknown[], kw: Kwargs): boolean;
  /** Jinja's getattr: dict key, then list index; "a.b" walks (map(attribute='a.b'), sort(attribute=)). */
  attr(value: unknown, name: string): unknown;
}

/**
 * A filter: `value | name(args…, key=…)`. Values are never Undefined here (the engine fails first), except for the
 * filters in TAKES_UNDEFINED. Throw JinjaError with a Jinja2-like message on bad input.
 */
export type FilterFn = (env: CallEnv, value: unknown, args: unknown[], kw: Kwargs) => unknown;
export type TestFn = (env: CallEnv, value: unknown, args: unknown[], kw: Kwargs) => boolean;

/** Filters and tests that see an Undefined value instead of failing on it. */
export const TAKES_UNDEFINED: ReadonlySet<string> = new Set(['default', 'd', 'mandatory', 'defined', 'undefined']);
