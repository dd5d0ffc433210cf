// Pass `edge-deduplication`: removes an edge when an earlier edge joins the same two nodes under the same condition
// (same trigger, route and expression text); such duplicates only make a router or scheduler do work twice.
import type { WorkflowEdge } from "../ir/types.js";
import type { Pass } from "../pass-manager/pass.js";

function edgeKey(edge: WorkflowEdge): string {
  const { trigger, route, expressionSource } = edge.condition;
  return JSON.stringify([edge.from, edge.to, trigger, route ?? null, expressionSource ?? null]);
}

export const edgeDeduplicationPass: Pass = {
  name: "edge-deduplication",
  summary: "remove edges that repeat an earlier edge's ends and condition",
  options: [],
  requires: [],
  preserves: [],
  run(ir, context) {
    let removed = 0;
    for (const graph of ir.graphs) {
      const seen = new Set<string>();
      for (const edge of graph.edges()) {
        const key = edgeKey(edge);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        graph.removeEdge(edge.id);
        context.stat("edges-removed");
        removed++;
      }
    }
    if (removed === 0) context.markAllPreserved();
  },
};
