// jexl reads `x.y` straight off JS objects (prototype included) and never reports a missing name;
// rewriting every lookup into a checked `__get` transform gives own-property-only, strict access.
import type { JexlAst } from 'jexl';
import { didYouMean } from '../errors.js';
import { EvalFailure, FILTERS, PRESENCE_FILTERS, PRESENCE_TESTS, TESTS } from './filters.js';
import { NOT_TRANSFORM, TEST_TRANSFORM } from './syntax.js';

/** Transform doing one checked lookup: (object, key, path-for-messages, lenient). */
export const GET_TRANSFORM = '__get';
/** The only name jexl itself looks up in the evaluation context; it holds the variables. */
export const ROOT = '$vars';

/** A rewrite-time problem (unknown filter, unsupported syntax): reported like a syntax error. */
export class UnsupportedSyntax extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const LITERALS: Record<string, unknown> = { True: true, False: false, none: null, None: null, null: null };

const lit = (value: unknown): JexlAst => ({ type: 'Literal', value });
const call = (name: string, args: JexlAst[]): JexlAst => ({ type: 'FunctionCall', name, args, pool: 'transforms' });

/** Readable form of a lookup chain for messages: `result.stdout_lines[0]`. */
function pathOf(n: JexlAst): string {
  if (n.type === 'Identifier') return n.from ? `${pathOf(n.from as JexlAst)}.${n.value}` : String(n.value);
  if (n.type === 'FilterExpression') {
    const e = n.expr as JexlAst;
    const key = e.type === 'Literal' ? JSON.stringify(e.value) : '…';
    return `${pathOf(n.subject as JexlAst)}[${key}]`;
  }
  return '(…)';
}

/** Returns a new tree; `lenient` marks operands of `is defined` / `default`, where missing is fine. */
export function rewrite(n: JexlAst, lenient = false): JexlAst {
  switch (n.type) {
    case 'Literal':
      return n;
    case 'Identifier': {
      if (n.relative) throw new UnsupportedSyntax('relative names (".x") are not supported');
      const name = String(n.value);
      if (!n.from && Object.hasOwn(LITERALS, name)) return lit(LITERALS[name]);
      const parent = n.from ? rewrite(n.from as JexlAst, lenient) : { type: 'Identifier', value: ROOT };
      return call(GET_TRANSFORM, [parent, lit(name), lit(pathOf(n)), lit(lenient)]);
    }
    case 'FilterExpression': {
      if (n.relative) throw new UnsupportedSyntax('list filters like x[.y == 1] are not supported');
      const subject = rewrite(n.subject as JexlAst, lenient);
      return call(GET_TRANSFORM, [subject, rewrite(n.expr as JexlAst), lit(pathOf(n)), lit(lenient)]);
    }
    case 'FunctionCall':
      return rewriteCall(n);
    case 'BinaryExpression':
      return { type: n.type, operator: n.operator, left: rewrite(n.left as JexlAst), right: rewrite(n.right as JexlAst) };
    case 'UnaryExpression':
      return { type: n.type, operator: n.operator, right: rewrite(n.right as JexlAst) };
    case 'ConditionalExpression':
      return {
        type: n.type,
        test: rewrite(n.test as JexlAst),
        consequent: n.consequent ? rewrite(n.consequent as JexlAst) : undefined,
        alternate: rewrite(n.alternate as JexlAst),
      };
    case 'ArrayLiteral':
      return { type: n.type, value: (n.value as JexlAst[]).map((v) => rewrite(v)) };
    case 'ObjectLiteral': {
      const value: Record<string, JexlAst> = {};
      for (const [k, v] of Object.entries(n.value as Record<string, JexlAst>)) value[k] = rewrite(v);
      return { type: n.type, value };
    }
    default:
      throw new UnsupportedSyntax(`unsupported expression element ${n.type}`);
  }
}

function rewriteCall(n: JexlAst): JexlAst {
  const name = String(n.name);
  const args = n.args as JexlAst[];
  if (n.pool !== 'transforms') {
    throw new UnsupportedSyntax(`function calls like ${name}(…) are not supported`, 'use filters: x | length');
  }
  let lenient = false;
  if (name === TEST_TRANSFORM) {
    const test = String(args[1]?.value);
    if (!Object.hasOwn(TESTS, test)) {
      throw new UnsupportedSyntax(`unknown test "is ${test}"`, didYouMean(test, Object.keys(TESTS)) ?? known(TESTS));
    }
    lenient = PRESENCE_TESTS.has(test);
  } else if (name !== NOT_TRANSFORM && !Object.hasOwn(FILTERS, name)) {
    throw new UnsupportedSyntax(`unknown filter "${name}"`, didYouMean(name, Object.keys(FILTERS)) ?? known(FILTERS));
  } else {
    lenient = PRESENCE_FILTERS.has(name);
  }
  return call(
    name,
    args.map((a, i) => rewrite(a, i === 0 && lenient)),
  );
}

function known(table: Record<string, unknown>): string {
  return `known: ${Object.keys(table).sort().join(', ')}`;
}

/** The `__get` transform: own properties only, negative list indexes, and errors that name the path. */
export function checkedGet(obj: unknown, key: unknown, path: unknown, lenient: unknown): unknown {
  const isRoot = !String(path).includes('.') && !String(path).includes('[');
  if (obj === undefined || obj === null) {
    if (lenient) return undefined;
    throw new EvalFailure(`cannot read "${path}": the value before it is ${obj === null ? 'none' : 'undefined'}`);
  }
  if (typeof key === 'number' && (Array.isArray(obj) || typeof obj === 'string')) {
    const i = key < 0 ? obj.length + key : key;
    if (Number.isInteger(i) && i >= 0 && i < obj.length) return obj[i];
    if (lenient) return undefined;
    throw new EvalFailure(`index ${key} is out of range in "${path}" (length ${obj.length})`);
  }
  const k = typeof key === 'number' ? String(key) : key;
  if (typeof k === 'string' && (typeof obj === 'object' || typeof obj === 'string') && Object.hasOwn(Object(obj), k)) {
    return (obj as Record<string, unknown>)[k];
  }
  if (lenient) return undefined;
  const missing = { path: String(path), root: isRoot };
  throw new EvalFailure(isRoot ? `undefined variable "${path}"` : `"${path}" is undefined`, missing);
}
