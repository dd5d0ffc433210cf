// Makes `expect(a).toEqual(b)` meaningful for workflows. A graphology graph is iterable (over its adjacency), and
// vitest compares iterables by their items only, so two graphs whose nodes differ in attributes compare equal.
// This tester compares a WorkflowGraph by what it holds: its fields, nodes, edges (in order) and annotations.
import { expect } from "vitest";
import { WorkflowGraph } from "../../src/ir/workflow.js";

function contents(graph: WorkflowGraph) {
  const nodes = graph.nodes();
  return {
    name: graph.name,
    entry: graph.entry,
    loc: graph.loc,
    stateSchema: graph.stateSchema,
    description: graph.description,
    nodes,
    edges: graph.edges(),
    annotations: nodes.map((node) => graph.annotations.forNode(node.id)),
  };
}

expect.addEqualityTesters([
  function workflowGraphEquality(a: unknown, b: unknown, customTesters) {
    const aIsGraph = a instanceof WorkflowGraph;
    const bIsGraph = b instanceof WorkflowGraph;
    if (!aIsGraph && !bIsGraph) return undefined;
    if (!aIsGraph || !bIsGraph) return false;
    return this.equals(contents(a), contents(b), customTesters);
  },
]);
