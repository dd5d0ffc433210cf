// A LangGraph state (an annotation root, a StateSchema or a zod object, already read into fields) as the IR's
// state schema: a JSON Schema object with one property per channel. A channel's reducer is kept as `x-reducer`
// (`messages` for the messages reducer, `custom` for a function) and its default as `default`, when literal.
import type { JsonSchema } from "../../ir/types.js";
import type { StateField } from "./values.js";

export function stateJsonSchema(fields: Map<string, StateField> | undefined): JsonSchema | undefined {
  if (fields === undefined) return undefined;
  const properties: Record<string, JsonSchema> = {};
  for (const [name, field] of fields) {
    properties[name] = {
      ...field.schema,
      ...(field.reducer ? { "x-reducer": field.reducer } : {}),
      ...(field.default !== undefined ? { default: field.default } : {}),
    };
  }
  return { type: "object", properties };
}
