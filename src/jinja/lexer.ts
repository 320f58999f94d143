// Jinja2's lexer: template text and tags in one token stream, with Jinja's whitespace control, trim_blocks,
// lstrip_blocks and raw blocks. Written here rather than taken from a library: see README "Expressions".
import { JinjaError } from './values.js';

export type TokType = 'data' | 'var_begin' | 'var_end' | 'block_begin' | 'block_end' | 'name' | 'string' | 'number' | 'op' | 'eof';

export interface Token {
  type: TokType;
  value: string;
  /** Numbers are parsed once, here. */
  num?: number;
  /** Offset in the source, for line:col in errors. */
  pos: number;
}

export interface LexOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
  /**
   * Backslashes in the string literals of {{ }} are plain characters: Ansible doubles them in a playbook's strings
   * before Jinja reads them ('\\1' stays a regex backreference, '\\n' stays backslash-n); template files, {% %} tags
   * and bare conditions keep Jinja's escapes.
   */
  rawStrings?: boolean;
}

/** A syntax error at an offset of the source; the caller turns the offset into line:col. */
export class JinjaSyntaxError extends JinjaError {
  constructor(message: string, pos: number, hint?: string) {
    super(message, hint);
    this.pos = pos;
  }
}

const OPS = [
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
  '|',
  '.',
  ',',
  ':',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '=',
];
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Tokenizes a whole template (or a bare expression when `exprOnly`). */
export function tokenize(src: string, opts: LexOptions, exprOnly = false): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  /** Whether the data token about to be pushed must lose its leading whitespace (a `-%}` before it). */
  let stripNextLeading = false;
  /** Remove one newline at the start of the next data (trim_blocks after %} or #}). */
  let trimNextNewline = false;

  const pushData = (text: string, pos: number) => {
    if (trimNextNewline) {
      if (text.startsWith('\r\n')) text = text.slice(2);
      else if (text.startsWith('\n')) text = text.slice(1);
      trimNextNewline = false;
    }
    if (stripNextLeading) {
      text = text.replace(/^\s+/, '');
      stripNextLeading = false;
    }
    if (text) out.push({ type: 'data', value: text, pos });
  };

  if (exprOnly) {
    i = lexExpr(src, 0, out, null, false);
    out.push({ type: 'eof', value: '', pos: n });
    return out;
  }

  while (i < n) {
    const next = findTag(src, i);
    if (next < 0) {
      pushData(src.slice(i), i);
      break;
    }
    const kind = src[next + 1]; // '{', '%' or '#'
    const sign = src[next + 2];
    let text = src.slice(i, next);
    if (sign === '-') text = text.replace(/\s+$/, '');
    else if (opts.lstripBlocks && kind !== '{' && sign !== '+') text = text.replace(/(^|\n)[ \t]+$/, '$1');
    pushData(text, i);
    let p = next + 2 + (sign === '-' || sign === '+' ? 1 : 0);
    if (kind === '#') {
      const end = src.indexOf('#}', p);
      if (end < 0) throw new JinjaSyntaxError('missing end of comment tag', next, 'close the comment with #}');
      const strip = src[end - 1] === '-';
      i = end + 2;
      stripNextLeading = strip;
      trimNextNewline = opts.trimBlocks && src[end - 1] !== '+';
      continue;
    }
    const isVar = kind === '{';
    out.push({ type: isVar ? 'var_begin' : 'block_begin', value: src.slice(next, p), pos: next });
    // {% raw %}…{% endraw %}: the body is data, whatever it holds.
    if (!isVar) {
      const raw = /^\s*raw\s*([-+]?)%\}/.exec(src.slice(p));
      if (raw) {
        out.pop();
        const body = p + raw[0].length;
        const endRe = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/g;
        endRe.lastIndex = body;
        const m = endRe.exec(src);
        if (!m) throw new JinjaSyntaxError('missing endraw', next, 'close it with {% endraw %}');
        let content = src.slice(body, m.index);
        if (raw[1] === '-') content = content.replace(/^\s+/, '');
        else if (opts.trimBlocks && raw[1] !== '+') content = content.replace(/^\r?\n/, '');
        if (m[1] === '-') content = content.replace(/\s+$/, '');
        if (content) out.push({ type: 'data', value: content, pos: body });
        i = m.index + m[0].length;
        stripNextLeading = m[2] === '-';
        trimNextNewline = opts.trimBlocks && m[2] !== '+';
        continue;
      }
    }
    p = lexExpr(src, p, out, isVar ? '}}' : '%}', isVar && opts.rawStrings === true);
    // lexExpr stops at the end delimiter, optionally preceded by - or +.
    let mark = '';
    if (src[p] === '-' || src[p] === '+') mark = src[p++];
    out.push({ type: isVar ? 'var_end' : 'block_end', value: mark, pos: p });
    i = p + 2;
    stripNextLeading = mark === '-';
    trimNextNewline = !isVar && opts.trimBlocks && mark !== '+';
  }
  out.push({ type: 'eof', value: '', pos: n });
  return out;
}

