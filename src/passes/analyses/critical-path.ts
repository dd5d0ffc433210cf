// Analysis: a scheduling priority per node, higher first. A node's priority is the number of nodes on the longest
// path from it to an exit, counting itself (cycles count once, as a block of their size), so nodes on the critical
// path and nodes closer to the entry come first. Nodes of a map body or subgraph add the steps that remain after
// the node that runs them. Deterministic: it depends only on the graph's shape.
import type { Workflow, WorkflowGraph } from "../../ir/workflow.js";
import type { Analysis } from "../../pass-manager/pass.js";
import { componentsAnalysis } from "./strongly-connected.js";

/** graph name -> node id -> priority. */
export type CriticalPath = Map<string, Map<string, number>>;

/** Nodes on the longest path to an exit, per node, within one graph. */
export function stepsToExit(graph: WorkflowGraph, components: readonly string[][]): Map<string, number> {
  const steps = new Map<string, number>();
  const componentOf = new Map<string, number>();
  components.forEach((component, index) => component.forEach((id) => componentOf.set(id, index)));
  // Tarjan lists components sinks first, so every successor component is done before its predecessors.
  components.forEach((component, index) => {
    let longestAfter = 0;
    for (const id of component) {
      for (const next of graph.successors(id)) {
        if (componentOf.get(next) !== index) longestAfter = Math.max(longestAfter, steps.get(next) ?? 0);
      }
    }
    for (const id of component) steps.set(id, component.length + longestAfter);
  });
  return steps;
}

/** Steps that remain after a graph finishes, because of the map or subgraph nodes that run it. */
function graphOffsets(ir: Workflow, steps: Map<string, Map<string, number>>): Map<string, number> {
  const offsets = new Map<string, number>();
  const computing = new Set<string>();
  const offsetOf = (name: string): number => {
    const known = offsets.get(name);
    if (known !== undefined) return known;
    if (computing.has(name)) return 0;
    computing.add(name);
    let offset = 0;
    for (const { graph, node } of ir.allNodes()) {
      const target = node.kind === "map" ? node.body : node.kind === "subgraph" ? node.graph : undefined;
      if (target !== name || graph.name === name) continue;
      offset = Math.max(offset, (steps.get(graph.name)?.get(node.id) ?? 1) - 1 + offsetOf(graph.name));
    }
    computing.delete(name);
    offsets.set(name, offset);
    return offset;
  };
  for (const graph of ir.graphs) offsetOf(graph.name);
  return offsets;
}

export const criticalPathAnalysis: Analysis<CriticalPath> = {
  name: "critical-path",
  summary: "per node, the nodes on the longest path to an exit (the scheduling priority)",
  compute(ir, context) {
    const components = context.getAnalysis(componentsAnalysis);
    const steps = new Map(ir.graphs.map((graph) => [graph.name, stepsToExit(graph, components.get(graph.name)!)]));
    const offsets = graphOffsets(ir, steps);
    const result: CriticalPath = new Map();
    for (const graph of ir.graphs) {
      const offset = offsets.get(graph.name) ?? 0;
      result.set(graph.name, new Map([...steps.get(graph.name)!].map(([id, n]) => [id, n + offset])));
    }
    return result;
  },
};
