// What node executors share during a run: the workflow, the accumulator, the tool pool, per-node request plans and
// batch hints (computed once), output validators, and the compiled graphs that map and subgraph nodes invoke.
import type { LlmNode, RouterNode } from "../ir/types.js";
import type { Workflow, WorkflowGraph } from "../ir/workflow.js";
import type { CriticalPath } from "../passes/analyses/critical-path.js";
import type { BatchAccumulator, BatchHints } from "./batch-accumulator.js";
import { LiveItems } from "./live-items.js";
import { WorkflowScheduling } from "./workflow-scheduling.js";
import { batchHintsFor, criticalPathOf } from "./batch-hints.js";
import { requestPlanFor } from "../prompt/assemble-request.js";
import type { RequestPlan } from "../prompt/request-plan.js";
import type { OutputValidator } from "./output-validator.js";
import type { RunStats } from "./run-stats.js";
import type { ToolPool } from "./tools/tool-pool.js";
import type { PackPlan } from "../ir/annotations/pack.js";
import { packPlanOf } from "./nodes/packed-llm-node.js";
import type { WorkItem } from "./work-item.js";
import type { NativeBatches } from "./batch-native/native-batches.js";

/** Runs a graph over items until each leaves it (provided by `buildStateGraph`); `onLeft` hears of items as they leave. */
export type GraphRunner = (
  graphName: string,
  items: WorkItem[],
  onLeft?: (items: WorkItem[]) => void,
) => Promise<WorkItem[]>;

export interface ExecutionOptions {
  /** Attempts to get a schema-valid answer before the item fails. */
  validationAttempts: number;
}

export class ExecutionContext {
  private readonly plans = new Map<string, RequestPlan>();
  private readonly hints = new Map<string, BatchHints>();
  private readonly packPlans = new Map<string, PackPlan | undefined>();
  private priorities?: CriticalPath;
  /** Admitted, finished and parked items, and whether more can be admitted (see LiveItems). */
  readonly live = new LiveItems();
  /** What the -O3 annotations ask of each model call (priorities, keep-alives, admission, prefill, memoization). */
  readonly scheduling = new WorkflowScheduling();
  runGraph!: GraphRunner;
  /** The queues of batch-native nodes (set by the run). */
  batches!: NativeBatches;

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

  /** How the node's requests are batched (see batchHintsFor), computed once per node. */
  batchHints(graph: WorkflowGraph, node: LlmNode | RouterNode): BatchHints {
    const key = `${graph.name}\u0000${node.id}`;
    let hints = this.hints.get(key);
    if (!hints) {
      hints = batchHintsFor(this.workflow, graph, node, this.plan(graph, node), () => this.criticalPath());
      this.hints.set(key, hints);
    }
    return hints;
  }

  /** How the node packs items into requests (see packPlanOf), computed once per node; undefined when it does not. */
  packPlan(graph: WorkflowGraph, node: LlmNode): PackPlan | undefined {
    const key = `${graph.name}\u0000${node.id}`;
    if (!this.packPlans.has(key)) this.packPlans.set(key, packPlanOf(this.workflow, graph, node));
    return this.packPlans.get(key);
  }

  private criticalPath(): CriticalPath {
    return (this.priorities ??= criticalPathOf(this.workflow));
  }
}
