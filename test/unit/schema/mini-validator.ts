// A small JSON Schema (draft-07) validator for exactly the keywords schemas/ uses; an unknown keyword is an error,
// so the schema cannot grow a rule this checker silently ignores. (No validator dependency in package.json.)
type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'definitions', 'default']);
const KEYWORDS = new Set([
  '$ref',
  'type',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minItems',
  'items',
  'properties',
  'additionalProperties',
  'required',
  'propertyNames',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  'then',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v);
  return typeOf(v) === t;
}

/** Errors as `path: message`; empty when the value is valid. */
export function validate(root: Record<string, unknown>, value: unknown): string[] {
  const errors: string[] = [];
  const resolveRef = (ref: string): Schema => {
    const m = /^#\/definitions\/(.+)$/.exec(ref);
    const s = m ? (root.definitions as Record<string, Schema>)[m[1]] : undefined;
    if (s === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return s;
  };
  const check = (s: Schema, v: unknown, path: string, out: string[]): void => {
    if (s === true) return;
    if (s === false) return void out.push(`${path}: not allowed`);
    for (const k of Object.keys(s)) if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`unsupported schema keyword ${k}`);
    if (typeof s.$ref === 'string') check(resolveRef(s.$ref), v, path, out);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => hasType(v, t))) out.push(`${path}: must be ${types.join(' or ')}, is ${typeOf(v)}`);
    }
    if (Array.isArray(s.enum) && !s.enum.includes(v)) out.push(`${path}: must be one of ${s.enum.join(', ')}`);
    if (typeof v === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v))
      out.push(`${path}: does not match ${s.pattern}`);
    if (typeof v === 'number' && typeof s.minimum === 'number' && v < s.minimum) out.push(`${path}: below ${s.minimum}`);
    if (typeof v === 'number' && typeof s.maximum === 'number' && v > s.maximum) out.push(`${path}: above ${s.maximum}`);
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) out.push(`${path}: fewer than ${s.minItems} items`);
      if (s.items !== undefined) for (const [i, x] of v.entries()) check(s.items as Schema, x, `${path}[${i}]`, out);
    }
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const r of (s.required as string[] | undefined) ?? []) if (!Object.hasOwn(o, r)) out.push(`${path}: missing ${r}`);
      for (const [k, x] of Object.entries(o)) {
        if (s.propertyNames !== undefined) check(s.propertyNames as Schema, k, `${path}.${k}(name)`, out);
        if (Object.hasOwn(props, k)) check(props[k], x, `${path}.${k}`, out);
        else if (s.additionalProperties !== undefined) check(s.additionalProperties as Schema, x, `${path}.${k}`, out);
      }
    }
    const passes = (sub: Schema) => {
      const e: string[] = [];
      check(sub, v, path, e);
      return e.length === 0;
    };
    if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some(passes)) out.push(`${path}: matches none of anyOf`);
    if (Array.isArray(s.oneOf)) {
      const n = (s.oneOf as Schema[]).filter(passes).length;
      if (n !== 1) out.push(`${path}: matches ${n} of oneOf, not exactly 1`);
    }
    if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) check(sub, v, path, out);
    if (s.not !== undefined && passes(s.not as Schema)) out.push(`${path}: matches "not"`);
    if (s.if !== undefined && s.then !== undefined && passes(s.if as Schema)) check(s.then as Schema, v, path, out);
  };
  check(root, value, '$', errors);
  return errors;
}
