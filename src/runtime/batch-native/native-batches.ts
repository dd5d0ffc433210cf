// A run's batch-native nodes: one BatchQueue per (graph, node), created at the node's first item, with the node's
// size (its `batch.size`, capped by the tool's own limit; 1 with a join and no `batch:`), wait (`batch.timeout_ms`)
// and implementation. The run calls `check()` whenever the accumulator re-checks: when nothing else can arrive,
// partial batches go out at once; when nothing at all is under way, join groups short of their count end their
// window. `drain()` (the run stops) hands every partial batch over; `close()` settles what is left.
import { implementationToolOf, type BatchNativeNode } from "../../ir/batch-forms.js";
import type { Workflow } from "../../ir/workflow.js";
import { BATCH_DEFAULTS } from "../../models/batch-decision.js";
import type { LiveItems } from "../live-items.js";
import type { RunStats } from "../run-stats.js";
import type { ToolRuntime } from "../tools/executors.js";
import type { TrustPolicy } from "../trust/trust-policy.js";
import { evaluatorFor, resultsOrderOf, toolBatchLimit } from "./batch-evaluators.js";
import type { BatchJournal } from "./batch-journal.js";
import { BatchQueue } from "./batch-queue.js";

export interface NativeBatchOptions {
  workflow: Workflow;
  live: LiveItems;
  tools: ToolRuntime;
  policy: TrustPolicy;
  stats: RunStats;
  journal: BatchJournal;
  /** Requests queued at or sent by the accumulator. */
  waiting: () => number;
  /** A batch settled: its items move on (the run re-checks what can flush). */
  onSettled: () => void;
}

export class NativeBatches {
  private readonly queues = new Map<string, BatchQueue>();
  private draining = false;

  constructor(private readonly options: NativeBatchOptions) {}

  get journal(): BatchJournal {
    return this.options.journal;
  }

  queueFor(graph: string, node: BatchNativeNode): BatchQueue {
    const key = `${graph}\u0000${node.id}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = this.create(graph, node);
      this.queues.set(key, queue);
      if (this.draining) queue.drain();
    }
    return queue;
  }

  private create(graph: string, node: BatchNativeNode): BatchQueue {
    const { workflow, tools, policy, stats, journal, live } = this.options;
    const tool = workflow.tool(implementationToolOf(node) ?? "")!;
    const asked =
      node.batch?.enabled === false ? 1 : (node.batch?.size ?? (node.batch ? BATCH_DEFAULTS.maxBatchSize : 1));
    const limit = toolBatchLimit(tool);
    const evaluate = evaluatorFor(node, tool, tools, policy);
    return new BatchQueue({
      node: node.id,
      size: limit === undefined ? asked : Math.min(asked, limit),
      timeoutMs: node.batch?.timeoutMs ?? BATCH_DEFAULTS.maxWaitMs,
      order: resultsOrderOf(tool, node),
      join: node.join,
      config: node.kind === "task" ? node.config : {},
      evaluate: (units, context) => {
        stats.nativeBatches++;
        stats.nativeBatchUnits += units.length;
        return evaluate(units, context);
      },
      live,
      record: (outcomes) => journal.record(graph, node.id, outcomes),
      onSettled: this.options.onSettled,
    });
  }

  /** Flushes what can go now: partial batches when nothing else can arrive, short groups when nothing is under way. */
  check(): void {
    if (this.queues.size === 0) return;
    const { live, waiting } = this.options;
    const pending = [...this.queues.values()].filter((queue) => queue.holding);
    if (pending.length === 0) return;
    if (live.stalled(waiting())) for (const queue of pending) queue.closeIncomplete();
    if (live.nothingElseCanArrive(waiting())) for (const queue of pending) if (queue.hasReady) queue.flushAll();
  }

  /** The run stops: every partial batch goes out (see BatchQueue.drain). */
  drain(): void {
    this.draining = true;
    for (const queue of this.queues.values()) queue.drain();
  }

  close(reason: string): void {
    for (const queue of this.queues.values()) queue.close(reason);
  }
}
