// Jinja-isms jexl cannot parse (`x is defined`, `a not in b`, low-precedence `not`) rewritten into
// jexl forms, token by token so that string literals are never touched.

interface Token {
  kind: 'str' | 'ws' | 'word' | 'num' | 'punct';
  text: string;
}

/** Reported as a syntax error by the caller. */
export class SyntaxProblem extends Error {}

/** Transform that implements Jinja tests: `x is not none` → `x|__is('none',true)`. */
export const TEST_TRANSFORM = '__is';
/** Transform applied to a parenthesised operand: `not a == b` → `(a == b)|__not`, Python truthiness. */
export const NOT_TRANSFORM = '__not';
/** Binary operator standing for `not in`. */
export const NOT_IN = '__notin__';

const TWO_CHAR = new Set(['==', '!=', '<=', '>=', '&&', '||', '//']);
/** Tokens that end the operand of a Jinja `not` (which binds looser than comparisons). */
const ENDS_NOT = new Set(['and', 'or', '&&', '||', ',', '?', ':']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    let j = i + 1;
    let kind: Token['kind'];
    if (c === '"' || c === "'") {
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new SyntaxProblem(`unterminated string starting at column ${i + 1}`);
      j++;
      kind = 'str';
    } else if (/\s/.test(c)) {
      while (j < src.length && /\s/.test(src[j])) j++;
      kind = 'ws';
    } else if (/[A-Za-z_$]/.test(c)) {
      while (j < src.length && /[\w$]/.test(src[j])) j++;
      kind = 'word';
    } else if (/\d/.test(c)) {
      while (j < src.length && /[\d.]/.test(src[j])) j++;
      kind = 'num';
    } else {
      if (TWO_CHAR.has(src.slice(i, i + 2))) j = i + 2;
      kind = 'punct';
    }
    out.push({ kind, text: src.slice(i, j) });
    i = j;
  }
  return out;
}

/** `{{ expr }}` is accepted as a whole-expression wrapper, as Ansible tolerates it. */
export function stripMustache(expr: string): string {
  const m = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(expr);
  return m && !m[1].includes('{{') && !m[1].includes('}}') ? m[1] : expr;
}

/** Rewrites Jinja-only syntax into jexl syntax; everything else passes through unchanged. */
export function toJexl(expr: string): string {
  const toks = tokenize(expr);
  const out: string[] = [];
  const pendingNot: number[] = [];
  let depth = 0;
  let prev: Token | undefined;

  const nextSig = (from: number): number => {
    let k = from;
    while (k < toks.length && toks[k].kind === 'ws') k++;
    return k;
  };
  const closeNots = (all = false) => {
    while (pendingNot.length && (all || pendingNot[pendingNot.length - 1] === depth)) {
      out.push(`)|${NOT_TRANSFORM} `);
      pendingNot.pop();
    }
  };

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind === 'ws') {
      out.push(t.text);
      continue;
    }
    const keyword = t.kind === 'word' && prev?.text !== '.';
    const word = keyword ? t.text : undefined;
    if (word === 'not' && toks[nextSig(i + 1)]?.text === 'in') {
      out.push(NOT_IN);
      i = nextSig(i + 1);
    } else if (word === 'is') {
      let k = nextSig(i + 1);
      let negate = false;
      if (toks[k]?.text === 'not') {
        negate = true;
        k = nextSig(k + 1);
      }
      const test = toks[k];
      if (test?.kind !== 'word') throw new SyntaxProblem('expected a test name after "is" (defined, none, changed…)');
      const open = toks[nextSig(k + 1)]?.text === '(';
      out.push(`|${TEST_TRANSFORM}('${test.text}',${negate}${open ? ',' : ')'}`);
      i = open ? nextSig(k + 1) : k;
      if (open) depth++;
    } else if (word === 'not') {
      out.push('(');
      pendingNot.push(depth);
    } else if ((word && ENDS_NOT.has(word)) || (t.kind === 'punct' && ENDS_NOT.has(t.text))) {
      closeNots();
      out.push(t.text);
    } else if (t.text === ')' || t.text === ']' || t.text === '}') {
      closeNots();
      depth--;
      out.push(t.text);
    } else {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      out.push(t.text);
    }
    prev = t;
  }
  closeNots(true);
  return out.join('');
}
