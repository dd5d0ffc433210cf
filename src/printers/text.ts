// The human-readable IR dump: one line per node (`%id = kind fields  annotations`), one per edge, one per tool.
// Order is the IR's insertion order (source order), so dumps of the same workflow diff cleanly.
import { annotationTable, type AnnotationStore } from "../ir/annotations/define.js";
import type { Workflow, WorkflowGraph } from "../ir/workflow.js";
import { quote } from "../util/text.js";
import { conditionSummary, inlineRecord, nodeSummary, stateSummary } from "./describe.js";

/** Annotations of a node in one line, each by its table's formatter (`batch{group=g1 ...}`). */
export function formatAnnotations(graph: WorkflowGraph, nodeId: string): string {
  return formatStoreEntry(graph.annotations, nodeId);
}

/** The annotations a store holds for one key (a node id, or a tool name), in one line. */
export function formatStoreEntry(store: AnnotationStore, key: string): string {
  const annotations = store.forNode(key);
  return Object.entries(annotations)
    .map(([name, value]) => annotationTable(name)?.format(value) ?? `${name}${JSON.stringify(value)}`)
    .join(" ");
}

export function printGraph(graph: WorkflowGraph): string[] {
  const lines = [`graph @${graph.name} entry=%${graph.entry}${graph.description ? `  ; ${graph.description}` : ""}`];
  if (graph.stateSchema) lines.push(`  state ${stateSummary(graph.stateSchema)}`);
  for (const node of graph.nodes()) {
    const annotations = formatAnnotations(graph, node.id);
    const summary = nodeSummary(node);
    lines.push(`  %${node.id} = ${node.kind}${summary ? ` ${summary}` : ""}${annotations ? `  ${annotations}` : ""}`);
  }
  for (const edge of graph.edges()) {
    const condition = conditionSummary(edge.condition);
    lines.push(`  %${edge.from} -> %${edge.to}${condition ? `  ${condition}` : ""}`);
  }
  return lines;
}

export function printWorkflow(workflow: Workflow): string {
  const header = `workflow ${workflow.name}${workflow.version ? ` ${workflow.version}` : ""}  ; schemaVersion ${workflow.schemaVersion}`;
  const lines = [header];
  if (workflow.pipeline) lines.push(`; pipeline: ${workflow.pipeline}`);
  const settings = inlineRecord(workflow.settings as Record<string, unknown>);
  if (settings) lines.push(`settings ${settings}`);
  for (const tool of workflow.tools) {
    const flags = [tool.deterministic && "deterministic", tool.cacheable && "cacheable"].filter(Boolean).join(" ");
    const endpoint = [tool.config.method, tool.config.endpoint].filter((x) => typeof x === "string").join(" ");
    const annotations = formatStoreEntry(workflow.toolAnnotations, tool.name);
    lines.push(
      `tool @${tool.name} ${tool.protocol}${endpoint ? ` ${endpoint}` : ""}${flags ? ` ${flags}` : ""}${tool.description ? ` ${quote(tool.description, 50)}` : ""}${annotations ? `  ${annotations}` : ""}`,
    );
  }
  for (const policy of workflow.policies) lines.push(`policy @${policy.name} rules=${policy.rules.length}`);
  for (const graph of workflow.graphs) lines.push("", ...printGraph(graph));
  return lines.join("\n") + "\n";
}
