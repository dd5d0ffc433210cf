// Pass `tool-wait-retention` (Continuum-style KV retention across tool calls): on every model-calling node that
// offers tools, records how long the engine should keep an item's prefix after a turn whose answer may call a tool:
// the slowest offered tool's expected latency (`expected_latency`, else the default) plus a margin. The runtime sends
// it as a keep-alive hint with those turns, so the next turn finds the prefix cached instead of recomputing it, and
// keeps a share of an inference slot for the next turn while the tool runs (`slot-share`) and the engine's cache is
// under pressure: there, a next turn that queued behind new items' first turns would arrive seconds after the
// keep-alive ran out.
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
    {
      name: "slot-share",
      type: "number",
      default: 0.5,
      description: "share (0..1) of an inference slot kept for an item's next turn while its tool runs (0: none)",
    },
  ],
  requires: [],
  preserves: "all",
  run(ir, context) {
    const fallback = context.options["default-tool-latency-ms"] as number;
    const margin = context.options.margin as number;
    const slotShare = context.options["slot-share"] as number;
    if (!(slotShare >= 0 && slotShare <= 1))
      throw new Error(`option 'slot-share' of 'tool-wait-retention' must be in [0, 1]`);
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
        ...(slotShare > 0 ? { slotShare } : {}),
      });
      context.stat("nodes-retained");
    }
  },
};
