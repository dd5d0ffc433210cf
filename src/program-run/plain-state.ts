// A program's final state as a result line's `output`: plain JSON. LangChain messages become
// `{type, content, name?, tool_calls?, tool_call_id?}` (ids, response metadata and usage are left out: they differ
// from run to run, and the line's `usage` holds the item's tokens); other values are written as JSON writes them.

interface MessageLike {
  getType?: () => string;
  _getType?: () => string;
  content: unknown;
  name?: string;
  tool_calls?: unknown[];
  tool_call_id?: string;
}

function isMessage(value: object): value is MessageLike {
  const message = value as MessageLike;
  return (typeof message.getType === "function" || typeof message._getType === "function") && "content" in message;
}

function plainMessage(message: MessageLike): Record<string, unknown> {
  const type = typeof message.getType === "function" ? message.getType() : message._getType!();
  return {
    type,
    content: plain(message.content),
    ...(message.name ? { name: message.name } : {}),
    ...(message.tool_calls?.length ? { tool_calls: plain(message.tool_calls) } : {}),
    ...(message.tool_call_id ? { tool_call_id: message.tool_call_id } : {}),
  };
}

function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return typeof value === "function" ? undefined : value;
  if (Array.isArray(value)) return value.map((entry) => plain(entry) ?? null);
  if (isMessage(value)) return plainMessage(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === "function" && Object.getPrototypeOf(value) !== Object.prototype)
    return JSON.parse(JSON.stringify(value)) as unknown;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const converted = plain(entry);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

export function plainState(state: Record<string, unknown>): Record<string, unknown> {
  return plain(state) as Record<string, unknown>;
}
