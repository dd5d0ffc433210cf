// The one decision of how a model-calling node's requests are batched: eligibility (and why not), the batch group
// key, batch size and wait, priority and mode, from the node's batch policy, the workflow's settings and the options.
// The batch-optimization pass records it in the `batch` annotation; the runtime reads that annotation, or makes the
// same decision here when the IR has none (a workflow built without the pass), so every `-O` level batches alike.
import type { BatchMode } from "../ir/annotations/batch.js";
import type { BatchPolicy, WorkflowSettings } from "../ir/types.js";
import { chooseBatchMode, PROVIDER_BATCH_LIMIT, type ModeChoice } from "./batch-mode.js";
import type { ModelTarget } from "./model-uri.js";

/** What the decision falls back on when no batch policy says otherwise (the batch-optimization options). */
export interface BatchDefaults {
  /** Engine batch size. */
  maxBatchSize: number;
  /** Longest an item waits for its engine batch to fill. */
  maxWaitMs: number;
  /** Longest items are collected before a provider batch is sent. */
  providerMaxWaitMs: number;
  /** Latency budget from which provider models use the Batch API. */
  providerBatchMinBudgetMs: number;
}

/** The defaults, written once: the pass's option defaults and the runtime's decision without the pass. */
export const BATCH_DEFAULTS: Readonly<BatchDefaults> = Object.freeze({
  maxBatchSize: 64,
  maxWaitMs: 2000,
  providerMaxWaitMs: 60_000,
  providerBatchMinBudgetMs: 3_600_000,
});

export interface NodeBatchDecision {
  eligible: boolean;
  /** Why the node is not batched (only when `eligible` is false). */
  reason?: string;
  /** Requests with equal keys are queued and flushed together (see `batchGroupKey`). */
  groupKey: string;
  maxBatchSize: number;
  maxWaitMs: number;
  /** Where size and wait came from. */
  policySource: "node" | "workflow" | "default";
  /** Higher runs first. */
  priority: number;
  prioritySource: "critical-path" | "policy";
  mode: BatchMode;
  modeReason: string;
  /** The mode the backend and latency budget allow, before the node's policy (the pass reports conflicts with it). */
  backendChoice: ModeChoice;
}

/** A node-level batch policy that asks for batching (`batch: false` asks for nothing). */
export function asksForBatching(policy: BatchPolicy | undefined): boolean {
  return policy !== undefined && policy.enabled !== false;
}

/**
 * The queue a node's requests join: batched nodes of one model on one backend family share it; unbatched nodes
 * (batch size 1) have a queue of their own per model, so they never flush a batched group early.
 */
export function batchGroupKey(backend: string, model: string, eligible: boolean): string {
  return `${backend}\u0000${model.trim()}${eligible ? "" : "\u0000unbatched"}`;
}

/** Whether a policy sets size or wait (and so is where they come from). */
const setsSizing = (policy: BatchPolicy | undefined) => policy?.size !== undefined || policy?.timeoutMs !== undefined;

/**
 * The batch decision for one model-calling node. `criticalPathPriority` is the node's priority when its policy sets
 * none: the nodes on the longest path from it to an exit, counting itself (the critical-path analysis).
 */
export function decideBatch(
  node: { batch?: BatchPolicy },
  target: ModelTarget,
  settings: WorkflowSettings,
  criticalPathPriority: number,
  defaults: BatchDefaults = BATCH_DEFAULTS,
): NodeBatchDecision {
  const choice = chooseBatchMode(target, settings.latencyBudgetMs, defaults.providerBatchMinBudgetMs);
  // Each field falls back on its own: the node's policy, then the workflow's, then the defaults.
  const policy: BatchPolicy = { ...settings.batch, ...node.batch };
  const policySource = setsSizing(node.batch) ? "node" : setsSizing(settings.batch) ? "workflow" : "default";
  let eligible = choice.mode !== "realtime";
  let reason = eligible ? undefined : choice.reason;
  let { mode, reason: modeReason } = choice;
  if (eligible && policy.enabled === false) {
    eligible = false;
    reason =
      node.batch?.enabled === false
        ? "the node turns batching off ('batch: false')"
        : "the workflow turns batching off ('batch: false')";
    mode = "realtime";
    modeReason = "batching is turned off, so requests go out one by one";
  }
  const providerLimit = PROVIDER_BATCH_LIMIT[target.family] ?? Number.MAX_SAFE_INTEGER;
  const defaultSize = mode === "provider-batch" ? providerLimit : defaults.maxBatchSize;
  const defaultWait = mode === "provider-batch" ? defaults.providerMaxWaitMs : defaults.maxWaitMs;
  const decision: NodeBatchDecision = {
    eligible,
    groupKey: batchGroupKey(target.family, target.uri, eligible),
    maxBatchSize: eligible ? Math.min(policy.size ?? defaultSize, providerLimit) : 1,
    maxWaitMs: eligible ? (policy.timeoutMs ?? defaultWait) : 0,
    policySource: eligible ? policySource : "default",
    priority: node.batch?.priority ?? criticalPathPriority,
    prioritySource: node.batch?.priority !== undefined ? "policy" : "critical-path",
    mode,
    modeReason,
    backendChoice: choice,
  };
  if (reason !== undefined) decision.reason = reason;
  return decision;
}

/** A prefix the backend caches: non-empty and at least its minimum cacheable length. */
export function isPrefixCacheable(prefixTokens: number, minCacheableTokens: number): boolean {
  return prefixTokens > 0 && prefixTokens >= minCacheableTokens;
}
