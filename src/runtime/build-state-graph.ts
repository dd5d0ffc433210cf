// Builds an @langchain/langgraph StateGraph for each IR graph. The graphs run vectorized: one invocation carries a
// chunk of work items, each LangGraph node runs its IR node over the items waiting at it, and conditional edges send
// the chunk on to every node some item moved to (routers split the chunk by route). Items that leave the graph are
// reported at once through `onFinished`, so results stream per item while the chunk goes on.
import { Annotation, END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { WorkflowGraph } from "../ir/workflow.js";
import { reachableNodes } from "../passes/analyses/reachability.js";
import type { ExecutionContext } from "./execution-context.js";
import { executeNode } from "./nodes/index.js";
import { executeMapNode } from "./nodes/graph-nodes.js";
import { reduceAhead } from "./reduce-ahead.js";
import { advance } from "./routing.js";
import type { WorkItem } from "./work-item.js";

/** How a node's return value changes the chunk: replace it all, or replace some items by index. */
export type ItemsUpdate = { replace: WorkItem[] } | { patch: [number, WorkItem][] };

function mergeItems(current: WorkItem[], update: ItemsUpdate): WorkItem[] {
  if ("replace" in update) return update.replace;
  const next = current.slice();
  for (const [index, item] of update.patch) next[index] = item;
  return next;
}

export const ChunkState = Annotation.Root({
  items: Annotation<WorkItem[], ItemsUpdate>({ reducer: mergeItems, default: () => [] }),
});

type ChunkValues = typeof ChunkState.State;

function copyItem(item: WorkItem): WorkItem {
  return { ...item, state: { ...item.state }, written: [...item.written], usage: { ...item.usage } };
}

/** Node kinds whose items run independently (map and subgraph nodes run all their items in one body invocation). */
const ITEM_BY_ITEM = new Set(["llm", "router", "tool"]);

export interface StateGraphHooks {
  /**
   * Items that left the graph in this step (top-level graph only). A returned promise (results recorded in a remote
   * store) is awaited before the step's checkpoint, so a result is recorded before the item is checkpointed finished.
   */
  onFinished?: (items: WorkItem[]) => void | Promise<void>;
  /** Items that left this graph in this step, in any graph (a map hears of its elements as they leave its body). */
  onLeft?: (items: WorkItem[]) => void;
  /** Items a previous run already finished: they are not run again. */
  alreadyFinished?: (item: WorkItem) => boolean;
}

/** One LangGraph node per IR node, one conditional edge per IR node with successors. */
function defineStateGraph(graph: WorkflowGraph, context: ExecutionContext, hooks: StateGraphHooks) {
  const builder = new StateGraph(ChunkState);
  // Nodes the entry does not reach never run (LangGraph refuses a graph that has them; from -O1 on,
  // dead-node-elimination has removed them already).
  const reachable = reachableNodes(graph);
  const nodeIds = graph.nodeIds().filter((id) => reachable.has(id));
  for (const id of nodeIds) {
    const node = graph.node(id);
    builder.addNode(id, async (state: ChunkValues) => {
      const indexes: number[] = [];
      state.items.forEach((item, index) => {
        if (item.at === id && item.status === "running") indexes.push(index);
      });
      const mine = indexes.map((index) => copyItem(state.items[index]));
      const skipped = hooks.alreadyFinished ? mine.filter(hooks.alreadyFinished) : [];
      for (const item of skipped) {
        item.at = null;
        item.status = "ok";
      }
      const toRun = skipped.length ? mine.filter((item) => item.status === "running") : mine;
      const recording: Promise<void>[] = [];
      for (const item of toRun) context.live.unpark(item.id);
      const record = context.stats.record;
      const here = record.node({ graph: graph.name, node: id });
      here.items += toRun.length;
      // Items done with this node move on at once: those that leave the graph are reported (their result lines are
      // written now, not when the slowest item of the step is done), the others park until the step ends, so the
      // accumulator knows they will send nothing more.
      // (At node `at`: this one, or the reducer a mapped item ran during this step, see reduce-ahead.ts.)
      const settleAt = (at: string, items: WorkItem[]) => {
        if (context.signal.aborted) return;
        const there = at === id ? here : record.node({ graph: graph.name, node: at });
        // A deferred item stays where it is, not running: a resumed run starts it again (it sent nothing).
        for (const item of items) {
          if (item.status !== "running") continue;
          const failedHere = item.outcome === "error";
          if (failedHere) there.errors++;
          const edge = advance(graph, at, item);
          if (edge) record.edgeTaken(graph.name, edge.id);
          else if (failedHere && hooks.onFinished) record.failedItem(item.id, `${graph.name}/${at}`, item.error ?? "");
        }
        // Parked: done with their node, waiting for the rest of their step; like items waiting on a model request,
        // they send nothing more until the items still at work are answered.
        for (const item of items) if (item.at !== null) context.live.park(item.id);
        const finished = items.filter((item) => item.at === null);
        const recorded = finished.length > 0 ? hooks.onFinished?.(finished) : undefined;
        if (recorded) recording.push(recorded);
        if (finished.length > 0) hooks.onLeft?.(finished);
        context.accumulator.check();
      };
      const settle = (items: WorkItem[]) => settleAt(id, items);
      // A packed llm node (`pack:`) runs its items together: K of them form one request.
      const together = node.kind === "llm" && node.pack !== undefined;
      // Items that ran this reducer during their map's step (reduce-ahead.ts) only move on.
      const reduced = toRun.filter((item) => item.reducedAt === id);
      const toExecute = reduced.length ? toRun.filter((item) => item.reducedAt !== id) : toRun;
      for (const item of reduced) delete item.reducedAt;
      if (reduced.length > 0) settle(reduced);
      if (toExecute.length > 0 && node.kind === "map") {
        await executeMapNode(context, node, toExecute, (item) => reduceAhead(context, graph, item, settleAt));
      } else if (toExecute.length > 0 && ITEM_BY_ITEM.has(node.kind) && !together) {
        await Promise.all(
          toExecute.map((item) => executeNode(context, graph, node, [item]).then(() => settle([item]))),
        );
      } else if (toExecute.length > 0) {
        await executeNode(context, graph, node, toExecute);
        settle(toExecute);
      }
      await Promise.all(recording);
      // A run stopped at once: its aborted requests are not the items' errors. The step is dropped, and a resumed
      // run redoes it from the chunk's last checkpoint.
      if (context.signal.aborted) throw context.signal.reason;
      return { items: { patch: indexes.map((index, k): [number, WorkItem] => [index, mine[k]]) } };
    });
  }
  const successors = new Map(nodeIds.map((id) => [id, new Set(graph.successors(id))]));
  // LangGraph's node names are typed from the builder; IR node ids are known only at run time.
  const typed = builder as unknown as StateGraph<typeof ChunkState.spec, ChunkValues, ItemsUpdate, string>;
  typed.addEdge(START, graph.entry as never);
  for (const id of nodeIds) {
    const next = successors.get(id)!;
    if (next.size === 0) continue;
    typed.addConditionalEdges(
      id as never,
      (state: ChunkValues) => {
        const targets = new Set<string>();
        for (const item of state.items)
          if (item.status === "running" && item.at !== null && next.has(item.at)) targets.add(item.at);
        return targets.size ? [...targets] : [END];
      },
      [...next, END] as never,
    );
  }
  return typed;
}

/** Builds and compiles an IR graph's StateGraph; the top-level graph gets the checkpointer so interrupted chunks resume. */
export function buildStateGraph(
  graph: WorkflowGraph,
  context: ExecutionContext,
  hooks: StateGraphHooks = {},
  checkpointer?: BaseCheckpointSaver,
) {
  return defineStateGraph(graph, context, hooks).compile(checkpointer ? { checkpointer } : {});
}
