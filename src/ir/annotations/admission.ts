// Annotation `admission` (written by kv-admission on the main graph's entry node): the runtime admits a new item
// (lets its first model request go) only while the engine's KV cache usage (`vllm:kv_cache_usage_perc`, or the
// simulator's) is below `maxUsage` less the room the items already admitted still need to finish their turns.
import { z } from "zod";
import { defineAnnotation } from "./define.js";

export const admissionSchema = z.object({
  /** Usage (0..1) at or above which no new item starts. */
  maxUsage: z.number().gt(0).lte(1),
  /** KV tokens an item is expected to hold at most (its own prompt part and its answers), for the headroom. */
  itemTokens: z.number().int().positive(),
});

export type Admission = z.infer<typeof admissionSchema>;

function formatAdmission(value: Admission): string {
  return `admission{kv<${Math.round(value.maxUsage * 100)}% item=${value.itemTokens}tok}`;
}

function explainAdmission(value: Admission): string {
  return [
    `admission control: a new item starts only while the engine's KV cache usage is under ${Math.round(value.maxUsage * 100)}%`,
    `less about ${value.itemTokens} tokens for each item started since the last reading (so running items can finish their turns)`,
  ].join("\n");
}

export const admissionAnnotation = defineAnnotation("admission", admissionSchema, formatAdmission, explainAdmission);
