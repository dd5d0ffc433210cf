// Batch-native nodes of a LangGraph.js program. `addNode("lookup", batchNode(evaluateBatch, { size, timeoutMs,
// results }))` (nexus-batch's batchNode, src/dropins/batch-node.ts) is a task whose code batches its own calls: the
// same `batch:` policy a manifest's batch-native task gets, read from the call's literal options (NX1034 at one that
// is not a literal: the build assumes the default, the program's batchNode uses its value). Node metadata
// `addNode(id, fn, { metadata: { nexus: { batch: {...} } } })` sets or overrides the policy of a batchNode (as the
// run does), and of a node that calls a model; on any other node it is NX4020, located at what the program wrote:
// its function has no batch form, and the build says so rather than the run.
import { diagnostics } from "../../diagnostics/codes.js";
import { PROGRAM_BATCH_TIMEOUT_MS } from "../../ir/batch-forms.js";
import type { BatchPolicy, WorkflowNode } from "../../ir/types.js";
import { functionName } from "./interpret.js";
import { nexusMetadata, type AddNodeOptions } from "./pack-option.js";
import type { ProgramReader } from "./reader.js";
import type { Value } from "./values.js";

/**
 * The policy fields an options object writes literally (`size`, `timeoutMs`, `results`); `unread` hears of each one
 * given but not readable as such (undefined: the options as a whole).
 */
export function literalBatchPolicy(options: Value | undefined, unread: (option?: string) => void): BatchPolicy {
  if (options === undefined || options.kind === "undefined") return {};
  if (options.kind !== "object") {
    unread();
    return {};
  }
  const policy: BatchPolicy = {};
  for (const [option, value] of options.properties) {
    if ((option === "size" || option === "timeoutMs") && value.kind === "number") policy[option] = value.value;
    else if (option === "results" && value.kind === "string" && (value.value === "by-id" || value.value === "in-order"))
      policy.results = value.value;
    else if (option === "size" || option === "timeoutMs" || option === "results") unread(option);
  }
  return policy;
}

/** The IR node of `addNode(id, batchNode(...))`: a task with the call's policy, located at the call. */
export function batchNodeTask(reader: ProgramReader, id: string, value: Extract<Value, { kind: "batchNode" }>) {
  const at = reader.files.locate(value.optionsNode ?? value.node);
  const unread = (option?: string) => reader.report(diagnostics.tsUnreadBatchOption(id, option, at));
  const name = value.evaluate.kind === "function" ? functionName(value.evaluate.node) : undefined;
  const node: WorkflowNode = {
    id,
    kind: "task",
    config: {},
    loc: reader.files.locate(value.node),
    batch: {
      timeoutMs: PROGRAM_BATCH_TIMEOUT_MS,
      results: "in-order",
      ...literalBatchPolicy(value.optionsNode && value.options, unread),
    },
    programBatch: true,
    ...(name ? { metadata: { function: name } } : {}),
  };
  return node;
}

/** Applies `metadata.nexus.batch` of the `addNode` options to the node, or reports that the node cannot batch. */
export function applyBatchOption(reader: ProgramReader, node: WorkflowNode, given: AddNodeOptions): void {
  const { value, at } = nexusMetadata(given, "batch");
  if (value === undefined) return;
  const where = reader.files.locate(at ?? given.optionsNode ?? given.call);
  const written = literalBatchPolicy(value, (option) =>
    reader.report(diagnostics.tsUnreadBatchOption(node.id, option, where)),
  );
  if ((node.kind === "task" && node.programBatch) || node.kind === "llm") {
    node.batch = { ...node.batch, ...written };
    return;
  }
  const fn = typeof node.metadata?.function === "string" ? `function '${node.metadata.function}'` : "its function";
  const why = "it is a plain node function, not a batchNode(evaluateBatch, ...), and has no evaluateBatch";
  reader.report(diagnostics.batchPolicyWithoutBatchForm(node.id, "batch", fn, why, where, "program"));
}
