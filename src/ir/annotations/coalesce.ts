// Annotation `coalesce` (written by tool-coalescing on tool definitions, keyed by tool name: tools are not nodes and
// one tool serves tool nodes and model tool calls alike): whether identical concurrent calls may share one execution,
// whether results may be cached and for how long, and the key both use. `toolCallKey` implements the key recipe, so
// the runtime computes exactly the key the compiler documented.
import { z } from "zod";
import type { ToolDefinition } from "../types.js";
import { defineAnnotation } from "./define.js";
import { canonicalHash } from "../../util/canonical-json.js";
import { formatDuration } from "../../util/units.js";

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

/**
 * The decision for one tool: share and cache calls of tools declared `deterministic` or `cacheable`, and of GET-only
 * HTTP tools (cached `getCacheTtlMs` unless they declare a TTL). A deterministic tool's result is kept for the whole
 * run (or its declared TTL): identical calls that come after the first execution ended reuse it as concurrent ones
 * share it, which is what its declaration promises. The pass records it; the runtime computes the same decision for
 * an IR built without the pass.
 */
export function coalesceDecisionFor(tool: ToolDefinition, getCacheTtlMs: number): CoalesceDecision {
  const method = typeof tool.config.method === "string" ? tool.config.method.toUpperCase() : undefined;
  const getOnly = tool.protocol === "http" && method === "GET";
  const reasons: string[] = [];
  if (tool.deterministic) reasons.push("declared deterministic");
  if (tool.cacheable) reasons.push("declared cacheable");
  if (getOnly) reasons.push("HTTP GET (safe and idempotent)");
  const cacheResults = tool.deterministic || tool.cacheable || getOnly;
  const share = cacheResults;
  const because = share
    ? reasons.join(", ")
    : `not declared deterministic or cacheable${tool.protocol === "http" ? ` and HTTP ${method ?? "method unknown"}` : ""}: calls may have side effects`;
  const decision: CoalesceDecision = {
    shareConcurrentCalls: share,
    cacheResults,
    because,
    keyRecipe: TOOL_CALL_KEY_RECIPE,
    definitionHash: canonicalHash({
      name: tool.name,
      protocol: tool.protocol,
      config: tool.config,
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
    }),
  };
  const ttlMs = tool.cacheTtlMs ?? (getOnly && !tool.cacheable && !tool.deterministic ? getCacheTtlMs : undefined);
  if (cacheResults && ttlMs !== undefined) decision.ttlMs = ttlMs;
  return decision;
}
