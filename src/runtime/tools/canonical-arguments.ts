// Canonical JSON of tool arguments (object keys sorted at every level), so `{a:1,b:2}` and `{b:2,a:1}` are one call.
export function canonicalArguments(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalArguments).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalArguments(v)}`).join(",")}}`;
}
