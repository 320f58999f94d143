// Free-form module arguments (`copy: src=a dest=b`, `command: chdir=/srv tar xzf app.tgz`), read as Ansible reads them.
// Port of Ansible's lib/ansible/parsing/splitter.py (split_args, parse_kv, join_args) and parsing/quoting.py (unquote).

/** Raised for unbalanced quotes or {{ }} / {% %} / {# #} blocks; the caller adds the position. */
export class KvError extends Error {}

/** The options command/shell take out of their free form (check_raw); anything else stays in the command. */
export const RAW_OPTIONS = ['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends'] as const;

const ESCAPE = /\\U[a-fA-F0-9]{8}|\\u[a-fA-F0-9]{4}|\\x[a-fA-F0-9]{2}|\\N\{[^}]+\}|\\[\\'"abfnrtv]/g;
const SIMPLE: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

// Python's codecs 'unicode-escape' for the sequences the regex above selects (\N{name} is left as written).
function decodeEscapes(s: string): string {
  return s.replace(ESCAPE, (m) => {
    const c = m[1];
    if (c === 'U' || c === 'u' || c === 'x') return String.fromCodePoint(Number.parseInt(m.slice(2), 16));
    if (c === 'N') return m;
    return SIMPLE[c] ?? m;
  });
}

function isQuoted(s: string): boolean {
  return s.length > 1 && s[0] === s.at(-1) && (s[0] === '"' || s[0] === "'") && s.at(-2) !== '\\';
}

export function unquote(s: string): string {
  return isQuoted(s) ? s.slice(1, -1) : s;
}

function quoteState(token: string, quoteChar: string | undefined): string | undefined {
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    const prev = i > 0 ? token[i - 1] : undefined;
    if ((c === '"' || c === "'") && prev !== '\\') {
      if (quoteChar) {
        if (c === quoteChar) quoteChar = undefined;
      } else quoteChar = c;
    }
  }
  return quoteChar;
}

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

function blockDepth(token: string, depth: number, open: string, close: string): number {
  const o = count(token, open);
  const c = count(token, close);
  return o !== c ? Math.max(0, depth + o - c) : depth;
}

/** Splits on spaces and newlines, keeping quoted strings and {{ }}/{% %}/{# #} blocks whole (quotes kept). */
export function splitArgs(args: string | null | undefined): string[] {
  if (!args) return [];
  const params: string[] = [];
  const items = args.split('\n');
  let quoteChar: string | undefined;
  let insideQuotes = false;
  let printDepth = 0;
  let blockD = 0;
  let commentDepth = 0;
  items.forEach((item, itemIdx) => {
    const tokens = item.split(' ');
    let lineContinuation = false;
    tokens.forEach((token, idx) => {
      // Runs of spaces are kept, so the command can be put back together as written.
      if (token.length === 0 && idx !== 0) {
        if (!params.length) params.push('');
        params[params.length - 1] += ' ';
        return;
      }
      if (token === '\\' && !insideQuotes) {
        lineContinuation = true;
        return;
      }
      const wasInsideQuotes = insideQuotes;
      quoteChar = quoteState(token, quoteChar);
      insideQuotes = quoteChar !== undefined;
      let appended = false;
      const inBlock = printDepth || blockD || commentDepth;
      if (insideQuotes && !wasInsideQuotes && !inBlock) {
        params.push(token);
        appended = true;
      } else if (inBlock || insideQuotes || wasInsideQuotes) {
        const last = params.length - 1;
        if (idx === 0 && wasInsideQuotes) params[last] = `${params[last]}${token}`;
        else params[last] = `${params[last]}${idx > 0 ? ' ' : ''}${token}`;
        appended = true;
      }
      const prevPrint = printDepth;
      printDepth = blockDepth(token, printDepth, '{{', '}}');
      if (printDepth !== prevPrint && !appended) {
        params.push(token);
        appended = true;
      }
      const prevBlock = blockD;
      blockD = blockDepth(token, blockD, '{%', '%}');
      if (blockD !== prevBlock && !appended) {
        params.push(token);
        appended = true;
      }
      const prevComment = commentDepth;
      commentDepth = blockDepth(token, commentDepth, '{#', '#}');
      if (commentDepth !== prevComment && !appended) {
        params.push(token);
        appended = true;
      }
      if (!(printDepth || blockD || commentDepth) && !insideQuotes && !appended && token !== '') params.push(token);
    });
    if (items.length > 1 && itemIdx !== items.length - 1 && !lineContinuation) {
      if (!params.length) params.push('');
      params[params.length - 1] += '\n';
    }
  });
  if (printDepth || blockD || commentDepth || insideQuotes) {
    throw new KvError('unbalanced quotes or {{ }} / {% %} / {# #} block in the arguments');
  }
  return params;
}

/** Joins split_args' pieces back the way they were written (newlines kept). */
export function joinArgs(parts: string[]): string {
  let out = '';
  for (const p of parts) out += out.length === 0 || out.endsWith('\n') ? p : ` ${p}`;
  return out;
}

/**
 * `k=v` words → { k: v } (values unquoted, escapes decoded, left as strings for the module to type). Words without
 * an unescaped `=` — and with checkRaw every `k=v` whose k is not one of RAW_OPTIONS — are joined into `_raw_params`.
 */
export function parseKv(args: string | null | undefined, checkRaw = false): Record<string, string> {
  const options: Record<string, string> = {};
  if (args === null || args === undefined) return options;
  const raw: string[] = [];
  for (const orig of splitArgs(args)) {
    const x = decodeEscapes(orig);
    if (!x.includes('=')) {
      raw.push(orig);
      continue;
    }
    // The first "=" not preceded by a backslash (a leading "=" does not count), as Ansible searches from index 1.
    let pos = 0;
    for (;;) {
      pos = x.indexOf('=', pos + 1);
      if (pos < 0 || x[pos - 1] !== '\\') break;
    }
    if (pos < 0) {
      raw.push(x.replaceAll('\\=', '='));
      continue;
    }
    const k = x.slice(0, pos);
    const v = x.slice(pos + 1);
    if (checkRaw && !(RAW_OPTIONS as readonly string[]).includes(k)) raw.push(orig);
    else options[k.trim()] = unquote(v.trim());
  }
  if (raw.length) options._raw_params = joinArgs(raw);
  return options;
}
