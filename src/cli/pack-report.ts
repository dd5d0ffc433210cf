// The packing part of `nexus build --report`: for every packed llm node, how many items share one request, where
// that size came from, and the prompt tokens per item unpacked and packed (the `pack` annotation of pack-planning).
import { packAnnotation } from "../ir/annotations/pack.js";
import type { Workflow } from "../ir/workflow.js";
import { formatTable } from "./shared.js";

/** The packed nodes' table under its heading, or undefined when no node is packed. */
export function packReport(workflow: Workflow): { heading: string; table: string } | undefined {
  const rows: string[][] = [];
  for (const { graph, node } of workflow.allNodes()) {
    const plan = graph.annotations.get(packAnnotation, node.id);
    if (!plan) continue;
    const name = workflow.graphs.length > 1 ? `${graph.name}/${node.id}` : node.id;
    rows.push([
      name,
      plan.size < 2 ? "off" : `${plan.size}`,
      `${plan.votes}`,
      plan.source,
      `${plan.unpackedPromptTokensPerItem}`,
      `${plan.packedPromptTokensPerItem}`,
      `${plan.savedPromptTokensPerItem}`,
    ]);
  }
  if (rows.length === 0) return undefined;
  const headers = ["node", "pack size", "votes", "from", "prompt tok/item", "packed", "saved"];
  return { heading: "packed nodes (items per request, prompt tokens per item):", table: formatTable(headers, rows) };
}
