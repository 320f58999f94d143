// Python-flavoured value semantics shared by expressions and template helpers, since users think in Jinja.

/** Python truthiness: empty string, list and mapping are false, as are 0, None and False. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Python `==`: no type coercion ("1" != 1), but lists and mappings compare by content. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

/** Python `str()` for scalars (True, None), JSON for containers, so messages and `| string` agree. */
export function pyString(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Short type names for error messages, in the user's (YAML/Python) vocabulary. */
export function typeName(v: unknown): string {
  if (v === null) return 'none';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}
