// Pass `batch-optimization`: decides, for every model-calling node, how its requests are batched and cached, and
// records it in the `batch` annotation: eligibility (and why not), batch group (same model, same backend family),
// prefix cache key and size against the backend's cache minimum, batch size and wait, priority, and mode (engine,
// provider-batch or realtime) with the reason. A batch policy that cannot take effect is reported: on a node that has
// no batch implementation or a model whose backend cannot batch (errors), or on a realtime provider model (warning).
import { diagnostics } from "../diagnostics/codes.js";
import type { BatchPolicy } from "../ir/types.js";
import type { Workflow } from "../ir/workflow.js";
import { chooseBatchMode, PROVIDER_BATCH_LIMIT } from "../models/batch-mode.js";
import type { Pass, PassContext } from "../pass-manager/pass.js";
import { minCacheableTokens, type PricingTable } from "../pricing/pricing.js";
import { resolvePricing } from "../pricing/resolve-pricing.js";
import { formatDuration } from "../util/units.js";
import { batchAnnotation, type BatchDecision } from "../ir/annotations/batch.js";
import { criticalPathAnalysis } from "./analyses/critical-path.js";
import { allPromptFacts, promptAnalysis, type NodePromptFacts } from "./analyses/prompt-analysis.js";

/** A node-level batch policy that asks for batching (`batch: false` asks for nothing). */
function asksForBatching(policy: BatchPolicy | undefined): boolean {
  return policy !== undefined && policy.enabled !== false;
}

/** Errors for batch policies on nodes that never batch: tasks and expression routers. */
function checkNonModelPolicies(ir: Workflow, context: PassContext): void {
  for (const { node } of ir.allNodes()) {
    if (node.kind === "task" && asksForBatching(node.batch)) {
      context.report(diagnostics.batchPolicyWithoutBatching(node.id, "task", node.loc));
    }
    if (node.kind === "router" && node.strategy === "expression" && asksForBatching(node.batch)) {
      context.report(diagnostics.batchPolicyWithoutBatching(node.id, "expression router", node.loc));
    }
  }
}

function decide(
  facts: NodePromptFacts,
  ir: Workflow,
  pricing: PricingTable,
  priority: number,
  context: PassContext,
): BatchDecision {
  const node = facts.node;
  const { options } = context;
  const minBudget = options["provider-batch-min-budget-ms"] as number;
  const choice = chooseBatchMode(facts.target, ir.settings.latencyBudgetMs, minBudget);
  // Each field falls back on its own: the node's policy, then the workflow's, then the pass options.
  const policy: BatchPolicy = { ...ir.settings.batch, ...node.batch };
  const sets = (p: BatchPolicy | undefined) => p?.size !== undefined || p?.timeoutMs !== undefined;
  const policySource = sets(node.batch) ? "node" : sets(ir.settings.batch) ? "workflow" : "default";
  const minCacheable = minCacheableTokens(pricing, facts.target);
  let eligible = choice.mode !== "realtime";
  let reason = eligible ? undefined : choice.reason;
  let { mode, reason: modeReason } = choice;
  if (!choice.canBatch && asksForBatching(node.batch)) {
    context.report(diagnostics.backendCannotBatch(node.id, facts.target.uri, choice.reason, node.loc));
  } else if (choice.mode === "realtime" && asksForBatching(node.batch)) {
    const budget = ir.settings.latencyBudgetMs;
    const why =
      budget === undefined
        ? "the workflow sets no latency budget"
        : `its latency budget (${formatDuration(budget)}) is under ${formatDuration(minBudget)}`;
    context.report(
      diagnostics.batchPolicyIgnoredInRealtime(node.id, facts.target.uri, why, formatDuration(minBudget), node.loc),
    );
  }
  if (eligible && policy.enabled === false) {
    eligible = false;
    reason =
      node.batch?.enabled === false
        ? "the node turns batching off ('batch: false')"
        : "the workflow turns batching off ('batch: false')";
    mode = "realtime";
    modeReason = "batching is turned off, so requests go out one by one";
  }
  const providerLimit = PROVIDER_BATCH_LIMIT[facts.target.family] ?? Number.MAX_SAFE_INTEGER;
  const defaultSize = mode === "provider-batch" ? providerLimit : (options["max-batch-size"] as number);
  const defaultWait =
    mode === "provider-batch" ? (options["provider-max-wait-ms"] as number) : (options["max-wait-ms"] as number);
  const decision: BatchDecision = {
    eligible,
    model: facts.target.uri,
    backend: facts.target.family,
    cacheKey: facts.cacheKey,
    prefixTokens: facts.prefixTokens,
    minCacheableTokens: minCacheable,
    prefixCacheable: facts.prefixTokens > 0 && facts.prefixTokens >= minCacheable,
    maxBatchSize: eligible ? Math.min(policy.size ?? defaultSize, providerLimit) : 1,
    maxWaitMs: eligible ? (policy.timeoutMs ?? defaultWait) : 0,
    policySource: eligible ? policySource : "default",
    priority: node.batch?.priority ?? priority,
    prioritySource: node.batch?.priority !== undefined ? "policy" : "critical-path",
    mode,
    modeReason,
  };
  if (reason !== undefined) decision.reason = reason;
  return decision;
}

export const batchOptimizationPass: Pass = {
  name: "batch-optimization",
  summary: "annotate model-calling nodes with batch group, prefix cache key, size, wait, priority and mode",
  options: [
    {
      name: "max-batch-size",
      type: "number",
      default: 64,
      description: "engine batch size when no batch policy sets one",
    },
    {
      name: "max-wait-ms",
      type: "number",
      default: 2000,
      description: "longest an item waits for its engine batch to fill",
    },
    {
      name: "provider-max-wait-ms",
      type: "number",
      default: 60000,
      description: "longest items are collected before a provider batch is sent",
    },
    {
      name: "provider-batch-min-budget-ms",
      type: "number",
      default: 3600000,
      description: "latency budget from which provider models use the Batch API",
    },
    {
      name: "pricing-file",
      type: "string",
      default: "",
      description: "pricing overrides (JSON/YAML), for cache minimums",
    },
  ],
  requires: [promptAnalysis, criticalPathAnalysis],
  preserves: "all",
  run(ir, context) {
    checkNonModelPolicies(ir, context);
    const pricing = resolvePricing(ir, context.options["pricing-file"] as string, context.report);
    const priorities = context.getAnalysis(criticalPathAnalysis);
    const groups = new Map<string, string>();
    for (const facts of allPromptFacts(context.getAnalysis(promptAnalysis))) {
      const priority = priorities.get(facts.graph)?.get(facts.node.id) ?? 1;
      const decision = decide(facts, ir, pricing, priority, context);
      if (decision.eligible) {
        const groupKey = `${decision.backend}\u0000${decision.model.trim()}`;
        if (!groups.has(groupKey)) groups.set(groupKey, `g${groups.size + 1}`);
        decision.group = groups.get(groupKey);
        context.stat("nodes-batched");
      } else context.stat("nodes-not-batched");
      ir.graphByName(facts.graph)!.annotations.set(batchAnnotation, facts.node.id, decision);
    }
  },
};
