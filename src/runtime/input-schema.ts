// Checks each input item against the main graph's state schema (Ajv, compiled once per run), so an item whose fields
// have the wrong type fails its own line with the field's path and the expected type, instead of running on values
// the prompts and expressions do not expect. Item ids are the input's own metadata: an `id` the schema does not
// declare is not checked.
import { Ajv, type ErrorObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { JsonSchema } from "../ir/types.js";
import type { Workflow } from "../ir/workflow.js";

/** Returns why an item's state does not match, or undefined when it does. */
export type InputCheck = (state: Record<string, unknown>) => string | undefined;

/** Most problems named per line; the rest are counted. */
const MAX_PROBLEMS = 3;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function valueAt(state: unknown, pointer: string): unknown {
  let current = state;
  for (const part of pointer.split("/").slice(1)) {
    const key = part.replaceAll("~1", "/").replaceAll("~0", "~");
    current = current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/** `/abstract/x` as `abstract.x`, list indexes as `[0]`. */
function fieldName(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : `${i === 0 ? "" : "."}${part}`))
    .join("");
}

function describe(error: ErrorObject, state: unknown): string {
  const field = fieldName(error.instancePath);
  const where = field === "" ? "the item" : `field '${field}'`;
  if (error.keyword === "type") {
    const got = typeOf(valueAt(state, error.instancePath));
    if (error.params.type === "array") return `'${field}' is not a list (got ${got})`;
    return `${where} must be ${String(error.params.type)}, got ${got}`;
  }
  if (error.keyword === "required") return `${where} lacks '${String(error.params.missingProperty)}'`;
  if (error.keyword === "enum")
    return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  if (error.keyword === "additionalProperties")
    return `${where} has a field the schema does not allow: '${String(error.params.additionalProperty)}'`;
  return `${where} ${error.message ?? "does not match the state schema"}`;
}

/** The check for a state schema, or undefined when there is nothing to check against. */
export function inputItemCheck(schema: JsonSchema | undefined): InputCheck | undefined {
  if (!schema || typeof schema !== "object" || Object.keys(schema).length === 0) return undefined;
  const ajv = String(schema.$schema ?? "").includes("2020-12")
    ? new Ajv2020({ allErrors: true, strict: false })
    : new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const properties = schema.properties as Record<string, unknown> | undefined;
  const idDeclared = properties !== undefined && Object.hasOwn(properties, "id");
  return (state) => {
    let checked = state;
    if (!idDeclared && "id" in state) {
      const { id: _id, ...rest } = state;
      checked = rest;
    }
    if (validate(checked)) return undefined;
    const problems = (validate.errors ?? []).map((error) => describe(error, checked));
    const shown = problems.slice(0, MAX_PROBLEMS).join("; ");
    const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : "";
    return `does not match the workflow's state schema: ${shown}${more}`;
  };
}

/** State fields the main graph's schema marks required: missing ones are input errors. */
export function requiredFields(workflow: Workflow): string[] {
  const required = workflow.mainGraph.stateSchema?.required;
  return Array.isArray(required) ? required.filter((f): f is string => typeof f === "string") : [];
}
