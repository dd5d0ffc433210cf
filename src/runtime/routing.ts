// Moves an item along the graph after a node ran: the first out-edge (in declaration order) whose trigger matches
// the node's outcome, whose route matches the chosen route, and whose expression holds for the item's state.
// No matching edge ends the item's path: `ok` after a success, `error` after an error.
import { evaluateExpression, truthy } from "../expr/index.js";
import { outputField } from "../ir/node-output.js";
import type { WorkflowEdge } from "../ir/types.js";
import type { WorkflowGraph } from "../ir/workflow.js";
import type { WorkItem } from "./work-item.js";

/** The value a `route` condition is matched against, for routers and for other nodes (their output). */
function routeValue(graph: WorkflowGraph, nodeId: string, item: WorkItem): unknown {
  if (item.route !== undefined) return item.route;
  const field = outputField(graph.node(nodeId));
  const output = field === undefined ? undefined : item.state[field];
  if (output && typeof output === "object" && !Array.isArray(output)) {
    const record = output as Record<string, unknown>;
    return record.route ?? record.status ?? record.result;
  }
  return output;
}

function edgeMatches(edge: WorkflowEdge, graph: WorkflowGraph, item: WorkItem): boolean {
  const { trigger, route, expression } = edge.condition;
  const outcome = item.outcome ?? "success";
  if (trigger === "error" ? outcome !== "error" : outcome === "error") return false;
  if (route !== undefined && String(routeValue(graph, edge.from, item)) !== route) return false;
  if (expression && !truthy(evaluateExpression(expression, item.state))) return false;
  return true;
}

/** The edge an item takes after the node, or undefined when its path ends there. */
export function nextEdge(graph: WorkflowGraph, nodeId: string, item: WorkItem): WorkflowEdge | undefined {
  return graph.outEdges(nodeId).find((edge) => edgeMatches(edge, graph, item));
}

/** Sets `item.at` to the next node, or finishes the item; returns the edge taken, if any. */
export function advance(graph: WorkflowGraph, nodeId: string, item: WorkItem): WorkflowEdge | undefined {
  const next = nextEdge(graph, nodeId, item);
  item.route = undefined;
  if (next) {
    item.at = next.to;
    if (item.outcome === "error") item.error = undefined;
    item.outcome = undefined;
    return next;
  }
  item.at = null;
  item.status = item.outcome === "error" ? "error" : "ok";
  return undefined;
}
