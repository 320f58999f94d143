// jexl ships no types; only the surface runbook uses (src/expr) is declared.
declare module 'jexl' {
  /** A node of jexl's parse tree; fields depend on `type`. */
  export interface JexlAst {
    type: string;
    [key: string]: unknown;
  }

  export class Expression {
    compile(): Expression;
    evalSync(context?: object): unknown;
    /** Parse tree after compile(); src/expr rewrites it before evaluation. */
    _ast: JexlAst | null;
  }

  export class Jexl {
    addBinaryOp(operator: string, precedence: number, fn: (left: unknown, right: unknown) => unknown, manualEval?: boolean): void;
    addUnaryOp(operator: string, fn: (right: unknown) => unknown): void;
    addTransform(name: string, fn: (value: unknown, ...args: unknown[]) => unknown): void;
    createExpression(expression: string): Expression;
    evalSync(expression: string, context?: object): unknown;
  }

  const jexl: Jexl & { Jexl: typeof Jexl };
  export default jexl;
}
