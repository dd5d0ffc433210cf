// Each node's share of the run: of its estimated cost when the run was priced, else of the time its requests spent
// at the backend. The graph colours its nodes by it and the table shows it.
import type { NodeData } from "../runtime/record/node-record.js";
import type { RunRecordData } from "../runtime/record/run-record.js";

export interface NodeShares {
  measure: "cost" | "time";
  /** `graph/node` -> share of the total (0..1). */
  share(graph: string, node: string): number;
  data(graph: string, node: string): NodeData | undefined;
}

export function nodeShares(record: RunRecordData | undefined): NodeShares {
  const byKey = new Map((record?.nodes ?? []).map((n) => [`${n.graph}/${n.node}`, n]));
  const cost = (n: NodeData) => n.costUsd ?? 0;
  const time = (n: NodeData) => n.latency.meanMs * n.latency.count;
  const nodes = [...byKey.values()];
  const measure = nodes.some((n) => cost(n) > 0) ? "cost" : "time";
  const value = measure === "cost" ? cost : time;
  const total = nodes.reduce((sum, n) => sum + value(n), 0);
  return {
    measure,
    share: (graph, node) => {
      const data = byKey.get(`${graph}/${node}`);
      return data && total > 0 ? value(data) / total : 0;
    },
    data: (graph, node) => byKey.get(`${graph}/${node}`),
  };
}
