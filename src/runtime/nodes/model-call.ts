// One model call for one item through the accumulator, with the item's usage and the run's counters updated.
import type { LlmNode, RouterNode } from "../../ir/types.js";
import type { WorkflowGraph } from "../../ir/workflow.js";
import type { BatchHints } from "../batch-accumulator.js";
import { addUsage, type ChatRequest, type ChatResult, type RequestHints } from "../chat.js";
import type { ExecutionContext } from "../execution-context.js";
import type { WorkItem } from "../work-item.js";

export async function callModel(
  context: ExecutionContext,
  graph: WorkflowGraph,
  node: LlmNode | RouterNode,
  item: WorkItem,
  request: ChatRequest,
  /** Which request of the item's conversation at this node (turn and retry), for a stable request id. */
  step: number,
): Promise<ChatResult> {
  const batch = context.batchHints(graph, node);
  const scheduling = context.scheduling;
  await scheduling.beforeCall(context, graph, node, item.id);
  const hints = requestHints(context, batch, request, `${item.id}/${graph.name}/${node.id}/${step}`);
  const { result, shared } = await scheduling.send(graph, node, item.id, request, () =>
    context.accumulator.submit(request, batch, scheduling.hintsFor(graph, node, item.id, step, hints), {
      itemId: item.id,
      deferrable: graph === context.workflow.mainGraph,
    }),
  );
  if (shared) {
    context.stats.memoizedCalls++;
    return result;
  }
  addUsage(item.usage, result.usage);
  context.stats.addModelUsage(node.model ?? "", result.usage);
  return result;
}

/** What the backend is told about a node's request besides its messages. */
export function requestHints(
  context: ExecutionContext,
  batch: BatchHints,
  request: ChatRequest,
  requestId?: string,
): RequestHints {
  return {
    priority: batch.priority,
    cacheKey: batch.cacheKey,
    expectedOutputTokens: request.maxTokens,
    sharedPrefixMessages: request.messages[0]?.role === "system" ? 1 : 0,
    prefixCacheable: batch.prefixCacheable,
    requestId,
    batchMode: batch.mode,
    signal: context.signal,
  };
}
