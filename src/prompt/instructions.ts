// The instructions Nexus adds to a request on top of the user's words: the output schema a node must answer in,
// and the routes a model-driven router chooses from (with the schema of a structured route choice). Both are static (the same for every item), so prefix-layout
// can place them in the cached prefix. Their text is canonical, so YAML key order never changes it.
import type { JsonSchema } from "../ir/types.js";
import { canonicalJson } from "../util/canonical-json.js";

/** Tells the model to answer with JSON matching `schema` (sent in addition to `response_format`). */
export function outputSchemaInstruction(schema: JsonSchema): string {
  return `Respond with one JSON object, and nothing else, that matches this JSON Schema:\n${canonicalJson(schema)}`;
}

/** Tells a router's model which routes exist and how to answer. */
export function routeInstruction(routes: readonly string[]): string {
  return `Choose exactly one route for this item: ${routes.join(", ")}.\nAnswer with the route name only.`;
}

/** The JSON Schema a model router answers with: one of its routes. */
export function routeChoiceSchema(routes: readonly string[]): JsonSchema {
  return {
    type: "object",
    properties: { route: { type: "string", enum: [...routes] } },
    required: ["route"],
    additionalProperties: false,
  };
}
