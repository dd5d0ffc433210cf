// The AST of Nexus's condition expression language. Plain JSON data, so it is stored as-is in the IR file.
// `start`/`end` are character offsets into the expression source, used to point diagnostics at the right column.

export type LiteralValue = string | number | boolean | null;

export const BUILTIN_FUNCTIONS = ["len", "contains", "startsWith", "endsWith", "lower", "upper", "exists"] as const;
export type BuiltinFunction = (typeof BUILTIN_FUNCTIONS)[number];

export type BinaryOperator = "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "+" | "-" | "*" | "/" | "%";
export type UnaryOperator = "not" | "-";

interface Span {
  start: number;
  end: number;
}

export type Expression =
  | ({ type: "literal"; value: LiteralValue } & Span)
  | ({ type: "path"; path: string[] } & Span)
  | ({ type: "list"; items: Expression[] } & Span)
  | ({ type: "unary"; operator: UnaryOperator; operand: Expression } & Span)
  | ({ type: "binary"; operator: BinaryOperator; left: Expression; right: Expression } & Span)
  | ({ type: "call"; name: BuiltinFunction; args: Expression[] } & Span);

/** Calls `visit` on every sub-expression, parents first. */
export function walkExpression(expression: Expression, visit: (e: Expression) => void): void {
  visit(expression);
  switch (expression.type) {
    case "list":
      expression.items.forEach((item) => walkExpression(item, visit));
      break;
    case "unary":
      walkExpression(expression.operand, visit);
      break;
    case "binary":
      walkExpression(expression.left, visit);
      walkExpression(expression.right, visit);
      break;
    case "call":
      expression.args.forEach((arg) => walkExpression(arg, visit));
      break;
  }
}

/** State paths an expression reads, e.g. `[["score"], ["paper", "title"]]`. */
export function expressionPaths(expression: Expression): Extract<Expression, { type: "path" }>[] {
  const paths: Extract<Expression, { type: "path" }>[] = [];
  walkExpression(expression, (e) => {
    if (e.type === "path") paths.push(e);
  });
  return paths;
}
