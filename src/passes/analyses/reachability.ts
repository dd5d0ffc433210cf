// Analysis: which nodes of each graph can be reached from its entry node (following every edge).
import type { WorkflowGraph } from "../../ir/workflow.js";
import type { Analysis } from "../../pass-manager/pass.js";

/** graph name -> ids of reachable nodes. */
export type Reachability = Map<string, Set<string>>;

/** The ids of the nodes of one graph that its entry reaches (the entry included, when it exists). */
export function reachableNodes(graph: WorkflowGraph): Set<string> {
  const reached = new Set<string>();
  if (graph.hasNode(graph.entry)) {
    const stack = [graph.entry];
    reached.add(graph.entry);
    while (stack.length > 0) {
      for (const next of graph.successors(stack.pop()!)) {
        if (!reached.has(next)) {
          reached.add(next);
          stack.push(next);
        }
      }
    }
  }
  return reached;
}

export const reachabilityAnalysis: Analysis<Reachability> = {
  name: "reachability",
  summary: "nodes reachable from each graph's entry",
  compute(ir) {
    return new Map(ir.graphs.map((graph) => [graph.name, reachableNodes(graph)]));
  },
};
