// Jinja2's grammar (jinja2/parser.py, same precedence and the same statements) to a small tree.
import { JinjaSyntaxError, type LexOptions, type Token, tokenize } from './lexer.js';

export type Expr =
  | { k: 'const'; v: unknown; pos: number }
  | { k: 'name'; name: string; pos: number }
  | { k: 'list'; items: Expr[]; pos: number }
  | { k: 'tuple'; items: Expr[]; pos: number }
  | { k: 'dict'; items: [Expr, Expr][]; pos: number }
  | { k: 'getattr'; obj: Expr; attr: string; pos: number }
  | { k: 'getitem'; obj: Expr; index: Expr; pos: number }
  | { k: 'slice'; obj: Expr; start?: Expr; stop?: Expr; step?: Expr; pos: number }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: [string, Expr][]; star?: Expr; dstar?: Expr; pos: number }
  | { k: 'filter'; name: string; value: Expr | null; args: Expr[]; kwargs: [string, Expr][]; pos: number }
  | { k: 'test'; name: string; value: Expr; args: Expr[]; kwargs: [string, Expr][]; negate: boolean; pos: number }
  | { k: 'unary'; op: 'not' | '-' | '+'; arg: Expr; pos: number }
  | { k: 'bin'; op: string; left: Expr; right: Expr; pos: number }
  | { k: 'and' | 'or'; left: Expr; right: Expr; pos: number }
  | { k: 'compare'; first: Expr; ops: [string, Expr][]; pos: number }
  | { k: 'concat'; parts: Expr[]; pos: number }
  | { k: 'cond'; test: Expr; yes: Expr; else?: Expr; pos: number };

export interface MacroDef {
  name: string;
  params: { name: string; default?: Expr }[];
  body: Node[];
  pos: number;
}

export type Node =
  | { k: 'data'; text: string }
  | { k: 'output'; expr: Expr; pos: number }
  | { k: 'if'; branches: { test: Expr; body: Node[] }[]; else: Node[]; pos: number }
  | { k: 'for'; target: string[]; iter: Expr; cond?: Expr; body: Node[]; else: Node[]; recursive: boolean; pos: number }
  | { k: 'set'; target: Target; value: Expr; pos: number }
  | { k: 'setblock'; target: Target; body: Node[]; filters: Expr | null; pos: number }
  | { k: 'macro'; def: MacroDef }
  | { k: 'callblock'; call: Expr; params: MacroDef['params']; body: Node[]; pos: number }
  | { k: 'filterblock'; filter: Expr; body: Node[]; pos: number }
  | { k: 'with'; assigns: [string, Expr][]; body: Node[]; pos: number }
  | { k: 'include'; template: Expr; ignoreMissing: boolean; withContext: boolean; pos: number }
  | { k: 'import'; template: Expr; as: string; withContext: boolean; pos: number }
  | { k: 'fromimport'; template: Expr; names: [string, string][]; withContext: boolean; pos: number }
  | { k: 'do'; expr: Expr; pos: number };

/** Assignment targets: a name, several names (`a, b = …`), or a namespace attribute (`ns.x = …`). */
export type Target = { names: string[] } | { ns: string; attr: string };

const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);
const PRIMARY_START = new Set(['name', 'string', 'number']);
const CONSTS: Record<string, unknown> = { true: true, false: false, none: null, True: true, False: false, None: null };

