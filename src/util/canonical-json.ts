// Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, `undefined` fields dropped. Two values that
// mean the same thing print the same text whatever their key order or YAML style, which is what makes prefix cache
// keys stable across nodes, runs, machines and manifest formatting. For JSON data this is RFC 8785 (JCS): the tests
// compare it with the `canonicalize` package. Values I-JSON excludes (NaN, Infinity, lone surrogates; YAML can write
// `.nan`) print as JSON.stringify prints them instead of throwing, so no manifest makes the compiler fail here. Kept
// instead of `canonicalize`, which is 1.5-2.5x slower (README's dependency table).
import { createHash } from "node:crypto";

/** Set by `canonicalValue` when an object has a key that JavaScript enumerates first (an array index, e.g. "10"). */
let sawIndexKey = false;

/** True for keys JavaScript objects enumerate before all others, in numeric order: "0", "7", "10", ... */
function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;
}

/** A copy with sorted keys, for JSON.stringify (native, the fast path). */
function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonicalValue(item)));
  if (value !== null && typeof value === "object") {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function")
      return canonicalValue((value as { toJSON: () => unknown }).toJSON());
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (isIndexKey(key)) sawIndexKey = true;
      if (field !== undefined) sorted[key] = canonicalValue(field);
    }
    return sorted;
  }
  return value;
}

/**
 * The text written out key by key: for values with index-like keys, whose order a JavaScript object cannot hold
 * ("10" sorts before "9", and "" before "0", but objects enumerate "0" and "9" first).
 */
function writeCanonical(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === "function")
    return writeCanonical((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => writeCanonical(item) ?? "null").join(",")}]`;
  const fields: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = writeCanonical((value as Record<string, unknown>)[key]);
    if (text !== undefined) fields.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${fields.join(",")}}`;
}

/** The canonical JSON text of a JSON-compatible value. */
export function canonicalJson(value: unknown): string {
  sawIndexKey = false;
  const sorted = canonicalValue(value);
  return (sawIndexKey ? writeCanonical(value) : JSON.stringify(sorted)) ?? "null";
}

/** SHA-256 of the value's canonical JSON, as the first `hexDigits` hex digits (default 16, i.e. 64 bits). */
export function canonicalHash(value: unknown, hexDigits = 16): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, hexDigits);
}
