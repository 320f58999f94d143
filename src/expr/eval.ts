// `when:`-style conditions in Jinja syntax, evaluated by jexl (a parser + tree walker: no eval).
import jexlPkg, { type Expression } from 'jexl';
import { didYouMean, ExpressionError, type Location } from '../errors.js';
import { checkedGet, GET_TRANSFORM, ROOT, rewrite, UnsupportedSyntax } from './ast.js';
import { EvalFailure, FILTERS, TESTS } from './filters.js';
import { NOT_IN, NOT_TRANSFORM, SyntaxProblem, stripMustache, TEST_TRANSFORM, toJexl } from './syntax.js';
import { deepEqual, truthy, typeName } from './values.js';

interface Lazy {
  eval(): { then(f: (v: unknown) => unknown): unknown };
}

function contains(item: unknown, container: unknown): boolean {
  if (typeof container === 'string') return container.includes(typeof item === 'string' ? item : String(item));
  if (Array.isArray(container)) return container.some((e) => deepEqual(e, item));
  if (container !== null && typeof container === 'object') return Object.hasOwn(container, String(item));
  throw new EvalFailure(`"in" needs a list, string or mapping on its right, got ${typeName(container)}`);
}

/** jexl's sync promise re-wraps errors thrown below a binary operator as plain `Error(String(e))`, so
 * the first failure of an evaluation is kept here (evaluation is synchronous, so never interleaved). */
let failure: EvalFailure | undefined;
function guarded<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => unknown {
  return (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      if (e instanceof EvalFailure) failure ??= e;
      throw e;
    }
  };
}

const jexl = new jexlPkg.Jexl();
// Python precedence: or < and < not < comparisons (`not` is rewritten in syntax.ts); == without coercion.
const lazyAnd = (l: unknown, r: unknown) => (l as Lazy).eval().then((v) => (truthy(v) ? (r as Lazy).eval() : v));
const lazyOr = (l: unknown, r: unknown) => (l as Lazy).eval().then((v) => (truthy(v) ? v : (r as Lazy).eval()));
jexl.addBinaryOp('and', 9, lazyAnd, true);
jexl.addBinaryOp('&&', 9, lazyAnd, true);
jexl.addBinaryOp('or', 8, lazyOr, true);
jexl.addBinaryOp('||', 8, lazyOr, true);
jexl.addBinaryOp('==', 20, (a, b) => deepEqual(a, b));
jexl.addBinaryOp('!=', 20, (a, b) => !deepEqual(a, b));
jexl.addBinaryOp('in', 20, guarded(contains));
jexl.addBinaryOp(
  NOT_IN,
  20,
  guarded((a, b) => !contains(a, b)),
);
jexl.addTransform(NOT_TRANSFORM, (v) => !truthy(v));
for (const [name, fn] of Object.entries(FILTERS)) jexl.addTransform(name, guarded(fn));
jexl.addTransform(
  TEST_TRANSFORM,
  guarded((v, test, negate, ...args) => TESTS[String(test)](v, ...args) !== negate),
);
jexl.addTransform(GET_TRANSFORM, guarded(checkedGet));

const MAX_CACHED = 5000;
const compiled = new Map<string, Expression>();

const SYNTAX_HINT = 'write conditions Jinja-style: and/or/not, ==, !=, in, not in, x is defined, x | default(…), x | length';

/** Load-time validation: a typo in a `when:` fails before any host is touched. */
export function checkExpression(expr: string, at: Location): void {
  compile(expr, at);
}

/** Evaluates one expression against a host's variables. */
export function evaluate(expr: string, vars: Record<string, unknown>, at?: Location): unknown {
  const e = compile(expr, at);
  failure = undefined;
  try {
    return e.evalSync({ [ROOT]: vars });
  } catch (thrown) {
    const err = thrown instanceof EvalFailure ? thrown : failure;
    if (err) {
      const m = err.missing;
      const guess = m?.root && m.path.length >= 3 ? didYouMean(m.path, Object.keys(vars)) : undefined;
      const guard = m && `define it, or guard it: ${m.path} is defined and …, or ${m.path} | default(…)`;
      const hint = [guess, guard].filter(Boolean).join(' ') || undefined;
      throw new ExpressionError(`${err.message} in expression "${expr}"`, { at, hint, cause: err });
    }
    const msg = (thrown as Error).message.replace(/^Error: /, '');
    throw new ExpressionError(`expression "${expr}" failed: ${msg}`, { at, cause: thrown });
  }
}

/** Conditions (`when`, `failed_when`, `until`): a list means all must hold; truthiness is Python's. */
export function evalBool(exprs: string | string[] | boolean, vars: Record<string, unknown>, at?: Location): boolean {
  if (typeof exprs === 'boolean') return exprs;
  const list: unknown[] = Array.isArray(exprs) ? exprs : [exprs];
  return list.every((x) => (typeof x === 'string' ? truthy(evaluate(x, vars, at)) : truthy(x)));
}

function compile(expr: string, at: Location | undefined): Expression {
  const hit = compiled.get(expr);
  if (hit) return hit;
  const fail = (why: string, hint = SYNTAX_HINT, cause?: unknown): never => {
    throw new ExpressionError(`invalid expression "${expr}": ${why}`, { at, hint, cause });
  };
  const body = stripMustache(expr);
  if (!body.trim()) fail('it is empty');
  let e: Expression;
  try {
    e = jexl.createExpression(toJexl(body)).compile();
  } catch (err) {
    return fail(err instanceof SyntaxProblem ? err.message : describeJexlError((err as Error).message), SYNTAX_HINT, err);
  }
  try {
    e._ast = rewrite(e._ast ?? fail('it is empty'));
  } catch (err) {
    if (err instanceof UnsupportedSyntax) fail(err.message, err.hint ?? SYNTAX_HINT);
    throw err;
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(expr, e);
  return e;
}

/** jexl speaks of tokens; users wrote Jinja, so translate our own rewrite names back. */
function describeJexlError(msg: string): string {
  const reserved = /^Token (\w+) \(undefined\) unexpected/.exec(msg)?.[1];
  if (reserved) return `"${reserved}" is a reserved name`;
  return msg
    .replaceAll(NOT_IN, 'not in')
    .replaceAll(`|${NOT_TRANSFORM}`, '')
    .replaceAll(TEST_TRANSFORM, 'is')
    .replace(/^Token (.*) unexpected in expression: .*$/s, 'unexpected "$1"')
    .replace(/^Unexpected end of expression: .*$/s, 'it ends too early');
}
