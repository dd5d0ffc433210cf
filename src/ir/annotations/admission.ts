// Annotation `admission` (written by kv-admission on the main graph's entry node): the runtime admits a new item
// (lets its first model request go) only while the engine queues no request and its KV usage
// (`vllm:kv_cache_usage_perc`), with the KV of the items started since that reading, stays under `maxUsage`, so
// running items keep room to finish their turns (src/runtime/kv-admission.ts).
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
    `admission control: a new item starts only while the engine queues no request and its KV cache usage, with about ${value.itemTokens} tokens for each item started since the reading (measured once items finish), stays under ${Math.round(value.maxUsage * 100)}%`,
    `so running items can finish their turns; ${value.sharedTokens} tokens of shared prefix stay resident for all of them`,
  ].join("\n");
}

export const admissionAnnotation = defineAnnotation("admission", admissionSchema, formatAdmission, explainAdmission);
