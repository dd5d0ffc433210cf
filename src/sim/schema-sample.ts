// Generates a deterministic value that is valid against a JSON Schema (draft 7 / 2020-12 subset used by
// structured outputs and tool parameters): type, enum, const, properties/required, items/prefixItems,
// min/max(Length|Items|imum), exclusive bounds, multipleOf, uniqueItems, anyOf/oneOf/allOf, $ref to local
// definitions, common string formats. `pattern` is not synthesized (a schema example or default is used if given).

import type { Rng } from "./rng.js";

export type JsonSchema = Record<string, unknown>;

const WORDS = [
  "alpha",
  "amber",
  "atlas",
  "beacon",
  "birch",
  "cobalt",
  "comet",
  "delta",
  "ember",
  "falcon",
  "fern",
  "garnet",
  "harbor",
  "indigo",
  "jade",
  "juniper",
  "kestrel",
  "lumen",
  "maple",
  "meadow",
  "nova",
  "onyx",
  "orchid",
  "pine",
  "quartz",
  "raven",
  "river",
  "saffron",
  "sierra",
  "summit",
  "tidal",
  "umber",
  "velvet",
  "willow",
  "zephyr",
];

const MAX_DEPTH = 8;

export function sampleFromSchema(schema: unknown, rng: Rng, root: unknown = schema): unknown {
  return sample(asSchema(schema), rng, asSchema(root), 0);
}

function asSchema(value: unknown): JsonSchema {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonSchema) : {};
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  if (!ref.startsWith("#")) return {};
  let node: unknown = root;
  for (const part of ref.slice(1).split("/").filter(Boolean)) {
    const key = decodeURIComponent(part.replace(/~1/g, "/").replace(/~0/g, "~"));
    node = asSchema(node)[key];
  }
  return asSchema(node);
}

function primaryType(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") ?? t[0]) as string | undefined;
  if (typeof t === "string") return t;
  if (schema.properties || schema.required) return "object";
  if (schema.items || schema.prefixItems) return "array";
  return undefined;
}

function sample(schema: JsonSchema, rng: Rng, root: JsonSchema, depth: number): unknown {
  if (typeof schema.$ref === "string") return sample(resolveRef(schema.$ref, root), rng, root, depth + 1);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return rng.pick(schema.enum);
  const branches = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(branches) && branches.length) {
    const nonNull = branches.map(asSchema).filter((b) => b.type !== "null");
    return sample(rng.pick(nonNull.length ? nonNull : branches.map(asSchema)), rng, root, depth + 1);
  }
  if (Array.isArray(schema.allOf)) return sample(mergeAllOf(schema), rng, root, depth + 1);
  if (depth > MAX_DEPTH) return null;
  switch (primaryType(schema)) {
    case "object":
      return sampleObject(schema, rng, root, depth);
    case "array":
      return sampleArray(schema, rng, root, depth);
    case "integer":
      return sampleNumber(schema, rng, true);
    case "number":
      return sampleNumber(schema, rng, false);
    case "boolean":
      return rng.next() < 0.5;
    case "null":
      return null;
    default:
      return sampleString(schema, rng);
  }
}

function mergeAllOf(schema: JsonSchema): JsonSchema {
  const merged: JsonSchema = { ...schema, properties: { ...asSchema(schema.properties) } };
  delete merged.allOf;
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  for (const part of (schema.allOf as unknown[]).map(asSchema)) {
    Object.assign(merged.properties as JsonSchema, asSchema(part.properties));
    for (const r of (part.required as string[] | undefined) ?? []) required.add(r);
    for (const [k, v] of Object.entries(part))
      if (!(k in merged) && k !== "properties" && k !== "required") merged[k] = v;
  }
  merged.required = [...required];
  return merged;
}

function sampleObject(schema: JsonSchema, rng: Rng, root: JsonSchema, depth: number): Record<string, unknown> {
  const props = asSchema(schema.properties);
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(props)) out[key] = sample(asSchema(sub), rng, root, depth + 1);
  for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in out)) out[key] = word(rng);
  return out;
}

