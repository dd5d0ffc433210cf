// Annotation `admission` (written by kv-admission on the main graph's entry node): the runtime admits a new item
// (lets its first model request go) only while the shared prefix and the KV of every item started and not finished,
// one more included, fit in `maxUsage` of the engine's KV cache (when the engine says its capacity; else while its
// `vllm:kv_cache_usage_perc` is under `maxUsage`), so running items keep room to finish their turns.
import { z } from "zod";
import { defineAnnotation } from "./define.js";

export const admissionSchema = z.object({
  /** Usage (0..1) at or above which no new item starts. */
  maxUsage: z.number().gt(0).lte(1),
  /** KV tokens an item is expected to hold at most (its own prompt part and its answers), until items have run. */
  itemTokens: z.number().int().positive(),
  /** Tokens of the largest shared prefix, resident for every item. */
  sharedTokens: z.number().int().nonnegative(),
});

export type Admission = z.infer<typeof admissionSchema>;

function formatAdmission(value: Admission): string {
  return `admission{kv<${Math.round(value.maxUsage * 100)}% item=${value.itemTokens}tok shared=${value.sharedTokens}tok}`;
}

function explainAdmission(value: Admission): string {
  return [
    `admission control: a new item starts only while ${value.sharedTokens} shared prefix tokens and about ${value.itemTokens} tokens per item started and not finished (measured once items finish) fit in ${Math.round(value.maxUsage * 100)}% of the engine's KV cache`,
    `(or, when the engine does not say its capacity, while its KV cache usage is under ${Math.round(value.maxUsage * 100)}%), so running items can finish their turns`,
  ].join("\n");
}

export const admissionAnnotation = defineAnnotation("admission", admissionSchema, formatAdmission, explainAdmission);
