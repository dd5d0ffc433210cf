// `nexus inspect --node ID`: everything about one node — its line in the dump, its fields, its edges, and each
// annotation with the explanation its table gives (the batch pass explains prefix split, mode and cost here).
import { annotationTable } from "../ir/annotations/define.js";
import type { Workflow } from "../ir/workflow.js";
import { conditionSummary } from "./describe.js";
import { formatAnnotations, printGraph } from "./text.js";

export function explainNode(workflow: Workflow, nodeId: string, graphName?: string): string | undefined {
  const graph = workflow.graphs.find((g) => (graphName === undefined || g.name === graphName) && g.hasNode(nodeId));
  if (!graph) return undefined;
  const node = graph.node(nodeId);
  const line = printGraph(graph)
    .find((l) => l.startsWith(`  %${nodeId} = `))!
    .trim();
  const out = [line, "", `graph: ${graph.name}`, `source: ${node.loc.file}:${node.loc.line}:${node.loc.column}`];
  const { id: _id, loc: _loc, ...fields } = node;
  out.push(
    "",
    "fields:",
    ...JSON.stringify(fields, null, 2)
      .split("\n")
      .map((l) => `  ${l}`),
  );
  const incoming = graph
    .inEdges(nodeId)
    .map((e) => `  %${e.from} -> %${e.to}  ${conditionSummary(e.condition)}`.trimEnd());
  const outgoing = graph
    .outEdges(nodeId)
    .map((e) => `  %${e.from} -> %${e.to}  ${conditionSummary(e.condition)}`.trimEnd());
  out.push(
    "",
    "edges in:",
    ...(incoming.length ? incoming : ["  (none)"]),
    "edges out:",
    ...(outgoing.length ? outgoing : ["  (none)"]),
  );
  const annotations = graph.annotations.forNode(nodeId);
  if (Object.keys(annotations).length > 0) {
    out.push("", `annotations: ${formatAnnotations(graph, nodeId)}`);
    for (const [table, value] of Object.entries(annotations)) {
      const explain = annotationTable(table)?.explain;
      out.push("", `${table}:`);
      if (explain)
        out.push(
          ...explain(value)
            .trimEnd()
            .split("\n")
            .map((l) => `  ${l}`),
        );
      else
        out.push(
          ...JSON.stringify(value, null, 2)
            .split("\n")
            .map((l) => `  ${l}`),
        );
    }
  }
  return out.join("\n") + "\n";
}