function findTag(src: string, from: number): number {
  for (let i = src.indexOf('{', from); i >= 0; i = src.indexOf('{', i + 1)) {
    const c = src[i + 1];
    if (c === '{' || c === '%' || c === '#') return i;
  }
  return -1;
}

/** Tokens of one expression until `end` (at bracket depth 0); returns the offset of the end delimiter. */
function lexExpr(src: string, i: number, out: Token[], end: string | null, rawStrings: boolean): number {
  const n = src.length;
  const stack: string[] = [];
  while (true) {
    while (i < n && /\s/.test(src[i])) i++;
    if (i >= n) {
      if (end === null) {
        if (stack.length) throw new JinjaSyntaxError(`unexpected end of expression: "${stack[stack.length - 1]}" is not closed`, i);
        return i;
      }
      throw new JinjaSyntaxError(`unexpected end of template, expected "${end}"`, i, `close the tag with ${end}`);
    }
    if (end !== null && stack.length === 0) {
      if (src.startsWith(end, i)) return i;
      if ((src[i] === '-' || src[i] === '+') && src.startsWith(end, i + 1)) return i;
    }
    const c = src[i];
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256)) as RegExpExecArray;
      out.push({ type: 'name', value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?|\d[\d_]*\.(?![\d.a-zA-Z_]))/.exec(src.slice(i, i + 64)) as RegExpExecArray;
      out.push({ type: 'number', value: m[0], num: Number(m[0].replace(/_/g, '')), pos: i });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const start = i;
      let s = '';
      i++;
      while (i < n && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < n && !rawStrings) {
          const e = src[i + 1];
          if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4))) {
            s += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 4), 16));
            i += 4;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            s += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
          } else if (Object.hasOwn(ESCAPES, e)) {
            s += ESCAPES[e];
            i += 2;
          } else {
            s += `\\${e}`;
            i += 2;
          }
        } else s += src[i++];
      }
      if (i >= n) throw new JinjaSyntaxError('unterminated string', start, `close the string with ${c}`);
      i++;
      out.push({ type: 'string', value: s, pos: start });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new JinjaSyntaxError(`unexpected character "${c}"`, i);
    if (op === '(' || op === '[' || op === '{') stack.push(op);
    else if (op === ')' || op === ']' || op === '}') {
      const open = stack.pop();
      const want = { ')': '(', ']': '[', '}': '{' }[op];
      if (open !== want) throw new JinjaSyntaxError(`unexpected "${op}"`, i);
    }
    out.push({ type: 'op', value: op, pos: i });
    i += op.length;
  }
}

/** 1-based line and column of an offset. */
export function lineCol(src: string, pos: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = src.indexOf('\n'); i >= 0 && i < pos; i = src.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, col: pos - last };
}
