// Executes a reduce that calls a model (a synthesis) for one item: the model reads the list at the node's `input`
// (the item's own map results) in its prompt. When the `reduce` annotation (or, without it, the same build-time
// decision) says hierarchical and the list is longer than a chunk, chunks of the list are reduced first, each by one
// model call with the chunk in the list's place, then the partial results the same way, until one call takes them
// all. Every call goes through the accumulator, batched with other items' calls.
import { readPath } from "../../expr/index.js";
import { reduceAnnotation } from "../../ir/annotations/reduce.js";
import { outputField } from "../../ir/node-output.js";
import type { LlmNode } from "../../ir/types.js";
import type { WorkflowGraph } from "../../ir/workflow.js";
import { decideReduce } from "../../passes/analyses/reduce-estimate.js";
import { addUsage, emptyUsage } from "../chat.js";
import type { ExecutionContext } from "../execution-context.js";
import type { WorkItem } from "../work-item.js";
import { failItem } from "./node-outcome.js";

/** Elements per call: the recorded decision, or the same one made now. */
function chunkItemsOf(context: ExecutionContext, graph: WorkflowGraph, node: LlmNode): number {
  const decision = graph.annotations.get(reduceAnnotation, node.id) ?? decideReduce(context.workflow, graph, node);
  return decision.mode === "single" ? Number.POSITIVE_INFINITY : decision.chunkItems;
}

function withList(state: Record<string, unknown>, path: string[], list: unknown[]): Record<string, unknown> {
  if (path.length === 1) return { ...state, [path[0]]: list };
  const [head, ...rest] = path;
  const inner = (state[head] ?? {}) as Record<string, unknown>;
  return { ...state, [head]: withList(inner, rest, list) };
}

type RunOne = (item: WorkItem) => Promise<void>;

export async function executeSynthesis(
  context: ExecutionContext,
  graph: WorkflowGraph,
  node: LlmNode,
  item: WorkItem,
  runOne: RunOne,
): Promise<void> {
  const path = node.reduce!.input.split(".");
  const read = readPath(item.state, path);
  if (!Array.isArray(read)) return failItem(item, `reduce node '${node.id}': '${node.reduce!.input}' is not a list`);
  let list: unknown[] = read;
  const chunkItems = chunkItemsOf(context, graph, node);
  const field = outputField(node)!;
  for (let level = 1; list.length > chunkItems; level++) {
    const chunks: unknown[][] = [];
    for (let start = 0; start < list.length; start += chunkItems) chunks.push(list.slice(start, start + chunkItems));
    const partials = chunks.map((chunk, index) => ({
      ...item,
      // Its own id: each partial call has a request id of its own (resumes and provider batches match on it).
      id: `${item.id}#${node.id}.${level}.${index}`,
      state: withList(item.state, path, chunk),
      written: [],
      usage: emptyUsage(),
    }));
    await Promise.all(partials.map((partial) => runOne(partial)));
    for (const partial of partials) addUsage(item.usage, partial.usage);
    const failed = partials.find((partial) => partial.outcome === "error" || partial.status === "deferred");
    if (failed?.status === "deferred") {
      item.status = "deferred";
      return;
    }
    if (failed)
      return failItem(item, `reduce node '${node.id}' (level ${level} of a hierarchical reduce): ${failed.error}`);
    list = partials.map((partial) => partial.state[field]);
  }
  // The last call: on a copy of the state with the (partial) list in its place; `written` and usage are the item's.
  const final: WorkItem = { ...item, state: withList(item.state, path, list) };
  await runOne(final);
  if (final.outcome === "success") item.state[field] = final.state[field];
  item.outcome = final.outcome;
  item.status = final.status;
  if (final.error !== undefined) item.error = final.error;
}
