// How the runtime batches a model-calling node's requests: the decision the batch-optimization pass recorded in the
// node's `batch` annotation, or, for an IR built without that pass (`-O0`, `-O1`), the same decision made with the
// same function and defaults (src/models/batch-decision.ts) and the critical-path priority the pass would have used,
// so every `-O` level batches a node alike.
import { batchAnnotation } from "../ir/annotations/batch.js";
import type { LlmNode, RouterNode } from "../ir/types.js";
import type { Workflow, WorkflowGraph } from "../ir/workflow.js";
import { batchGroupKey, decideBatch, isPrefixCacheable } from "../models/batch-decision.js";
import { parseModelUri } from "../models/model-uri.js";
import { analysisGetter } from "../pass-manager/pass-manager.js";
import { criticalPathAnalysis, type CriticalPath } from "../passes/analyses/critical-path.js";
import { PromptAnalyser } from "../passes/analyses/prompt-analysis.js";
import { minCacheableTokens } from "../pricing/pricing.js";
import { resolvePricing } from "../pricing/resolve-pricing.js";
import { prefixCacheKey } from "../prompt/prefix-split.js";
import type { RequestPlan } from "../prompt/request-plan.js";
import type { BatchHints } from "./batch-accumulator.js";

/** Scheduling priorities of every node of `workflow` (the critical-path analysis, outside a pipeline). */
export function criticalPathOf(workflow: Workflow): CriticalPath {
  return analysisGetter(workflow)(criticalPathAnalysis);
}

/**
 * The batch hints of `node` (whose request plan is `plan`). `priorities` is called only when the node has no `batch`
 * annotation, so a run over an optimized IR never computes them.
 */
export function batchHintsFor(
  workflow: Workflow,
  graph: WorkflowGraph,
  node: LlmNode | RouterNode,
  plan: RequestPlan,
  priorities: () => CriticalPath,
): BatchHints {
  const recorded = graph.annotations.get(batchAnnotation, node.id);
  const decision = recorded
    ? { ...recorded, groupKey: batchGroupKey(recorded.backend, recorded.model, recorded.eligible) }
    : decideBatch(
        node,
        parseModelUri(plan.modelUri, workflow.settings.backend),
        workflow.settings,
        priorities().get(graph.name)?.get(node.id) ?? 1,
      );
  return {
    group: decision.groupKey,
    cacheKey: recorded?.cacheKey ?? prefixCacheKey(plan),
    maxBatchSize: decision.maxBatchSize,
    maxWaitMs: decision.maxWaitMs,
    priority: decision.priority,
    mode: decision.mode,
    model: node.model ?? "",
    prefixCacheable: recorded?.prefixCacheable ?? prefixCacheableOf(workflow, graph, node),
    node: { graph: graph.name, node: node.id },
  };
}

/** Whether the node's shared prefix clears its backend's cache minimum, counted as the batch pass counts it. */
function prefixCacheableOf(workflow: Workflow, graph: WorkflowGraph, node: LlmNode | RouterNode): boolean {
  const facts = new PromptAnalyser(workflow).analyse(graph, node);
  const pricing = resolvePricing(workflow, "", () => {});
  return isPrefixCacheable(facts.prefixTokens, minCacheableTokens(pricing, facts.target));
}
