// How a run sets up its batch-native nodes (two calls from run-workflow.ts): the start-up check of their modules'
// batch exports, and the queues with their journal in the run's store.
import type { Workflow } from "../../ir/workflow.js";
import type { ExecutionContext } from "../execution-context.js";
import { RunStore, type RunStateStore } from "../run-store.js";
import type { ToolRuntime } from "../tools/executors.js";
import type { TrustPolicy } from "../trust/trust-policy.js";
import { asBatchNative, implementationToolOf } from "../../ir/batch-forms.js";
import { loadBatchFunction } from "./batch-evaluators.js";
import { MemoryBatchJournal, SqliteBatchJournal, type BatchJournal } from "./batch-journal.js";
import { NativeBatches } from "./native-batches.js";

/**
 * Loads every batch-native node's `function` module and checks its batch export, before anything is written: a
 * missing one is a UsageError with the build's NX4020 text (the build read the module's text; this is what loaded).
 */
export async function checkBatchExports(workflow: Workflow, tools: ToolRuntime): Promise<void> {
  const checks: Promise<unknown>[] = [];
  for (const { node } of workflow.allNodes()) {
    const native = asBatchNative(node);
    const tool = native && workflow.tool(implementationToolOf(native) ?? "");
    if (native && tool?.protocol === "function") checks.push(loadBatchFunction(native, tool, tools));
  }
  await Promise.all(checks);
}

export function nativeBatches(
  context: ExecutionContext,
  tools: ToolRuntime,
  policy: TrustPolicy,
  store: RunStateStore,
  replayErrors: boolean,
  /** A journal of the run's own (a distributed chunk's, in the shared state); default: by the store. */
  journal?: BatchJournal,
): NativeBatches {
  const batches = new NativeBatches({
    workflow: context.workflow,
    live: context.live,
    tools,
    policy,
    stats: context.stats,
    journal:
      journal ??
      (store instanceof RunStore ? new SqliteBatchJournal(store.db, replayErrors) : new MemoryBatchJournal()),
    waiting: () => context.accumulator.waiting,
    onSettled: () => context.accumulator.check(),
  });
  // An aborted run does not wait for batches out at their implementations: their items are left for a resume.
  context.signal.addEventListener("abort", () => batches.close("the run was aborted"), { once: true });
  return batches;
}
