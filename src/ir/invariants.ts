// Structural invariants every IR must satisfy between passes. A violation is a bug in a pass, never in user input;
// the pass manager checks them under `--verify-each` (and always in tests) and names the pass that broke them.
import { annotationTable } from "./annotations/define.js";
import { NODE_KINDS } from "./types.js";
import type { Workflow } from "./workflow.js";

export function checkInvariants(workflow: Workflow): string[] {
  const problems: string[] = [];
  const graphNames = new Set<string>();
  for (const graph of workflow.graphs) {
    if (graphNames.has(graph.name)) problems.push(`two graphs are named '${graph.name}'`);
    graphNames.add(graph.name);
    for (const node of graph.nodes()) {
      if (!(NODE_KINDS as readonly string[]).includes(node.kind))
        problems.push(`node '${node.id}' has unknown kind '${node.kind}'`);
      if (!node.loc) problems.push(`node '${node.id}' has no source location`);
      for (const [table, value] of Object.entries(graph.annotations.forNode(node.id))) {
        const declared = annotationTable(table);
        const result = declared?.schema.safeParse(value);
        if (result && !result.success)
          problems.push(`annotation '${table}' of node '${node.id}' is invalid: ${result.error.message}`);
      }
    }
    for (const edge of graph.edges()) {
      if (!graph.hasNode(edge.from) || !graph.hasNode(edge.to)) problems.push(`edge '${edge.id}' has a missing end`);
      if (edge.condition.expression && edge.condition.expressionSource === undefined) {
        problems.push(`edge '${edge.id}' has an expression without its source text`);
      }
    }
  }
  for (const graph of workflow.graphs) {
    for (const node of graph.nodes()) {
      const target = node.kind === "map" ? node.body : node.kind === "subgraph" ? node.graph : undefined;
      if (target !== undefined && target !== "" && !graphNames.has(target)) {
        problems.push(`node '${node.id}' refers to missing graph '${target}'`);
      }
    }
  }
  return problems;
}
