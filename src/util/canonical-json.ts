// Canonical JSON: object keys sorted, no whitespace, `undefined` fields dropped. Two values that mean the same thing
// print the same text whatever their key order or YAML style, which is what makes prefix cache keys stable across
// nodes, runs, machines and manifest formatting.
import { createHash } from "node:crypto";

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonicalValue(item)));
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field !== undefined) sorted[key] = canonicalValue(field);
    }
    return sorted;
  }
  return value;
}

/** The canonical JSON text of a JSON-compatible value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalValue(value)) ?? "null";
}

/** SHA-256 of the value's canonical JSON, as the first `hexDigits` hex digits (default 16, i.e. 64 bits). */
export function canonicalHash(value: unknown, hexDigits = 16): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, hexDigits);
}
