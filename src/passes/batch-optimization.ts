// Pass `batch-optimization`: records, for every model-calling node, how its requests are batched and cached, in the
// `batch` annotation: the batch decision (eligibility and why not, size and wait, priority, mode with the reason:
// `decideBatch` in src/models/batch-decision.ts, which the runtime also calls for an IR without this annotation), the
// batch group it names (`g1`, ...: same model, same backend family), and the prefix cache key and size against the
// backend's cache minimum. A batch policy that cannot take effect is reported: on a node that has no batch
// implementation or a model whose backend cannot batch (errors), or on a realtime provider model (warning).
import { diagnostics } from "../diagnostics/codes.js";
import type { Workflow } from "../ir/workflow.js";
import {
  asksForBatching,
  BATCH_DEFAULTS,
  decideBatch,
  isPrefixCacheable,
  type BatchDefaults,
} from "../models/batch-decision.js";
import type { ModeChoice } from "../models/batch-mode.js";
import type { Pass, PassContext } from "../pass-manager/pass.js";
import { minCacheableTokens, type PricingTable } from "../pricing/pricing.js";
import { resolvePricing } from "../pricing/resolve-pricing.js";
import { formatDuration } from "../util/units.js";
import { batchAnnotation, type BatchDecision } from "../ir/annotations/batch.js";
import { criticalPathAnalysis } from "./analyses/critical-path.js";
import { allPromptFacts, promptAnalysis, type NodePromptFacts } from "./analyses/prompt-analysis.js";

/** Errors for batch policies on nodes that never batch: tasks and expression routers. */
function checkNonModelPolicies(ir: Workflow, context: PassContext): void {
  for (const { node } of ir.allNodes()) {
    // A task with an `implementation:` is batch-native: the verify pass checks its batch form. A program's
    // `batchNode` task has its own (the frontend checked it).
    if (
      node.kind === "task" &&
      node.implementation === undefined &&
      !node.programBatch &&
      asksForBatching(node.batch)
    ) {
      context.report(diagnostics.batchPolicyWithoutBatching(node.id, "task", node.loc));
    }
    if (node.kind === "router" && node.strategy === "expression" && asksForBatching(node.batch)) {
      context.report(diagnostics.batchPolicyWithoutBatching(node.id, "expression router", node.loc));
    }
  }
}

/** The pass options as the decision's defaults. */
function defaultsFrom(options: PassContext["options"]): BatchDefaults {
  return {
    maxBatchSize: options["max-batch-size"] as number,
    maxWaitMs: options["max-wait-ms"] as number,
    providerMaxWaitMs: options["provider-max-wait-ms"] as number,
    providerBatchMinBudgetMs: options["provider-batch-min-budget-ms"] as number,
  };
}

/** Reports a batch policy the decision cannot follow: a backend that cannot batch, or a realtime provider model. */
function reportIgnoredPolicy(
  ir: Workflow,
  facts: NodePromptFacts,
  choice: ModeChoice,
  minBudget: number,
  context: PassContext,
): void {
  const node = facts.node;
  if (!asksForBatching(node.batch)) return;
  if (!choice.canBatch) {
    context.report(diagnostics.backendCannotBatch(node.id, facts.target.uri, choice.reason, node.loc));
  } else if (choice.mode === "realtime") {
    const budget = ir.settings.latencyBudgetMs;
    const why =
      budget === undefined
        ? "the workflow sets no latency budget"
        : `its latency budget (${formatDuration(budget)}) is under ${formatDuration(minBudget)}`;
    context.report(
      diagnostics.batchPolicyIgnoredInRealtime(node.id, facts.target.uri, why, formatDuration(minBudget), node.loc),
    );
  }
}

function decide(
  facts: NodePromptFacts,
  ir: Workflow,
  pricing: PricingTable,
  priority: number,
  context: PassContext,
): { decision: BatchDecision; groupKey: string } {
  const defaults = defaultsFrom(context.options);
  const { backendChoice, groupKey, ...decided } = decideBatch(
    facts.node,
    facts.target,
    ir.settings,
    priority,
    defaults,
  );
  reportIgnoredPolicy(ir, facts, backendChoice, defaults.providerBatchMinBudgetMs, context);
  const minCacheable = minCacheableTokens(pricing, facts.target);
  const decision: BatchDecision = {
    eligible: decided.eligible,
    model: facts.target.uri,
    backend: facts.target.family,
    cacheKey: facts.cacheKey,
    prefixTokens: facts.prefixTokens,
    minCacheableTokens: minCacheable,
    prefixCacheable: isPrefixCacheable(facts.prefixTokens, minCacheable),
    maxBatchSize: decided.maxBatchSize,
    maxWaitMs: decided.maxWaitMs,
    policySource: decided.policySource,
    priority: decided.priority,
    prioritySource: decided.prioritySource,
    mode: decided.mode,
    modeReason: decided.modeReason,
  };
  if (decided.reason !== undefined) decision.reason = decided.reason;
  return { decision, groupKey };
}

export const batchOptimizationPass: Pass = {
  name: "batch-optimization",
  summary: "annotate model-calling nodes with batch group, prefix cache key, size, wait, priority and mode",
  options: [
    {
      name: "max-batch-size",
      type: "number",
      default: BATCH_DEFAULTS.maxBatchSize,
      description: "engine batch size when no batch policy sets one",
    },
    {
      name: "max-wait-ms",
      type: "number",
      default: BATCH_DEFAULTS.maxWaitMs,
      description: "longest an item waits for its engine batch to fill",
    },
    {
      name: "provider-max-wait-ms",
      type: "number",
      default: BATCH_DEFAULTS.providerMaxWaitMs,
      description: "longest items are collected before a provider batch is sent",
    },
    {
      name: "provider-batch-min-budget-ms",
      type: "number",
      default: BATCH_DEFAULTS.providerBatchMinBudgetMs,
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
      const { decision, groupKey } = decide(facts, ir, pricing, priority, context);
      if (decision.eligible) {
        if (!groups.has(groupKey)) groups.set(groupKey, `g${groups.size + 1}`);
        decision.group = groups.get(groupKey);
        context.stat("nodes-batched");
      } else context.stat("nodes-not-batched");
      ir.graphByName(facts.graph)!.annotations.set(batchAnnotation, facts.node.id, decision);
    }
  },
};
