// Pass `tool-wait-retention` (Continuum-style KV retention across tool calls): on every model-calling node that
// offers tools, records how long the engine should keep an item's prefix after a turn whose answer may call a tool:
// the slowest offered tool's expected latency (`expected_latency`, else the default) plus a margin. The runtime sends
// it as a keep-alive hint with those turns, so the next turn finds the prefix cached instead of recomputing it.
import { retentionAnnotation, type Retention } from "../ir/annotations/retention.js";
import type { Pass } from "../pass-manager/pass.js";

export const toolWaitRetentionPass: Pass = {
  name: "tool-wait-retention",
  summary: "keep an item's prefix cached while its tool call runs (keep-alive for the tool's expected latency)",
  options: [
    {
      name: "default-tool-latency-ms",
      type: "number",
      default: 1000,
      description: "expected latency of a tool that declares no expected_latency",
    },
    { name: "margin", type: "number", default: 0.25, description: "extra keep-alive, as a share of the latency" },
  ],
  requires: [],
  preserves: "all",
  run(ir, context) {
    const fallback = context.options["default-tool-latency-ms"] as number;
    const margin = context.options.margin as number;
    for (const { graph, node } of ir.allNodes()) {
      if (node.kind !== "llm" || node.tools.length === 0 || node.maxTurns < 2) continue;
      let slowest: Omit<Retention, "keepAliveMs"> | undefined;
      for (const name of node.tools) {
        const declared = ir.tool(name)?.expectedLatencyMs;
        const latency = declared ?? fallback;
        if (!slowest || latency > slowest.toolLatencyMs)
          slowest = { toolLatencyMs: latency, source: declared === undefined ? "default" : "declared", tool: name };
      }
      if (!slowest) continue;
      graph.annotations.set(retentionAnnotation, node.id, {
        keepAliveMs: Math.round(slowest.toolLatencyMs * (1 + margin)),
        ...slowest,
      });
      context.stat("nodes-retained");
    }
  },
};
