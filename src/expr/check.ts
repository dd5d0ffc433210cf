// Checks a parsed expression against a graph's state schema: every field it reads must exist, and comparisons of a
// typed field with a literal of another type are flagged.
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import { diagnostics } from "../diagnostics/codes.js";
import { schemaAtPath, stateFieldNames, withoutStatePrefix } from "../ir/state-schema.js";
import type { JsonSchema } from "../ir/types.js";
import { expressionPaths, walkExpression, type Expression } from "../ir/expression-ast.js";

/** Where an expression's character offsets land in the source file. */
export type OffsetLocator = (offset: number) => SourceLocation;

function literalType(value: unknown): string {
  return value === null ? "null" : typeof value === "number" ? "number" : typeof value;
}

function schemaType(schema: JsonSchema | undefined): string | undefined {
  const type = schema?.type;
  if (type === "integer") return "number";
  return typeof type === "string" ? type : undefined;
}

export function checkExpression(
  expression: Expression,
  stateSchema: JsonSchema | undefined,
  locate: OffsetLocator,
  /** Names visible besides state fields (e.g. the map element name). */
  extraNames: string[] = [],
): Diagnostic[] {
  if (!stateSchema) return [];
  const found: Diagnostic[] = [];
  // Listed only for a did-you-mean when a field is unknown: listing them per expression made checking quadratic.
  const known = () => [...(stateFieldNames(stateSchema) ?? []), ...extraNames];
  for (const pathExpression of expressionPaths(expression)) {
    const path = withoutStatePrefix(pathExpression.path, stateSchema);
    if (extraNames.includes(path[0])) continue;
    if (schemaAtPath(stateSchema, path) === undefined) {
      found.push(diagnostics.unknownStateField(path.join("."), known(), locate(pathExpression.start)));
    }
  }
  walkExpression(expression, (e) => {
    if (e.type !== "binary" || !["==", "!=", "<", "<=", ">", ">="].includes(e.operator)) return;
    const [path, literal] =
      e.left.type === "path" && e.right.type === "literal"
        ? [e.left, e.right]
        : e.right.type === "path" && e.left.type === "literal"
          ? [e.right, e.left]
          : [];
    if (!path || !literal || literal.value === null) return;
    const fieldType = schemaType(schemaAtPath(stateSchema, withoutStatePrefix(path.path, stateSchema)));
    const valueType = literalType(literal.value);
    if (fieldType && fieldType !== valueType) {
      found.push(
        diagnostics.expressionTypeMismatch(
          `'${path.path.join(".")}' is ${fieldType} but is compared with ${valueType} ${JSON.stringify(literal.value)}`,
          locate(e.start),
        ),
      );
    }
  });
  return found;
}
