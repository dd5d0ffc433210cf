// Pass `tool-coalescing`: marks, on each tool definition, whether identical concurrent calls may share one execution
// and whether results may be cached, with the key recipe the runtime uses for both. Allowed for tools declared
// `deterministic` or `cacheable`, and for GET-only HTTP tools (GET is safe and idempotent by HTTP's definition);
// never for other tools, whose calls may have side effects.
import type { ToolDefinition } from "../src/ir/types.js";
import type { Pass } from "../src/pass-manager/pass.js";
import { canonicalHash } from "../src/prompt/canonical-json.js";
import { coalesceAnnotation, TOOL_CALL_KEY_RECIPE, type CoalesceDecision } from "./annotations/coalesce.js";

function decide(tool: ToolDefinition, getCacheTtlMs: number): CoalesceDecision {
  const method = typeof tool.config.method === "string" ? tool.config.method.toUpperCase() : undefined;
  const getOnly = tool.protocol === "http" && method === "GET";
  const reasons: string[] = [];
  if (tool.deterministic) reasons.push("declared deterministic");
  if (tool.cacheable) reasons.push("declared cacheable");
  if (getOnly) reasons.push("HTTP GET (safe and idempotent)");
  const cacheResults = tool.cacheable || getOnly;
  const share = tool.deterministic || cacheResults;
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
  const ttlMs = tool.cacheTtlMs ?? (getOnly && !tool.cacheable ? getCacheTtlMs : undefined);
  if (cacheResults && ttlMs !== undefined) decision.ttlMs = ttlMs;
  return decision;
}

export const toolCoalescingPass: Pass = {
  name: "tool-coalescing",
  summary: "mark tools whose identical calls may share one execution or a cached result",
  options: [
    {
      name: "get-cache-ttl-ms",
      type: "number",
      default: 300000,
      description: "result cache lifetime for GET tools that declare none",
    },
  ],
  requires: [],
  preserves: "all",
  run(ir, context) {
    for (const tool of ir.tools) {
      const decision = decide(tool, context.options["get-cache-ttl-ms"] as number);
      ir.toolAnnotations.set(coalesceAnnotation, tool.name, decision);
      context.stat(decision.shareConcurrentCalls ? "tools-coalesced" : "tools-not-coalesced");
    }
  },
};
