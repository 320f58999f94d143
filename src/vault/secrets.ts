// Values that must never be printed: vault contents, secret-named vars, no_log data. The output layer masks them.
// They belong to the run (src/vault/context.ts): a run, or a test, sees only the secrets it met.
import { runContext } from './context.js';

const set = () => runContext().secrets;

// Shorter values would mask ordinary words and numbers all over the output; they are not tracked.
export const MIN_SECRET_LENGTH = 4;
export const MASK = '********';

// Names that mark a var secret unless runbook_secret_pattern says otherwise.
export const DEFAULT_SECRET_PATTERN = '(^|_)(pass|passwd|password|passphrase|secret|token|api_key|private_key)$';

// Every string leaf of v becomes a secret.
export function addSecret(v: unknown): void {
  if (typeof v === 'string') {
    if (v.length >= MIN_SECRET_LENGTH) set().add(v);
    // Multi-line secrets also show up one line at a time (stdout lines, diffs).
    for (const line of v.split('\n')) if (line.trim().length >= MIN_SECRET_LENGTH) set().add(line.trim());
  } else if (typeof v === 'number' && String(v).length >= MIN_SECRET_LENGTH) set().add(String(v));
  else if (Array.isArray(v)) for (const x of v) addSecret(x);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) addSecret(x);
}

// Secrets of a vars map by name: runbook_secret_vars lists names, runbook_secret_pattern is a regex on names.
// `config` is where those two settings are read from (default: vars itself).
export function addSecretVars(vars: Record<string, unknown>, config: Record<string, unknown> = vars): void {
  const listed = new Set(Array.isArray(config.runbook_secret_vars) ? config.runbook_secret_vars.map(String) : []);
  const src = typeof config.runbook_secret_pattern === 'string' ? config.runbook_secret_pattern : DEFAULT_SECRET_PATTERN;
  let re: RegExp;
  try {
    re = new RegExp(src, 'i');
  } catch {
    re = new RegExp(DEFAULT_SECRET_PATTERN, 'i');
  }
  for (const [k, v] of Object.entries(vars)) if (listed.has(k) || (src !== '' && re.test(k))) addSecret(v);
}

// Longest first, so a secret containing another is masked whole.
export function secretValues(): string[] {
  return [...set()].sort((a, b) => b.length - a.length);
}

// Masks every known secret in a string.
export function redact(s: string): string {
  if (!set().size || !s) return s;
  let out = s;
  for (const v of secretValues()) if (out.includes(v)) out = out.split(v).join(MASK);
  return out;
}

// Deep copy with every string redacted, and a number that is a secret replaced by the mask (a string, so JSON output
// stays valid); used on events before any sink sees them.
export function redactDeep<T>(v: T): T {
  if (!set().size) return v;
  if (typeof v === 'string') return redact(v) as T;
  if (typeof v === 'number' && set().has(String(v))) return MASK as T;
  if (Array.isArray(v)) return v.map(redactDeep) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x)])) as T;
  return v;
}