export class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  static template(src: string, opts: LexOptions): Node[] {
    const p = new Parser(tokenize(src, opts));
    const body = p.subparse([]);
    return body;
  }

  static expression(src: string): Expr {
    const p = new Parser(tokenize(src, { trimBlocks: false, lstripBlocks: false }, true));
    if (p.peek().type === 'eof') throw new JinjaSyntaxError('the expression is empty', 0);
    const e = p.tuple(false);
    p.expectType('eof', 'the end of the expression');
    return e;
  }

  // ---- token helpers
  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  private next(): Token {
    return this.toks[this.i++];
  }
  private isOp(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.type === 'op' && t.value === v;
  }
  private isName(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.type === 'name' && t.value === v;
  }
  private skipOp(v: string): boolean {
    if (!this.isOp(v)) return false;
    this.i++;
    return true;
  }
  private skipName(v: string): boolean {
    if (!this.isName(v)) return false;
    this.i++;
    return true;
  }
  private fail(msg: string, t = this.peek(), hint?: string): never {
    throw new JinjaSyntaxError(msg, t.pos, hint);
  }
  private describe(t: Token): string {
    if (t.type === 'eof') return 'end of template';
    if (t.type === 'var_end') return "'}}'";
    if (t.type === 'block_end') return "'%}'";
    if (t.type === 'data') return 'template data';
    return `'${t.value}'`;
  }
  private expectOp(v: string): Token {
    if (!this.isOp(v)) this.fail(`expected '${v}', got ${this.describe(this.peek())}`);
    return this.next();
  }
  private expectType(type: Token['type'], what: string): Token {
    if (this.peek().type !== type) this.fail(`expected ${what}, got ${this.describe(this.peek())}`);
    return this.next();
  }
  private expectName(what = 'a name'): string {
    return this.expectType('name', what).value;
  }
  private expectName_(v: string): void {
    if (!this.skipName(v)) this.fail(`expected '${v}', got ${this.describe(this.peek())}`);
  }
  private endBlock(): void {
    this.expectType('block_end', "the end of the tag '%}'");
  }

  // ---- statements
  /** Parses nodes until a block tag named in `ends` (left unconsumed) or the end of the template. */
  private subparse(ends: string[]): Node[] {
    const body: Node[] = [];
    while (true) {
      const t = this.peek();
      if (t.type === 'eof') {
        if (ends.length)
          this.fail(`unexpected end of template: the block is not closed (expected ${ends.map((e) => `{% ${e} %}`).join(' or ')})`, t);
        return body;
      }
      if (t.type === 'data') {
        body.push({ k: 'data', text: this.next().value });
      } else if (t.type === 'var_begin') {
        this.next();
        const expr = this.tuple(false);
        this.expectType('var_end', "'}}'");
        body.push({ k: 'output', expr, pos: t.pos });
      } else if (t.type === 'block_begin') {
        const name = this.peek(1);
        if (name.type === 'name' && ends.includes(name.value)) return body;
        this.next();
        body.push(this.statement(t));
      } else this.fail(`unexpected ${this.describe(t)}`);
    }
  }

  private statement(begin: Token): Node {
    const t = this.peek();
    if (t.type !== 'name') this.fail(`expected a statement name after '{%', got ${this.describe(t)}`);
    const pos = begin.pos;
    this.next();
    switch (t.value) {
      case 'if':
        return this.ifStmt(pos);
      case 'for':
        return this.forStmt(pos);
      case 'set':
        return this.setStmt(pos);
      case 'macro':
        return this.macroStmt(pos);
      case 'call':
        return this.callStmt(pos);
      case 'filter':
        return this.filterStmt(pos);
      case 'with':
        return this.withStmt(pos);
      case 'include':
        return this.includeStmt(pos);
      case 'import':
        return this.importStmt(pos);
      case 'from':
        return this.fromStmt(pos);
      case 'do': {
        const expr = this.tuple(false);
        this.endBlock();
        return { k: 'do', expr, pos };
      }
      case 'extends':
      case 'block':
        return this.fail(`{% ${t.value} %} (template inheritance) is not supported`, t, 'use {% include %} or macros instead');
      default: {
        const known = ['endif', 'endfor', 'endmacro', 'endset', 'endcall', 'endfilter', 'endwith', 'else', 'elif'];
        if (known.includes(t.value)) this.fail(`unexpected {% ${t.value} %}: no open block it can close`, t);
        return this.fail(
          `unknown statement "${t.value}"`,
          t,
          'Jinja statements: if, for, set, macro, call, filter, with, include, import, from, raw',
        );
      }
    }
  }

  private ifStmt(pos: number): Node {
    const branches: { test: Expr; body: Node[] }[] = [];
    let test = this.tuple(false);
    this.endBlock();
    while (true) {
      const body = this.subparse(['elif', 'else', 'endif']);
      branches.push({ test, body });
      this.next(); // block_begin
      const kw = this.next().value;
      if (kw === 'elif') {
        test = this.tuple(false);
        this.endBlock();
        continue;
      }
      if (kw === 'else') {
        this.endBlock();
        const els = this.subparse(['endif']);
        this.next();
        this.next();
        this.endBlock();
        return { k: 'if', branches, else: els, pos };
      }
      this.endBlock();
      return { k: 'if', branches, else: [], pos };
    }
  }

  private forStmt(pos: number): Node {
    const target = [this.expectName('a loop variable')];
    while (this.skipOp(',')) {
      if (this.isName('in')) break;
      target.push(this.expectName('a loop variable'));
    }
    this.expectName_('in');
    const iter = this.tuple(false, true);
    let cond: Expr | undefined;
    if (this.skipName('if')) cond = this.expression(true);
    const recursive = this.skipName('recursive');
    this.endBlock();
    const body = this.subparse(['endfor', 'else']);
    this.next();
    let els: Node[] = [];
    if (this.next().value === 'else') {
      this.endBlock();
      els = this.subparse(['endfor']);
      this.next();
      this.next();
    }
    this.endBlock();
    return { k: 'for', target, iter, cond, body, else: els, recursive, pos };
  }

  private target(): Target {
    const first = this.expectName('a variable name');
    if (this.skipOp('.')) return { ns: first, attr: this.expectName('an attribute name') };
    const names = [first];
    while (this.skipOp(',')) names.push(this.expectName('a variable name'));
    return { names };
  }

  private setStmt(pos: number): Node {
    const target = this.target();
    if (this.skipOp('=')) {
      const value = this.tuple(false);
      this.endBlock();
      return { k: 'set', target, value, pos };
    }
    const filters = this.isOp('|') ? this.filterChain(null) : null;
    this.endBlock();
    const body = this.subparse(['endset']);
    this.next();
    this.next();
    this.endBlock();
    return { k: 'setblock', target, body, filters, pos };
  }

  private params(): MacroDef['params'] {
    const params: MacroDef['params'] = [];
    this.expectOp('(');
    while (!this.isOp(')')) {
      if (params.length) this.expectOp(',');
      if (this.isOp(')')) break;
      const name = this.expectName('a parameter name');
      const def = this.skipOp('=') ? this.expression() : undefined;
      params.push({ name, default: def });
    }
    this.expectOp(')');
    return params;
  }

  private macroStmt(pos: number): Node {
    const name = this.expectName('a macro name');
    const params = this.params();
    this.endBlock();
    const body = this.subparse(['endmacro']);
    this.next();
    this.next();
    this.endBlock();
    return { k: 'macro', def: { name, params, body, pos } };
  }

  private callStmt(pos: number): Node {
    const params = this.isOp('(') ? this.params() : [];
    const call = this.expression();
    if (call.k !== 'call') this.fail('{% call %} needs a macro call, such as {% call m(1) %}');
    this.endBlock();
    const body = this.subparse(['endcall']);
    this.next();
    this.next();
    this.endBlock();
    return { k: 'callblock', call, params, body, pos };
  }

  private filterStmt(pos: number): Node {
    // The first filter is written without a pipe: {% filter upper | trim %}.
    const t = this.peek();
    const name = this.dottedName();
    const a = this.isOp('(') ? this.callArgs() : { args: [], kwargs: [] };
    const filter = this.filterChain({ k: 'filter', name, value: null, args: a.args, kwargs: a.kwargs, pos: t.pos });
    this.endBlock();
    const body = this.subparse(['endfilter']);
    this.next();
    this.next();
    this.endBlock();
    return { k: 'filterblock', filter, body, pos };
  }

  private withStmt(pos: number): Node {
    const assigns: [string, Expr][] = [];
    while (this.peek().type !== 'block_end') {
      if (assigns.length) this.expectOp(',');
      const name = this.expectName('a variable name');
      this.expectOp('=');
      assigns.push([name, this.expression()]);
    }
    this.endBlock();
    const body = this.subparse(['endwith']);
    this.next();
    this.next();
    this.endBlock();
    return { k: 'with', assigns, body, pos };
  }

  private context(dflt: boolean): boolean {
    if ((this.isName('with') || this.isName('without')) && this.isName('context', 1)) {
      const w = this.next().value === 'with';
      this.next();
      return w;
    }
    return dflt;
  }

  private includeStmt(pos: number): Node {
    const template = this.expression();
    let ignoreMissing = false;
    if (this.isName('ignore') && this.isName('missing', 1)) {
      this.i += 2;
      ignoreMissing = true;
    }
    const withContext = this.context(true);
    this.endBlock();
    return { k: 'include', template, ignoreMissing, withContext, pos };
  }

  private importStmt(pos: number): Node {
    const template = this.expression();
    this.expectName_('as');
    const as = this.expectName('a name');
    const withContext = this.context(false);
    this.endBlock();
    return { k: 'import', template, as, withContext, pos };
  }

  private fromStmt(pos: number): Node {
    const template = this.expression();
    this.expectName_('import');
    const names: [string, string][] = [];
    while (true) {
      if (names.length && !this.skipOp(',')) break;
      if (this.peek().type !== 'name' || ((this.isName('with') || this.isName('without')) && this.isName('context', 1))) break;
      const name = this.expectName();
      names.push([name, this.skipName('as') ? this.expectName() : name]);
    }
    const withContext = this.context(false);
    this.endBlock();
    return { k: 'fromimport', template, names, withContext, pos };
  }

  // ---- expressions
  /** A comma-separated tuple, or one expression when there is no comma. */
  tuple(simplified: boolean, noCondExpr = false): Expr {
    const pos = this.peek().pos;
    const items: Expr[] = [];
    let comma = false;
    while (true) {
      if (items.length) {
        if (!this.skipOp(',')) break;
        comma = true;
      }
      if (this.atTupleEnd()) break;
      items.push(simplified ? this.primary() : this.expression(!noCondExpr));
    }
    if (!comma && items.length === 1) return items[0];
    if (!items.length && !comma) this.fail(`expected an expression, got ${this.describe(this.peek())}`);
    return { k: 'tuple', items, pos };
  }

  private atTupleEnd(): boolean {
    const t = this.peek();
    if (t.type === 'var_end' || t.type === 'block_end' || t.type === 'eof') return true;
    if (t.type === 'op' && (t.value === ')' || t.value === ']' || t.value === '}')) return true;
    return t.type === 'name' && (t.value === 'in' || t.value === 'if' || t.value === 'recursive');
  }

  expression(withCond = true): Expr {
    const e = this.or();
    if (!withCond || !this.isName('if')) return e;
    // `a if b else c`; without else the result is undefined when b is false (as in Jinja2).
    const pos = this.next().pos;
    const test = this.or();
    const els = this.skipName('else') ? this.expression() : undefined;
    return { k: 'cond', test, yes: e, else: els, pos };
  }

  private or(): Expr {
    let left = this.and();
    while (this.isName('or')) {
      const pos = this.next().pos;
      left = { k: 'or', left, right: this.and(), pos };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isName('and')) {
      const pos = this.next().pos;
      left = { k: 'and', left, right: this.not(), pos };
    }
    return left;
  }

  private not(): Expr {
    if (this.isName('not')) {
      const pos = this.next().pos;
      return { k: 'unary', op: 'not', arg: this.not(), pos };
    }
    return this.compare();
  }

  private compare(): Expr {
    const pos = this.peek().pos;
    const first = this.math1();
    const ops: [string, Expr][] = [];
    while (true) {
      const t = this.peek();
      if (t.type === 'op' && COMPARE.has(t.value)) {
        this.next();
        ops.push([t.value, this.math1()]);
      } else if (this.isName('in')) {
        this.next();
        ops.push(['in', this.math1()]);
      } else if (this.isName('not') && this.isName('in', 1)) {
        this.i += 2;
        ops.push(['notin', this.math1()]);
      } else break;
    }
    return ops.length ? { k: 'compare', first, ops, pos } : first;
  }

  private math1(): Expr {
    let left = this.concat();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      left = { k: 'bin', op: t.value, left, right: this.concat(), pos: t.pos };
    }
    return left;
  }

  private concat(): Expr {
    const pos = this.peek().pos;
    const parts = [this.math2()];
    while (this.skipOp('~')) parts.push(this.math2());
    return parts.length === 1 ? parts[0] : { k: 'concat', parts, pos };
  }

  private math2(): Expr {
    let left = this.pow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const t = this.next();
      left = { k: 'bin', op: t.value, left, right: this.pow(), pos: t.pos };
    }
    return left;
  }

  private pow(): Expr {
    let left = this.unary();
    while (this.isOp('**')) {
      const t = this.next();
      left = { k: 'bin', op: '**', left, right: this.unary(), pos: t.pos };
    }
    return left;
  }

  private unary(withFilter = true): Expr {
    let node: Expr;
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.next();
      node = { k: 'unary', op: t.value as '-' | '+', arg: this.unary(false), pos: t.pos };
    } else node = this.postfix(this.primary());
    return withFilter ? this.filterExpr(node) : node;
  }

  primary(): Expr {
    const t = this.peek();
    if (t.type === 'name') {
      this.next();
      if (Object.hasOwn(CONSTS, t.value)) return { k: 'const', v: CONSTS[t.value], pos: t.pos };
      return { k: 'name', name: t.value, pos: t.pos };
    }
    if (t.type === 'string') {
      let s = this.next().value;
      while (this.peek().type === 'string') s += this.next().value;
      return { k: 'const', v: s, pos: t.pos };
    }
    if (t.type === 'number') {
      this.next();
      return { k: 'const', v: t.num, pos: t.pos };
    }
    if (this.skipOp('(')) {
      if (this.skipOp(')')) return { k: 'tuple', items: [], pos: t.pos };
      const e = this.tuple(false);
      this.expectOp(')');
      return e;
    }
    if (this.skipOp('[')) {
      const items: Expr[] = [];
      while (!this.isOp(']')) {
        if (items.length) this.expectOp(',');
        if (this.isOp(']')) break;
        items.push(this.expression());
      }
      this.expectOp(']');
      return { k: 'list', items, pos: t.pos };
    }
    if (this.skipOp('{')) {
      const items: [Expr, Expr][] = [];
      while (!this.isOp('}')) {
        if (items.length) this.expectOp(',');
        if (this.isOp('}')) break;
        const key = this.expression();
        this.expectOp(':');
        items.push([key, this.expression()]);
      }
      this.expectOp('}');
      return { k: 'dict', items, pos: t.pos };
    }
    return this.fail(
      `unexpected ${this.describe(t)}`,
      t,
      t.type === 'var_end' || t.type === 'block_end' ? 'an expression is missing here' : undefined,
    );
  }

  private postfix(node: Expr): Expr {
    while (true) {
      const t = this.peek();
      if (this.isOp('.')) {
        this.next();
        const a = this.next();
        if (a.type === 'name') node = { k: 'getattr', obj: node, attr: a.value, pos: a.pos };
        else if (a.type === 'number' && Number.isInteger(a.num))
          node = { k: 'getitem', obj: node, index: { k: 'const', v: a.num, pos: a.pos }, pos: a.pos };
        else this.fail(`expected an attribute name after '.', got ${this.describe(a)}`, a);
      } else if (this.isOp('[')) {
        this.next();
        node = this.subscript(node, t.pos);
        this.expectOp(']');
      } else if (this.isOp('(')) {
        node = this.call(node);
      } else return node;
    }
  }

  private subscript(obj: Expr, pos: number): Expr {
    const part = (): Expr | undefined => (this.isOp(':') || this.isOp(']') ? undefined : this.expression());
    const start = part();
    if (!this.isOp(':')) {
      if (!start) this.fail('expected an index');
      // a[1, 2] indexes by a tuple; rare, but Jinja parses it.
      if (this.isOp(',')) {
        const items = [start as Expr];
        while (this.skipOp(',')) if (!this.isOp(']')) items.push(this.expression());
        return { k: 'getitem', obj, index: { k: 'tuple', items, pos }, pos };
      }
      return { k: 'getitem', obj, index: start as Expr, pos };
    }
    this.next();
    const stop = part();
    let step: Expr | undefined;
    if (this.skipOp(':')) step = part();
    return { k: 'slice', obj, start, stop, step, pos };
  }

  private callArgs(): { args: Expr[]; kwargs: [string, Expr][]; star?: Expr; dstar?: Expr } {
    this.expectOp('(');
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    let star: Expr | undefined;
    let dstar: Expr | undefined;
    let first = true;
    while (!this.isOp(')')) {
      if (!first) this.expectOp(',');
      first = false;
      if (this.isOp(')')) break;
      if (this.skipOp('**')) dstar = this.expression();
      else if (this.skipOp('*')) star = this.expression();
      else if (this.peek().type === 'name' && this.isOp('=', 1)) {
        const key = this.next().value;
        this.next();
        kwargs.push([key, this.expression()]);
      } else {
        if (kwargs.length) this.fail('a positional argument follows a keyword argument');
        args.push(this.expression());
      }
    }
    this.expectOp(')');
    return { args, kwargs, star, dstar };
  }

  private call(fn: Expr): Expr {
    const pos = this.peek().pos;
    return { k: 'call', fn, ...this.callArgs(), pos };
  }

  private dottedName(): string {
    let name = this.expectName('a filter or test name');
    while (this.isOp('.') && this.peek(1).type === 'name') {
      this.next();
      name += `.${this.next().value}`;
    }
    return name;
  }

  /** `| f(args) | g` applied to value; with value null, a chain for {% filter %} and {% set x | f %}. */
  private filterChain(value: Expr | null): Expr {
    let node = value;
    while (this.isOp('|')) {
      const t = this.next();
      const name = this.dottedName();
      const a = this.isOp('(') ? this.callArgs() : { args: [], kwargs: [] };
      node = { k: 'filter', name, value: node, args: a.args, kwargs: a.kwargs, pos: t.pos };
    }
    return node as Expr;
  }

  private filterExpr(node: Expr): Expr {
    while (true) {
      if (this.isOp('|')) node = this.filterChain(node);
      else if (this.isName('is')) node = this.test(node);
      else if (this.isOp('(')) node = this.call(node);
      else return node;
    }
  }

  private test(value: Expr): Expr {
    const pos = this.next().pos;
    const negate = this.skipName('not');
    const name = this.dottedName();
    let args: Expr[] = [];
    let kwargs: [string, Expr][] = [];
    const t = this.peek();
    if (this.isOp('(')) ({ args, kwargs } = this.callArgs());
    else if (
      (PRIMARY_START.has(t.type) || (t.type === 'op' && ['(', '[', '{'].includes(t.value))) &&
      !(t.type === 'name' && ['else', 'or', 'and', 'if', 'is'].includes(t.value))
    ) {
      args = [this.postfix(this.primary())];
    }
    return { k: 'test', name, value, args, kwargs, negate, pos };
  }
}
