// The reducer waits only for the items of its own map: an item whose map elements are all done moves on at once
// and, when the node it moved to is a reduce (a fold, or a synthesis that calls a model), runs that reduce during
// the map's step, while the other items' elements are still at work. Its model calls go through the accumulator
// like any others. An item whose path ends at the reducer leaves the graph then (its result line is written at
// once); one that goes on waits at the reducer marked `reducedAt` (checkpointed with it), and the reducer's own step
// only moves it on, so a resumed run does not reduce it again.
import type { WorkflowNode } from "../ir/types.js";
import type { WorkflowGraph } from "../ir/workflow.js";
import type { ExecutionContext } from "./execution-context.js";
import { executeNode } from "./nodes/index.js";
import { nextEdge } from "./routing.js";
import type { WorkItem } from "./work-item.js";

/** A reduce that can run for one item on its own: a fold, or a synthesis not packed with other items. */
function reducesAhead(node: WorkflowNode): boolean {
  return node.kind === "reduce" || (node.kind === "llm" && node.reduce !== undefined && node.pack === undefined);
}

/** Moves items on after node `at` ran for them (parks those still in the graph, reports those that left it). */
export type SettleAt = (at: string, items: WorkItem[]) => void;

/** Moves a mapped item on from its map node and runs the reducer it moved to, now. */
export async function reduceAhead(
  context: ExecutionContext,
  graph: WorkflowGraph,
  item: WorkItem,
  settleAt: SettleAt,
): Promise<void> {
  const map = item.at!;
  settleAt(map, [item]);
  if (item.at === null || item.status !== "running" || context.signal.aborted) return;
  const reducer = graph.node(item.at);
  if (!reducesAhead(reducer)) return;
  // Settle parked the item (it waits for its step); it is live again while its reducer runs.
  context.live.unpark(item.id);
  await executeNode(context, graph, reducer, [item]);
  if (item.status === "running" && nextEdge(graph, reducer.id, item) === undefined) {
    context.stats.record.node({ graph: graph.name, node: reducer.id }).items++;
    return settleAt(reducer.id, [item]);
  }
  if (item.status === "running") item.reducedAt = reducer.id;
  context.live.park(item.id);
  context.accumulator.check();
}
