// Questions about a graph's state schema (a JSON Schema object): which fields exist, and what type a path has.
import type { JsonSchema } from "./types.js";

/** Top-level state field names, or undefined when the schema does not list them (anything goes). */
export function stateFieldNames(schema: JsonSchema | undefined): string[] | undefined {
  const properties = schema?.properties;
  return properties && typeof properties === "object" ? Object.keys(properties) : undefined;
}

/**
 * The sub-schema at a path. `undefined` means the path is known not to exist; `{}` means the schema does not say
 * (an open object, or no schema at all), so anything is allowed there.
 */
export function schemaAtPath(schema: JsonSchema | undefined, path: string[]): JsonSchema | undefined {
  let current: JsonSchema = schema ?? {};
  for (const part of path) {
    if (current.type === "array" && /^\d+$/.test(part)) {
      current = (current.items as JsonSchema | undefined) ?? {};
      continue;
    }
    const properties = current.properties as Record<string, JsonSchema> | undefined;
    if (!properties) return {};
    if (Object.hasOwn(properties, part)) current = properties[part];
    else
      return current.additionalProperties === true || typeof current.additionalProperties === "object" ? {} : undefined;
  }
  return current;
}

/** Strips a leading `state.` so `state.score` and `score` mean the same field. */
export function withoutStatePrefix(path: string[], schema: JsonSchema | undefined): string[] {
  if (path[0] !== "state" || path.length < 2) return path;
  // A lookup, not a list of the fields: this runs for every path of every expression and template.
  const properties = schema?.properties;
  const hasStateField = properties !== null && typeof properties === "object" && Object.hasOwn(properties, "state");
  return hasStateField ? path : path.slice(1);
}
