// Annotation `coalesce` (written by tool-coalescing on tool definitions, keyed by tool name: tools are not nodes and
// one tool serves tool nodes and model tool calls alike): whether identical concurrent calls may share one execution,
// whether results may be cached and for how long, and the key both use. `toolCallKey` implements the key recipe, so
// the runtime computes exactly the key the compiler documented.
import { z } from "zod";
import { defineAnnotation } from "../../src/ir/annotations.js";
import { canonicalHash } from "../../src/prompt/canonical-json.js";
import { formatDuration } from "../../src/printers/units.js";

/** The recipe `toolCallKey` implements, as recorded in the IR. */
export const TOOL_CALL_KEY_RECIPE = "sha256(canonical-json({tool, definition, args}))[0:16]";

export const coalesceSchema = z.object({
  /** Identical concurrent calls (same tool, same arguments) may share one execution. */
  shareConcurrentCalls: z.boolean(),
  /** Results may be reused for later identical calls, for `ttlMs` (absent: for the whole run). */
  cacheResults: z.boolean(),
  ttlMs: z.number().nonnegative().optional(),
  /** Why, in words: the declarations or HTTP method that allow or forbid it. */
  because: z.string(),
  keyRecipe: z.string(),
  /** Hash of the tool's definition (protocol, config, schemas): a changed tool never reuses old results. */
  definitionHash: z.string().regex(/^[0-9a-f]{16}$/),
});

export type CoalesceDecision = z.infer<typeof coalesceSchema>;

function formatCoalesce(value: CoalesceDecision): string {
  if (!value.shareConcurrentCalls && !value.cacheResults) return "coalesce{no}";
  const parts = [value.shareConcurrentCalls && "share", value.cacheResults && "cache"].filter(Boolean);
  if (value.cacheResults) parts.push(`ttl=${value.ttlMs === undefined ? "run" : formatDuration(value.ttlMs)}`);
  return `coalesce{${parts.join(" ")} key=${value.definitionHash.slice(0, 8)}+args}`;
}

export const coalesceAnnotation = defineAnnotation("coalesce", coalesceSchema, formatCoalesce);

/** The key of one tool call under the recipe: equal for equal arguments whatever their key order. */
export function toolCallKey(
  toolName: string,
  decision: Pick<CoalesceDecision, "definitionHash">,
  args: unknown,
): string {
  return canonicalHash({ tool: toolName, definition: decision.definitionHash, args: args ?? null });
}
