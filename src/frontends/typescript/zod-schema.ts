// zod schemas to JSON Schema, read from their construction (`z.object({...}).describe(...)` and the common methods),
// for state fields, tool arguments and `withStructuredOutput`. Unknown constructs become `{}` (any value).
import type { JsonSchema } from "../../ir/types.js";
import type { Value } from "./values.js";

type SchemaValue = Extract<Value, { kind: "schema" }>;

const schema = (json: JsonSchema, from?: SchemaValue): SchemaValue => ({
  kind: "schema",
  schema: json,
  ...(from?.reducer ? { reducer: from.reducer } : {}),
  ...(from && "default" in from ? { default: from.default } : {}),
});

/** The JSON Schema of a value used as a schema (a zod schema, or anything else as `{}`). */
export function schemaOf(value: Value | undefined): JsonSchema {
  return value?.kind === "schema" ? value.schema : value?.kind === "channel" ? value.field.schema : {};
}

function literal(value: Value | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.kind === "string" || value.kind === "number" || value.kind === "boolean") return value.value;
  if (value.kind === "array") return value.elements.map(literal);
  if (value.kind === "function") return undefined;
  return undefined;
}

/** `z.<name>(...args)`. */
export function zodConstructor(name: string, args: Value[]): Value {
  switch (name) {
    case "string":
      return schema({ type: "string" });
    case "number":
      return schema({ type: "number" });
    case "boolean":
      return schema({ type: "boolean" });
    case "any":
    case "unknown":
    case "custom":
      return schema({});
    case "literal":
      return schema({ const: literal(args[0]) });
    case "enum": {
      const values = args[0]?.kind === "array" ? args[0].elements.map(literal) : [];
      return schema({ type: "string", enum: values });
    }
    case "array":
      return schema({ type: "array", items: schemaOf(args[0]) });
    case "record":
      return schema({ type: "object", additionalProperties: schemaOf(args[1] ?? args[0]) });
    case "union":
      return schema({ anyOf: args[0]?.kind === "array" ? args[0].elements.map(schemaOf) : [] });
    case "object":
      return args[0]?.kind === "object" ? objectSchema(args[0].properties) : schema({ type: "object" });
    default:
      return schema({});
  }
}

function objectSchema(shape: Map<string, Value>): SchemaValue {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, value] of shape) {
    properties[key] = schemaOf(value);
    const optional = value.kind === "schema" && (value.schema["x-optional"] === true || "default" in value.schema);
    if (!optional) required.push(key);
    if (properties[key]["x-optional"] !== undefined) {
      const { "x-optional": _optional, ...rest } = properties[key];
      properties[key] = rest;
    }
  }
  return schema({ type: "object", properties, ...(required.length ? { required } : {}) });
}

/** `<zod schema>.<method>(...args)`. */
export function zodMethod(receiver: SchemaValue, method: string, args: Value[]): Value {
  const json = receiver.schema;
  switch (method) {
    case "describe":
      return args[0]?.kind === "string" ? schema({ ...json, description: args[0].value }, receiver) : receiver;
    case "optional":
    case "nullish":
      return schema({ ...json, "x-optional": true }, receiver);
    case "nullable":
      return receiver;
    case "default": {
      const value = args[0]?.kind === "function" ? undefined : literal(args[0]);
      const fromFactory = args[0]?.kind === "function" ? factoryDefault(args[0]) : undefined;
      const resolved = value ?? fromFactory;
      return { ...schema(resolved === undefined ? json : { ...json, default: resolved }, receiver) };
    }
    case "array":
      return schema({ type: "array", items: json });
    case "extend":
      if (args[0]?.kind === "object" && json.properties) {
        const extra = objectSchema(args[0].properties).schema;
        return schema({
          ...json,
          properties: { ...(json.properties as object), ...(extra.properties as object) },
          required: [...((json.required as string[]) ?? []), ...((extra.required as string[]) ?? [])],
        });
      }
      return receiver;
    case "min":
    case "max":
    case "int":
    case "positive":
    case "nonnegative":
    case "email":
    case "url":
    case "trim":
    case "register":
    case "meta":
    case "readonly":
      return receiver;
    default:
      return receiver;
  }
}

/** The default a `() => []`-style factory returns, when it is a literal. */
export function factoryDefault(fn: Extract<Value, { kind: "function" }>): unknown {
  const text = fn.node.getText().replace(/\s/g, "");
  if (/=>\[\]$/.test(text)) return [];
  if (/=>\(\{\}\)$/.test(text)) return {};
  if (/=>""$/.test(text) || /=>''$/.test(text)) return "";
  const number = /=>(-?\d+(\.\d+)?)$/.exec(text);
  return number ? Number(number[1]) : undefined;
}
