// Pass `dead-node-elimination`: removes nodes no path from the graph's entry reaches, with their edges and
// annotations. Graphs used as map bodies or subgraphs are pruned from their own entry.
import type { Pass } from "../pass-manager/pass.js";
import { reachabilityAnalysis } from "./analyses/reachability.js";

export const deadNodeEliminationPass: Pass = {
  name: "dead-node-elimination",
  summary: "remove nodes unreachable from their graph's entry",
  options: [],
  requires: [reachabilityAnalysis],
  preserves: [],
  run(ir, context) {
    const reachability = context.getAnalysis(reachabilityAnalysis);
    let removed = 0;
    for (const graph of ir.graphs) {
      if (!graph.hasNode(graph.entry)) continue;
      const reached = reachability.get(graph.name)!;
      for (const id of graph.nodeIds()) {
        if (reached.has(id)) continue;
        graph.removeNode(id);
        context.stat("nodes-removed");
        removed++;
      }
    }
    if (removed === 0) context.markAllPreserved();
  },
};
