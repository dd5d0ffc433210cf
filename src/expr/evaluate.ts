// Evaluates a parsed condition expression against an item's state. Total: never throws on odd data; a missing field
// reads as null, arithmetic on non-numbers gives null, and truthiness follows JavaScript's rules for booleans.
import { walkExpression, type Expression, type LiteralValue } from "../ir/expression-ast.js";

type Value = LiteralValue | Value[] | { [key: string]: unknown } | undefined;

/** Reads a path from state; a leading `state.` is accepted when state has no field named `state`. */
export function readPath(state: Record<string, unknown>, path: string[]): unknown {
  const parts = path[0] === "state" && path.length > 1 && !("state" in state) ? path.slice(1) : path;
  let current: unknown = state;
  for (const part of parts) {
    if (current === null || typeof current !== "object") return null;
    // Own fields only: `constructor` or `__proto__` must not reach JavaScript's object prototype.
    current = Object.hasOwn(current, part) ? (current as Record<string, unknown>)[part] : undefined;
  }
  return current === undefined ? null : current;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function contains(container: unknown, element: unknown): boolean {
  if (Array.isArray(container)) return container.some((item) => equal(item, element));
  if (typeof container === "string") return typeof element === "string" && container.includes(element);
  if (container && typeof container === "object")
    return typeof element === "string" && Object.hasOwn(container, element);
  return false;
}

function compare(a: unknown, b: unknown, test: (order: number) => boolean): boolean {
  if (typeof a === "number" && typeof b === "number") return test(a - b);
  if (typeof a === "string" && typeof b === "string") return test(a < b ? -1 : a > b ? 1 : 0);
  return false;
}

function arithmetic(operator: string, a: unknown, b: unknown): Value {
  if (operator === "+" && typeof a === "string" && typeof b === "string") return a + b;
  if (typeof a !== "number" || typeof b !== "number") return null;
  switch (operator) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? null : a / b;
    default:
      return b === 0 ? null : a % b;
  }
}

/** JavaScript truthiness, except that empty lists are false (as in Python, which UAN conditions come from). */
export function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

export function evaluateExpression(expression: Expression, state: Record<string, unknown>): unknown {
  const evaluate = (e: Expression): unknown => evaluateExpression(e, state);
  switch (expression.type) {
    case "literal":
      return expression.value;
    case "path":
      return readPath(state, expression.path);
    case "list":
      return expression.items.map(evaluate);
    case "unary":
      return expression.operator === "not"
        ? !truthy(evaluate(expression.operand))
        : arithmetic("-", 0, evaluate(expression.operand));
    case "call":
      return callBuiltin(expression.name, expression.args.map(evaluate));
    case "binary": {
      const { operator } = expression;
      if (operator === "and") return truthy(evaluate(expression.left)) && truthy(evaluate(expression.right));
      if (operator === "or") return truthy(evaluate(expression.left)) || truthy(evaluate(expression.right));
      const left = evaluate(expression.left);
      const right = evaluate(expression.right);
      switch (operator) {
        case "==":
          return equal(left, right);
        case "!=":
          return !equal(left, right);
        case "<":
          return compare(left, right, (o) => o < 0);
        case "<=":
          return compare(left, right, (o) => o <= 0);
        case ">":
          return compare(left, right, (o) => o > 0);
        case ">=":
          return compare(left, right, (o) => o >= 0);
        case "in":
          return contains(right, left);
        default:
          return arithmetic(operator, left, right);
      }
    }
  }
}

function callBuiltin(name: string, args: unknown[]): unknown {
  const [first, second] = args;
  switch (name) {
    case "len":
      if (typeof first === "string" || Array.isArray(first)) return first.length;
      return first && typeof first === "object" ? Object.keys(first).length : 0;
    case "contains":
      return contains(first, second);
    case "startsWith":
      return typeof first === "string" && typeof second === "string" && first.startsWith(second);
    case "endsWith":
      return typeof first === "string" && typeof second === "string" && first.endsWith(second);
    case "lower":
      return typeof first === "string" ? first.toLowerCase() : null;
    case "upper":
      return typeof first === "string" ? first.toUpperCase() : null;
    default:
      return first !== null && first !== undefined;
  }
}

/** Evaluates without state when the expression reads no field; `undefined` when it does (not constant). */
export function constantValue(expression: Expression): unknown {
  let readsState = false;
  walkExpression(expression, (e) => {
    if (e.type === "path") readsState = true;
  });
  return readsState ? undefined : evaluateExpression(expression, {});
}
