// Conditions and bare expressions (`when:`, `changed_when:`, `loop: packages`) in Jinja, located for the user.
import { didYouMean, ExpressionError, type Location } from '../errors.js';
import {
  compileExpression,
  compileTemplate,
  errorPosition,
  isTemplate,
  JinjaError,
  JinjaSyntaxError,
  evaluate as jinjaEvaluate,
  PLAYBOOK_OPTIONS,
  type RenderCall,
  renderString,
  UndefinedError,
} from '../jinja/index.js';
import { truthy } from '../jinja/values.js';

const SYNTAX_HINT = 'write conditions as Jinja expressions: and/or/not, ==, !=, in, not in, x is defined, x | default(…), x | length';

/** A `when: "{{ x }}"` is the expression x, as in Ansible (which warns about it). */
function bare(expr: string): string {
  const m = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(expr);
  return m && !m[1].includes('{{') && !m[1].includes('}}') ? m[1] : expr;
}

/** Load-time validation: a typo in a `when:` fails before any host is touched. */
export function checkExpression(expr: string, at: Location): void {
  const body = bare(expr);
  try {
    if (isTemplate(body)) {
      // Rendered first, then read as an expression: check both parts, with a name standing in for each {{ }}.
      compileTemplate(body, undefined, PLAYBOOK_OPTIONS);
      compileExpression(body.replace(/\{\{[\s\S]*?\}\}/g, '_rendered_'));
      return;
    }
    compileExpression(body);
  } catch (e) {
    throw located(e, expr, at, undefined);
  }
}

function evaluateBare(expr: string, vars: Record<string, unknown>, call: RenderCall): unknown {
  const body = bare(expr);
  // A condition that still holds {{ }} inside is rendered first, then read as an expression (Ansible's order).
  const text = isTemplate(body) ? String(renderString(body, vars, call)) : body;
  return jinjaEvaluate(text, vars, call);
}

/** Evaluates one expression against a host's variables. */
export function evaluate(expr: string, vars: Record<string, unknown>, at?: Location, host?: string, call: RenderCall = {}): unknown {
  try {
    return evaluateBare(expr, vars, call);
  } catch (e) {
    throw located(e, expr, at, host, vars);
  }
}

/**
 * evalBool's answer, or undefined where evalBool would throw; no error is made for the user (its hint compares the
 * name with every variable): the check before connecting asks this of every task on every host, and a loop's
 * `when` naming its item cannot be evaluated there.
 */
export function evalBoolIfCan(exprs: string | string[] | boolean, vars: Record<string, unknown>): boolean | undefined {
  if (typeof exprs === 'boolean') return exprs;
  const list: unknown[] = Array.isArray(exprs) ? exprs : [exprs];
  try {
    return list.every((x) => truthy(typeof x === 'string' ? evaluateBare(x, vars, {}) : x));
  } catch {
    return undefined;
  }
}

/** Conditions (`when`, `failed_when`, `until`): a list means all must hold; truthiness is Python's. */
export function evalBool(
  exprs: string | string[] | boolean,
  vars: Record<string, unknown>,
  at?: Location,
  host?: string,
  call: RenderCall = {},
): boolean {
  if (typeof exprs === 'boolean') return exprs;
  const list: unknown[] = Array.isArray(exprs) ? exprs : [exprs];
  return list.every((x) => {
    if (typeof x !== 'string') return truthy(x);
    const v = evaluate(x, vars, at, host, call);
    try {
      return truthy(v);
    } catch (e) {
      throw located(e, x, at, host, vars);
    }
  });
}

/** A JinjaError as the user's error: the YAML location, the column inside the expression, the host and a hint. */
export function located(
  e: unknown,
  expr: string,
  at: Location | undefined,
  host: string | undefined,
  vars?: Record<string, unknown>,
): unknown {
  if (!(e instanceof JinjaError)) return e;
  const pos = errorPosition(e);
  const col = pos && (pos.line > 1 || pos.col > 1) ? ` (line ${pos.line}, column ${pos.col} of the expression)` : '';
  const forHost = host ? ` for host ${host}` : '';
  if (e instanceof UndefinedError) {
    const name = e.undef.name;
    const head = name.split(/[.[]/)[0];
    const guess = vars && head.length >= 3 && !Object.hasOwn(vars, head) ? didYouMean(head, Object.keys(vars)) : undefined;
    const guard = `define it, or guard it: ${name} is defined and …, or ${name} | default(…)`;
    return new ExpressionError(`${e.message}${forHost} in "${expr}"${col}`, {
      at,
      hint: [guess, guard].filter(Boolean).join(' '),
      cause: e,
    });
  }
  const syntax = e instanceof JinjaSyntaxError;
  const what = syntax ? `invalid expression "${expr}": ${e.message}` : `${e.message}${forHost} in "${expr}"`;
  return new ExpressionError(`${what}${col}`, { at, hint: e.hint ?? (syntax ? SYNTAX_HINT : undefined), cause: e });
}
