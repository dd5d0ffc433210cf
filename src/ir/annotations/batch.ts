// Annotation `batch` (written by batch-optimization on every model-calling node): whether and how the node's requests
// are batched and cached, and why. The runtime groups requests by `group`, routes by `cacheKey`, flushes a batch at
// `maxBatchSize` items or after `maxWaitMs`, serves higher `priority` first, and uses `mode` to pick the backend path.
import { z } from "zod";
import { defineAnnotation } from "./define.js";
import { formatDuration } from "../../util/units.js";

export const BATCH_MODES = ["engine", "provider-batch", "realtime"] as const;
export type BatchMode = (typeof BATCH_MODES)[number];

export const batchDecisionSchema = z.object({
  eligible: z.boolean(),
  /** Why the node is not batched (only when `eligible` is false). */
  reason: z.string().optional(),
  /** Batch group (`g1`, `g2`, ...): requests of one group go to the same model on the same backend family. */
  group: z.string().optional(),
  model: z.string(),
  backend: z.string(),
  /** 16 hex digits of SHA-256 over the canonical static prefix (model, tools, static messages). */
  cacheKey: z.string().regex(/^[0-9a-f]{16}$/),
  prefixTokens: z.number().int().nonnegative(),
  /** The backend's minimum cacheable prefix; shorter prefixes are not cached. */
  minCacheableTokens: z.number().int().nonnegative(),
  prefixCacheable: z.boolean(),
  maxBatchSize: z.number().int().positive(),
  maxWaitMs: z.number().nonnegative(),
  /** Where size and wait came from. */
  policySource: z.enum(["node", "workflow", "default"]),
  /** Higher runs first. */
  priority: z.number().int(),
  /** `critical-path`: nodes on the longest path to an exit, counting this one; `policy`: set by `batch.priority`. */
  prioritySource: z.enum(["critical-path", "policy"]),
  mode: z.enum(BATCH_MODES),
  modeReason: z.string(),
});

export type BatchDecision = z.infer<typeof batchDecisionSchema>;

function formatBatch(value: BatchDecision): string {
  const prefix = `prefix=${value.prefixTokens}tok${value.prefixCacheable ? "" : `(<${value.minCacheableTokens} uncached)`}`;
  const head = value.eligible ? `group=${value.group}` : "off";
  const key = `key=${value.cacheKey.slice(0, 8)}`;
  const sizing = value.eligible ? [`size<=${value.maxBatchSize}`, `wait<=${value.maxWaitMs}ms`] : [];
  return `batch{${[head, key, prefix, `mode=${value.mode}`, ...sizing, `prio=${value.priority}`].join(" ")}}`;
}

export const batchAnnotation = defineAnnotation("batch", batchDecisionSchema, formatBatch, explainBatch);

const POLICY_SOURCE_TEXT: Record<BatchDecision["policySource"], string> = {
  node: "the node's batch policy, then the workflow's, then defaults",
  workflow: "the workflow's batch policy, then defaults",
  default: "batch-optimization defaults",
};

function explainBatch(value: BatchDecision): string {
  const lines = [
    value.eligible
      ? `batched: yes, group ${value.group} (${value.model} on ${value.backend})`
      : `batched: no${value.reason === value.modeReason ? "" : `: ${value.reason}`}`,
    `mode: ${value.mode}: ${value.modeReason}`,
    `cache key: ${value.cacheKey} (model, tools and static messages; equal keys mean identical prefixes)`,
    `prefix cache: ${value.prefixTokens} tokens ${value.prefixCacheable ? ">=" : "<"} ${value.minCacheableTokens} minimum for ${value.backend}: ${value.prefixCacheable ? "cacheable" : "not cached"}`,
  ];
  if (value.eligible) {
    lines.push(
      `batch size <= ${value.maxBatchSize}, wait <= ${formatDuration(value.maxWaitMs)} (from ${POLICY_SOURCE_TEXT[value.policySource]})`,
    );
  }
  lines.push(
    value.prioritySource === "policy"
      ? `priority ${value.priority}: set by the batch policy (higher runs first)`
      : `priority ${value.priority}: nodes on the longest path from here to an exit, counting this one (higher runs first)`,
  );
  return lines.join("\n");
}
