// What node executors share during a run: the workflow, the accumulator, the tool pool, per-node request plans and
// batch hints (computed once), output validators, and the compiled graphs that map and subgraph nodes invoke.
import type { LlmNode, RouterNode } from "../ir/types.js";
import type { Workflow, WorkflowGraph } from "../ir/workflow.js";
import type { BatchAccumulator, BatchHints } from "./batch-accumulator.js";
import { LiveItems } from "./live-items.js";
import { requestPlanFor } from "../prompt/assemble-request.js";
import { prefixCacheKey } from "../prompt/prefix-split.js";
import type { RequestPlan } from "./model-request.js";
import type { OutputValidator } from "./output-validator.js";
import type { RunStats } from "./run-stats.js";
import type { ToolPool } from "./tools/tool-pool.js";
import type { WorkItem } from "./work-item.js";

/** Runs a graph over items until each leaves it (provided by the LangGraph lowering). */
export type GraphRunner = (graphName: string, items: WorkItem[]) => Promise<WorkItem[]>;

export interface ExecutionOptions {
  /** Attempts to get a schema-valid answer before the item fails. */
  validationAttempts: number;
  defaultBatch: { maxBatchSize: number; maxWaitMs: number };
}

export class ExecutionContext {
  private readonly plans = new Map<string, RequestPlan>();
  private readonly hints = new Map<string, BatchHints>();
  /** Admitted, finished and parked items, and whether more can be admitted (see LiveItems). */
  readonly live = new LiveItems();
  runGraph!: GraphRunner;

  constructor(
    readonly workflow: Workflow,
    readonly accumulator: BatchAccumulator,
    readonly tools: ToolPool,
    readonly stats: RunStats,
    readonly validator: OutputValidator,
    readonly options: ExecutionOptions,
    readonly signal: AbortSignal,
  ) {}

  plan(graph: WorkflowGraph, node: LlmNode | RouterNode): RequestPlan {
    const key = `${graph.name}\u0000${node.id}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = requestPlanFor(this.workflow, graph, node.id);
      if (!plan) throw new Error(`node '${node.id}' calls no model`);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Batch hints from the node's `annotations.batch` (written by the batch-optimization pass), else defaults. */
  batchHints(graph: WorkflowGraph, node: LlmNode | RouterNode): BatchHints {
    const key = `${graph.name}\u0000${node.id}`;
    let hints = this.hints.get(key);
    if (hints) return hints;
    const annotation = (graph.annotations.forNode(node.id).batch ?? {}) as Partial<BatchHints> & { eligible?: boolean };
    const plan = this.plan(graph, node);
    const unbatched = annotation.eligible === false;
    hints = {
      group: annotation.group ?? plan.modelName,
      cacheKey: annotation.cacheKey ?? prefixCacheKey(plan),
      maxBatchSize: unbatched
        ? 1
        : (annotation.maxBatchSize ?? node.batch?.size ?? this.options.defaultBatch.maxBatchSize),
      maxWaitMs: unbatched ? 0 : (annotation.maxWaitMs ?? node.batch?.timeoutMs ?? this.options.defaultBatch.maxWaitMs),
      priority: annotation.priority ?? node.batch?.priority ?? 0,
      mode: annotation.mode,
      model: node.model ?? "",
      prefixCacheable: annotation.prefixCacheable,
    };
    this.hints.set(key, hints);
    return hints;
  }
}
