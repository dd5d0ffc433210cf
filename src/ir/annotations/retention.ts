// Annotation `retention` (written by tool-wait-retention on model-calling nodes that offer tools): how long the
// engine should keep an item's prefix after a turn whose answer may call a tool, so the next turn finds it cached.
// The runtime sends it as a keep-alive (pin) hint with each turn that may call a tool (Dynamo
// `nvext.cache_control`), using the tools' measured latency once calls have run, else this declared or default one.
import { z } from "zod";
import { defineAnnotation } from "./define.js";
import { formatDuration } from "../../util/units.js";

export const retentionSchema = z.object({
  /** Keep the prefix this long after a tool-calling turn: the slowest offered tool's latency, plus the margin. */
  keepAliveMs: z.number().nonnegative(),
  /** The tools' expected latency the keep-alive is made of. */
  toolLatencyMs: z.number().nonnegative(),
  /** `declared`: the slowest tool's `expected_latency`; `default`: some tool declares none. */
  source: z.enum(["declared", "default"]),
  /** The tool the latency comes from. */
  tool: z.string(),
  /**
   * Share (0..1) of an inference slot kept for the item's next turn while its tool runs: new items' first turns
   * leave it free. 0 or absent: none.
   */
  slotShare: z.number().min(0).max(1).optional(),
});

export type Retention = z.infer<typeof retentionSchema>;

function formatRetention(value: Retention): string {
  const slot = value.slotShare ? ` slot=${value.slotShare}` : "";
  return `retain{keep-alive=${formatDuration(value.keepAliveMs)} tool=${value.tool} ${value.source}${slot}}`;
}

function explainRetention(value: Retention): string {
  return [
    `tool-wait retention: after a turn that may call a tool, the engine keeps this item's prefix for ${formatDuration(value.keepAliveMs)}`,
    `from ${value.tool}'s ${value.source === "declared" ? "declared" : "default"} latency ${formatDuration(value.toolLatencyMs)} (longer when the measured time to the item's next request is)`,
    `such turns also go at a priority above final turns, so engines that evict by priority keep their prefix longest`,
    ...(value.slotShare
      ? [
          `while the tool runs and the engine's KV cache is under pressure, ${value.slotShare} of an inference slot is kept for the item's next turn: new items' first turns leave it free`,
        ]
      : []),
  ].join("\n");
}

export const retentionAnnotation = defineAnnotation("retention", retentionSchema, formatRetention, explainRetention);
