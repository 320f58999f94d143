// Handlebars' own `strict` throws inside {{#if x}} params too and crashes on `x.y` in helper params,
// so we compile non-strict and rewrite every variable read into a checked one, except where tested.
import type {} from 'handlebars';

type Node = hbs.AST.Node;
type Expr = hbs.AST.Expression;
type Path = hbs.AST.PathExpression;
type Hash = hbs.AST.Hash | undefined;

/** Helper that receives (name, line, value) and throws MissingVariable when value is undefined. */
export const CHECK_HELPER = '$strict';

/** Helpers whose parameters *are* the test, so a missing variable there is simply falsy. */
const EXEMPT_ALL = new Set(['if', 'unless']);
const EXEMPT_FIRST = new Set(['default']);
/** Inside an exempt position these combine presence tests, so their params stay exempt. */
const EXEMPT_PASS_THROUGH = new Set(['and', 'or', 'not']);

/** Thrown at render time; the renderer turns it into a TemplateError naming file, host and line. */
export class MissingVariable extends Error {
  constructor(
    readonly variable: string,
    readonly line: number | undefined,
  ) {
    super(`variable "${variable}" is undefined`);
  }
}

/** Rewrites a parsed (unprocessed) template in place so that reads of missing variables throw. */
export function makeStrict(program: hbs.AST.Program, helpers: ReadonlySet<string>): hbs.AST.Program {
  const isHelper = (p: Expr) => isPath(p) && p.parts.length === 1 && !p.data && !p.depth && helpers.has(p.parts[0]);

  const checked = (e: Expr, exempt: boolean): Expr => {
    if (e.type === 'SubExpression') {
      const s = e as hbs.AST.SubExpression;
      s.params = params(s.path, s.params, exempt);
      s.hash = hash(s.hash) as hbs.AST.Hash;
      return s;
    }
    if (!isPath(e) || exempt || !needsCheck(e)) return e;
    return {
      type: 'SubExpression',
      path: pathNode(CHECK_HELPER, e.loc),
      params: [stringLit(e.original, e.loc), numberLit(e.loc?.start.line ?? 0, e.loc), e],
      hash: undefined as unknown as hbs.AST.Hash,
      loc: e.loc,
    } as hbs.AST.SubExpression;
  };

  const params = (helper: Expr, ps: Expr[], exempt: boolean): Expr[] => {
    const name = isPath(helper) ? helper.original : '';
    return ps.map((p, i) => {
      const ex = EXEMPT_ALL.has(name) || (EXEMPT_FIRST.has(name) && i === 0) || (exempt && EXEMPT_PASS_THROUGH.has(name));
      return checked(p, ex);
    });
  };

  const hash = (h: Hash): Hash => {
    if (h) for (const pair of h.pairs) pair.value = checked(pair.value, false);
    return h;
  };

  const visit = (n: Node | undefined): void => {
    if (!n) return;
    switch (n.type) {
      case 'Program':
        for (const s of (n as hbs.AST.Program).body) visit(s);
        return;
      case 'MustacheStatement': {
        const m = n as hbs.AST.MustacheStatement;
        const hasArgs = m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0;
        if (hasArgs || isHelper(m.path)) {
          m.params = params(m.path, m.params, false);
          m.hash = hash(m.hash) as hbs.AST.Hash;
        } else if (isPath(m.path) && needsCheck(m.path)) {
          m.params = [stringLit(m.path.original, m.loc), numberLit(m.loc?.start.line ?? 0, m.loc), m.path];
          m.path = pathNode(CHECK_HELPER, m.loc);
        }
        return;
      }
      case 'BlockStatement': {
        const b = n as hbs.AST.BlockStatement;
        // `{{#x}}…{{/x}}` without a helper is a Mustache section: a conditional, so left lenient.
        if (b.params.length > 0 || isHelper(b.path)) {
          b.params = params(b.path, b.params, false);
          b.hash = hash(b.hash) as hbs.AST.Hash;
        }
        visit(b.program);
        visit(b.inverse);
        return;
      }
      default:
        return;
    }
  };

  visit(program);
  return program;
}

function isPath(e: Expr): e is Path {
  return e.type === 'PathExpression';
}

function needsCheck(p: Path): boolean {
  if (p.parts.length === 0) return false; // `this`, `.`
  if (p.data) return p.parts[0] === 'root' && p.parts.length > 1;
  return true;
}

function pathNode(name: string, loc: hbs.AST.SourceLocation): Path {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

function stringLit(value: string, loc: hbs.AST.SourceLocation): hbs.AST.StringLiteral {
  return { type: 'StringLiteral', value, original: value, loc };
}

function numberLit(value: number, loc: hbs.AST.SourceLocation): hbs.AST.NumberLiteral {
  return { type: 'NumberLiteral', value, original: value, loc };
}
