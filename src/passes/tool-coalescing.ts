// Pass `tool-coalescing`: marks, on each tool definition, whether identical concurrent calls may share one execution
// and whether results may be cached, with the key recipe the runtime uses for both. Allowed for tools declared
// `deterministic` or `cacheable`, and for GET-only HTTP tools (GET is safe and idempotent by HTTP's definition);
// never for other tools, whose calls may have side effects.
import type { Pass } from "../pass-manager/pass.js";
import { coalesceAnnotation, coalesceDecisionFor } from "../ir/annotations/coalesce.js";

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
      const decision = coalesceDecisionFor(tool, context.options["get-cache-ttl-ms"] as number);
      ir.toolAnnotations.set(coalesceAnnotation, tool.name, decision);
      context.stat(decision.shareConcurrentCalls ? "tools-coalesced" : "tools-not-coalesced");
    }
  },
};
