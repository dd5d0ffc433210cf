// What the compiler planned for a workflow, as plain data for run reports: each graph's nodes (kind, model, the
// batch decision and cost estimate the passes annotated) and edges (with their condition), and the estimate that
// `nexus build --report` prints (expected cache-hit share, dollars per 1,000 items). A run report carries it, so
// `nexus report run.json` can draw the graph and set the estimate next to what the run measured without the IR.
import type { WorkflowNode } from "../ir/types.js";
import type { Workflow } from "../ir/workflow.js";
import { batchAnnotation, type BatchDecision } from "../ir/annotations/batch.js";
import { costAnnotation, type CostEstimate } from "../ir/annotations/cost.js";
import { conditionSummary } from "./describe.js";

export interface PlannedNode {
  id: string;
  kind: WorkflowNode["kind"];
  model?: string;
  batch?: BatchDecision;
  cost?: CostEstimate;
}

export interface PlannedEdge {
  id: string;
  from: string;
  to: string;
  /** The condition as the text dump writes it, without brackets; "" for an unconditional edge. */
  condition: string;
  onError: boolean;
}

export interface PlannedGraph {
  name: string;
  entry: string;
  nodes: PlannedNode[];
  edges: PlannedEdge[];
}

/** The optimizer's estimate for one workflow item and per 1,000 items (null where no node is priced). */
export interface CompiledEstimate {
  inputTokensPerItem: number;
  cachedTokensPerItem: number;
  outputTokensPerItem: number;
  /** Cached share of input tokens the batch plan expects (0 when no node has an estimate). */
  expectedCachedShare: number;
  usdPer1kItems: { realtime: number; realtimeCached: number; batchCached: number; asCompiled: number } | null;
}

export interface WorkflowPlan {
  workflow: string;
  graphs: PlannedGraph[];
  estimate: CompiledEstimate;
}

/** Dollars per item as compiled: batched modes at the batch price, realtime at the cached realtime price. */
export function asCompiledUsdPerItem(batch: BatchDecision, cost: CostEstimate | undefined): number {
  const usd = cost?.usdPerItem;
  if (!usd) return 0;
  return batch.mode === "realtime" ? usd.realtimeCached : usd.batchCached;
}

export function compiledEstimate(workflow: Workflow): CompiledEstimate {
  let input = 0;
  let cached = 0;
  let output = 0;
  let priced = false;
  const usd = { realtime: 0, realtimeCached: 0, batchCached: 0, asCompiled: 0 };
  for (const { graph, node } of workflow.allNodes()) {
    const batch = graph.annotations.get(batchAnnotation, node.id);
    const cost = graph.annotations.get(costAnnotation, node.id);
    if (!batch || !cost) continue;
    input += cost.perItem.inputTokens;
    cached += cost.perItem.cachedTokens;
    output += cost.perItem.outputTokens;
    if (!cost.usdPerItem) continue;
    priced = true;
    usd.realtime += cost.usdPerItem.realtime * 1000;
    usd.realtimeCached += cost.usdPerItem.realtimeCached * 1000;
    usd.batchCached += cost.usdPerItem.batchCached * 1000;
    usd.asCompiled += asCompiledUsdPerItem(batch, cost) * 1000;
  }
  return {
    inputTokensPerItem: input,
    cachedTokensPerItem: cached,
    outputTokensPerItem: output,
    expectedCachedShare: input > 0 ? cached / input : 0,
    usdPer1kItems: priced ? usd : null,
  };
}

export function workflowPlan(workflow: Workflow): WorkflowPlan {
  return {
    workflow: workflow.name,
    graphs: workflow.graphs.map((graph) => ({
      name: graph.name,
      entry: graph.entry,
      nodes: graph.nodes().map((node) => {
        const batch = graph.annotations.get(batchAnnotation, node.id);
        const cost = graph.annotations.get(costAnnotation, node.id);
        const model = node.kind === "llm" || node.kind === "router" ? node.model : undefined;
        return {
          id: node.id,
          kind: node.kind,
          ...(model ? { model } : {}),
          ...(batch ? { batch } : {}),
          ...(cost ? { cost } : {}),
        };
      }),
      edges: graph.edges().map((edge) => ({
        id: edge.id,
        from: edge.from,
        to: edge.to,
        condition: conditionSummary(edge.condition).slice(1, -1),
        onError: edge.condition.trigger === "error",
      })),
    })),
    estimate: compiledEstimate(workflow),
  };
}
