// Annotation `reduce` (written by reduce-planning on every reduce node that calls a model): whether the synthesis
// is one model call over the whole list or hierarchical (chunks of `chunkItems` elements reduced first, then the
// partial results), from the build-time token estimate: elements (the producer's `maxItems`, the node's
// `max_items`, or a default) times tokens per element (the map body's answer length), plus the prompt, against the
// model's context window less the answer's room. The runtime follows it (or makes the same decision at -O0).
import { z } from "zod";
import { defineAnnotation } from "./define.js";

export const reduceDecisionSchema = z.object({
  mode: z.enum(["single", "hierarchical"]),
  /** Tokens the list is estimated to take in the prompt. */
  estimatedListTokens: z.number().int().nonnegative(),
  elements: z.number().int().positive(),
  /** Where the element count came from. */
  elementsSource: z.enum(["producer-max-items", "node-max-items", "default"]),
  tokensPerElement: z.number().int().positive(),
  promptTokens: z.number().int().nonnegative(),
  contextTokens: z.number().int().positive(),
  /** Elements per model call: the whole list when `single`. */
  chunkItems: z.number().int().positive(),
});

export type ReduceDecision = z.infer<typeof reduceDecisionSchema>;

function formatReduce(value: ReduceDecision): string {
  return `reduce{mode=${value.mode} list~${value.estimatedListTokens}tok ctx=${value.contextTokens} chunk=${value.chunkItems}}`;
}

function explainReduce(value: ReduceDecision): string {
  const fits = value.mode === "single";
  return [
    `synthesis: ${fits ? "one model call over the whole list" : `hierarchical: chunks of ${value.chunkItems} elements, then the partial results`}`,
    `estimate: ${value.elements} elements (${value.elementsSource}) x ${value.tokensPerElement} tokens + ${value.promptTokens} prompt tokens, against a context of ${value.contextTokens} tokens`,
  ].join("\n");
}

export const reduceAnnotation = defineAnnotation("reduce", reduceDecisionSchema, formatReduce, explainReduce);
