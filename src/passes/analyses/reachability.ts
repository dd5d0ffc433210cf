// Analysis: which nodes of each graph can be reached from its entry node (following every edge).
import type { Analysis } from "../../pass-manager/pass.js";

/** graph name -> ids of reachable nodes. */
export type Reachability = Map<string, Set<string>>;

export const reachabilityAnalysis: Analysis<Reachability> = {
  name: "reachability",
  summary: "nodes reachable from each graph's entry",
  compute(ir) {
    const result: Reachability = new Map();
    for (const graph of ir.graphs) {
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
      result.set(graph.name, reached);
    }
    return result;
  },
};
