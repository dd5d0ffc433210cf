// Mermaid flowchart of a workflow, one `subgraph` block per graph, for pictures in docs and reviews.
import type { WorkflowNode } from "../ir/types.js";
import type { Workflow } from "../ir/workflow.js";
import { conditionSummary } from "./describe.js";

const SHAPES: Record<WorkflowNode["kind"], [string, string]> = {
  llm: ["([", "])"],
  router: ["{", "}"],
  tool: ["[[", "]]"],
  task: ["[", "]"],
  map: ["[/", "/]"],
  reduce: ["[\\", "\\]"],
  subgraph: ["[[", "]]"],
  human: ["[(", ")]"],
};

function mermaidId(graphIndex: number, nodeId: string): string {
  return `g${graphIndex}_${nodeId.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

function label(text: string): string {
  return `"${text.replace(/"/g, "#quot;")}"`;
}

export function printMermaid(workflow: Workflow): string {
  const lines = ["flowchart TD"];
  workflow.graphs.forEach((graph, index) => {
    lines.push(`  subgraph ${mermaidId(index, "graph")}[${label(graph.name)}]`);
    for (const node of graph.nodes()) {
      const [open, close] = SHAPES[node.kind];
      const detail = node.kind === "llm" || (node.kind === "router" && node.model) ? `<br/>${node.model}` : "";
      lines.push(
        `    ${mermaidId(index, node.id)}${open}${label(`${node.id}<br/><i>${node.kind}</i>${detail}`)}${close}`,
      );
    }
    for (const edge of graph.edges()) {
      const condition = conditionSummary(edge.condition).slice(1, -1);
      const arrow = edge.condition.trigger === "error" ? "-.->" : "-->";
      lines.push(
        `    ${mermaidId(index, edge.from)} ${arrow}${condition ? `|${label(condition)}|` : ""} ${mermaidId(index, edge.to)}`,
      );
    }
    if (graph.entry && graph.hasNode(graph.entry)) {
      lines.push(`    ${mermaidId(index, "__start")}((start)) --> ${mermaidId(index, graph.entry)}`);
    }
    lines.push("  end");
  });
  return lines.join("\n") + "\n";
}
