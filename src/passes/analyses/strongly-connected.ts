// Strongly connected components of a graph (iterative Tarjan), used to find cycles that no edge leaves.
import type { WorkflowGraph } from "../../ir/workflow.js";
import type { Analysis } from "../../pass-manager/pass.js";

/** Components in reverse topological order; each lists node ids in discovery order. */
export function stronglyConnectedComponents(graph: WorkflowGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of graph.nodeIds()) {
    if (index.has(root)) continue;
    const work: { node: string; neighbors: string[]; next: number }[] = [];
    const enter = (node: string) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, neighbors: graph.successors(node), next: 0 });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.next < frame.neighbors.length) {
        const neighbor = frame.neighbors[frame.next++];
        if (!index.has(neighbor)) enter(neighbor);
        else if (onStack.has(neighbor)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(neighbor)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.reverse());
      }
    }
  }
  return components;
}

/** graph name -> its strongly connected components (shared, read only: copy before reordering). */
export type Components = Map<string, readonly string[][]>;

/** Analysis: the strongly connected components of every graph, shared by verify, critical-path and expected-visits. */
export const componentsAnalysis: Analysis<Components> = {
  name: "strongly-connected-components",
  summary: "strongly connected components of each graph (cycles), sinks first",
  compute(ir) {
    return new Map(ir.graphs.map((graph) => [graph.name, stronglyConnectedComponents(graph)]));
  },
};