function sampleArray(schema: JsonSchema, rng: Rng, root: JsonSchema, depth: number): unknown[] {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems.map(asSchema) : [];
  const min = Math.max(num(schema.minItems, 0), prefix.length);
  const max = num(schema.maxItems, Math.max(min, 3));
  const lo = Math.min(Math.max(min, 1), max);
  const length = rng.int(lo, Math.max(lo, Math.min(max, Math.max(min, 3))));
  const items = asSchema(schema.items);
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0, attempts = 0; out.length < length && attempts < length * 20; attempts++, i++) {
    const value = sample(i < prefix.length ? prefix[i] : items, rng, root, depth + 1);
    const key = JSON.stringify(value);
    if (schema.uniqueItems && seen.has(key)) continue;
    seen.add(key);
    out.push(value);
  }
  return out;
}

function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function sampleNumber(schema: JsonSchema, rng: Rng, integer: boolean): number {
  const exMin = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined;
  const exMax = typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum : undefined;
  let lo = num(schema.minimum, exMin !== undefined ? exMin : Number.NEGATIVE_INFINITY);
  let hi = num(schema.maximum, exMax !== undefined ? exMax : Number.POSITIVE_INFINITY);
  if (!Number.isFinite(lo)) lo = Number.isFinite(hi) ? Math.min(0, hi - 100) : 0;
  if (!Number.isFinite(hi)) hi = lo + 100;
  const step = typeof schema.multipleOf === "number" && schema.multipleOf > 0 ? schema.multipleOf : integer ? 1 : 0;
  const ok = (v: number) =>
    (exMin === undefined || v > exMin) && (exMax === undefined || v < exMax) && v >= lo && v <= hi;
  if (step > 0) {
    const first = Math.ceil(lo / step);
    const last = Math.floor(hi / step);
    const candidates: number[] = [];
    for (let k = 0; k <= Math.min(last - first, 1000); k++) {
      const v = Number(((first + k) * step).toFixed(10));
      if (ok(v)) candidates.push(v);
    }
    return candidates.length ? rng.pick(candidates) : lo;
  }
  for (let i = 0; i < 10; i++) {
    const v = Math.round((lo + rng.next() * (hi - lo)) * 100) / 100;
    if (ok(v)) return v;
  }
  return (lo + hi) / 2;
}

function word(rng: Rng): string {
  return rng.pick(WORDS);
}

function sampleString(schema: JsonSchema, rng: Rng): string {
  if (typeof schema.pattern === "string") {
    const examples = Array.isArray(schema.examples) ? schema.examples : [];
    const preset = [schema.default, ...examples].find((v) => typeof v === "string");
    if (typeof preset === "string") return preset;
  }
  const minLength = num(schema.minLength, 0);
  const maxLength = num(schema.maxLength, Number.POSITIVE_INFINITY);
  let text: string;
  switch (schema.format) {
    case "date-time":
      text = new Date(Date.UTC(2026, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 59))).toISOString();
      break;
    case "date":
      text = new Date(Date.UTC(2026, rng.int(0, 11), rng.int(1, 28))).toISOString().slice(0, 10);
      break;
    case "time":
      text = `${String(rng.int(0, 23)).padStart(2, "0")}:${String(rng.int(0, 59)).padStart(2, "0")}:00Z`;
      break;
    case "email":
      text = `${word(rng)}.${word(rng)}@example.com`;
      break;
    case "uri":
    case "url":
      text = `https://example.com/${word(rng)}/${rng.int(1, 999)}`;
      break;
    case "uuid":
      text = Array.from({ length: 32 }, () => "0123456789abcdef"[rng.int(0, 15)]).join("");
      text = `${text.slice(0, 8)}-${text.slice(8, 12)}-4${text.slice(13, 16)}-a${text.slice(17, 20)}-${text.slice(20)}`;
      break;
    default:
      text = `${word(rng)} ${word(rng)}`;
  }
  while (text.length < minLength) text += ` ${word(rng)}`;
  if (text.length > maxLength) text = text.slice(0, maxLength);
  return text;
}
