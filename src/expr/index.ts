// The condition expression language: parse at compile time, check against the state schema, evaluate at run time.
export * from "../ir/expression-ast.js";
export { parseExpression, ExpressionSyntaxError } from "./parse.js";
export { evaluateExpression, constantValue, readPath, truthy } from "./evaluate.js";
export { checkExpression, type OffsetLocator } from "./check.js";
