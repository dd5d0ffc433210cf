// Annotation `downstreamPrefill` (written by downstream-prefill on model-calling nodes followed by other ones): when
// the first item reaches this node, the runtime warms the shared (static) prefix of each target node, so it is
// cached by the time items arrive there.
import { z } from "zod";
import { defineAnnotation } from "./define.js";

export const downstreamPrefillSchema = z.object({
  /** Model-calling nodes reached next (directly, or through nodes that call no model), with a cacheable prefix. */
  targets: z.array(z.string()).min(1),
});

export type DownstreamPrefill = z.infer<typeof downstreamPrefillSchema>;

function formatDownstreamPrefill(value: DownstreamPrefill): string {
  return `prefill-next{${value.targets.map((t) => `%${t}`).join(",")}}`;
}

function explainDownstreamPrefill(value: DownstreamPrefill): string {
  return `downstream prefill: when the first item reaches this node, the shared prefix of ${value.targets.map((t) => `'${t}'`).join(", ")} is warmed, so it is cached before items arrive there`;
}

export const downstreamPrefillAnnotation = defineAnnotation(
  "downstreamPrefill",
  downstreamPrefillSchema,
  formatDownstreamPrefill,
  explainDownstreamPrefill,
);
