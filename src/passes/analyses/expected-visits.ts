// Analysis: how often each node runs per workflow item, for cost estimates. From the entry (1 run), a node's runs
// flow along its edges: unconditional edges carry all of it, the conditional edges of a node (routes, expressions)
// share it evenly, error edges carry none. A node runs at most once per graph run (a cycle counts once). Graphs run
// by map nodes multiply by the assumed list length, which the caller supplies (`runsPerItem`).
import type { Workflow, WorkflowGraph } from "../../ir/workflow.js";
import type { Analysis } from "../../pass-manager/pass.js";
import { componentsAnalysis } from "./strongly-connected.js";

export interface ExpectedVisits {
  /** graph name -> node id -> expected runs per run of that graph (0..1). */
  perGraphRun: Map<string, Map<string, number>>;
  /** graph name -> the nodes that run it. */
  callers: Map<string, { graph: string; node: string; kind: "map" | "subgraph" }[]>;
  /** The graph a workflow item starts in. */
  mainGraph?: string;
}

function visitsInGraph(graph: WorkflowGraph, sinksFirst: readonly string[][]): Map<string, number> {
  const visits = new Map<string, number>();
  const components = [...sinksFirst].reverse();
  const inflow = new Map<string, number>();
  if (graph.hasNode(graph.entry)) inflow.set(graph.entry, 1);
  const componentOf = new Map<string, number>();
  components.forEach((component, index) => component.forEach((id) => componentOf.set(id, index)));
  components.forEach((component, index) => {
    const runs = Math.min(1, Math.max(...component.map((id) => inflow.get(id) ?? 0)));
    for (const id of component) visits.set(id, runs);
    for (const id of component) {
      const edges = graph
        .outEdges(id)
        .filter((e) => e.condition.trigger !== "error" && componentOf.get(e.to) !== index);
      const conditional = edges.filter((e) => e.condition.route !== undefined || e.condition.expression !== undefined);
      for (const edge of edges) {
        const share = conditional.includes(edge) ? runs / conditional.length : runs;
        inflow.set(edge.to, Math.min(1, (inflow.get(edge.to) ?? 0) + share));
      }
    }
  });
  return visits;
}

export const expectedVisitsAnalysis: Analysis<ExpectedVisits> = {
  name: "expected-visits",
  summary: "expected runs of each node per workflow item (routes and conditions split evenly)",
  compute(ir: Workflow, context) {
    const components = context.getAnalysis(componentsAnalysis);
    const callers: ExpectedVisits["callers"] = new Map();
    for (const { graph, node } of ir.allNodes()) {
      if (node.kind !== "map" && node.kind !== "subgraph") continue;
      const target = node.kind === "map" ? node.body : node.graph;
      callers.set(target, [...(callers.get(target) ?? []), { graph: graph.name, node: node.id, kind: node.kind }]);
    }
    return {
      perGraphRun: new Map(ir.graphs.map((g) => [g.name, visitsInGraph(g, components.get(g.name)!)])),
      callers,
      mainGraph: ir.graphs[0]?.name,
    };
  },
};

/** Expected runs of a graph per workflow item; `mapItems` is the assumed list length of every map node. */
export function graphRunsPerItem(visits: ExpectedVisits, graph: string, mapItems: number): number {
  const graphRuns = (name: string, seen: Set<string>): number => {
    if (name === visits.mainGraph) return 1;
    const callers = visits.callers.get(name);
    if (!callers || seen.has(name)) return callers ? 0 : 1;
    seen.add(name);
    let total = 0;
    for (const caller of callers) {
      const callerRuns = (visits.perGraphRun.get(caller.graph)?.get(caller.node) ?? 0) * graphRuns(caller.graph, seen);
      total += callerRuns * (caller.kind === "map" ? mapItems : 1);
    }
    seen.delete(name);
    return total;
  };
  return graphRuns(graph, new Set());
}
