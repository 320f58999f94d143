// One probe command prints several "@@name" sections, so a module reads the host in one round trip.
import { quote, readLines } from '../../remote/quote.js';

/** Shell that prints `@@name` and then runs `script` (its failures stay in stderr, not in the marker). */
export const section = (name: string, script: string): string => `echo @@${name}; ${script}`;

/**
 * Prints the section only when `path` is a regular file, so "missing" and "empty" differ. Read by the shell itself
 * (these are small config files: a `cat` would be one more process on the host); a last line without its newline
 * gets one, so the next section starts on a line of its own.
 */
export const fileSection = (name: string, path: string): string =>
  `if [ -f ${quote(path)} ]; then echo @@${name}; ${readLines(quote(path))}; fi`;

/** Sections by name; a section that was never printed is undefined. */
export function sections(stdout: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  let cur: string | undefined;
  const buf: string[] = [];
  const flush = () => {
    if (cur !== undefined) out[cur] = buf.join('\n');
    buf.length = 0;
  };
  for (const line of stdout.split('\n')) {
    const m = /^@@([\w-]+)$/.exec(line);
    if (m) {
      flush();
      cur = m[1];
    } else if (cur !== undefined) buf.push(line);
  }
  flush();
  return out;
}

/** JSON printed by `ip -j` / `ovs-vsctl --format=json`; blank (the command failed) → undefined. */
export function jsonOf<T>(text: string | undefined): T | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  try {
    return JSON.parse(t) as T;
  } catch {
    return undefined;
  }
}

/** First line of stderr worth showing in a failure message. */
export const firstError = (stderr: string, fallback: string): string =>
  stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '') ?? fallback;

/**
 * parse(text), remembered for the last few texts: every item of a loop over peers plans from the same probe output
 * (the batch runs an identical probe once per host), so it is parsed once per host, not once per item. Callers
 * share the result: read it, never modify it.
 */
export function parsedOnce<T>(table: Map<string, T>, text: string, parse: (text: string) => T): T {
  const hit = table.get(text);
  if (hit !== undefined) return hit;
  const v = parse(text);
  if (table.size >= 64) table.delete(table.keys().next().value as string);
  table.set(text, v);
  return v;
}
