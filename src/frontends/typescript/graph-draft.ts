// A graph while it is being lowered: nodes by id and edges in program order, rewritten by the later steps (Send
// fan-outs, Command routes, ReAct loops) before it becomes an IR WorkflowGraph.
import type { SourceLocation, JsonSchema, WorkflowNode } from "../../ir/types.js";
import { WorkflowGraph } from "../../ir/workflow.js";
import type { NodeAnalysis } from "./analyze-node.js";
import type { FunctionValue, ToolInfo } from "./values.js";

/** LangGraph's START and END, as strings. */
export const START = "__start__";
export const END = "__end__";

export interface DraftNode {
  node: WorkflowNode;
  analysis?: NodeAnalysis;
  fn?: FunctionValue;
  /** Set for a prebuilt ToolNode: the tools it runs. */
  toolNode?: ToolInfo[];
  /** `addNode(..., { ends: [...] })`. */
  ends?: string[];
  /** Where the program adds the node (its `addNode` call). */
  addedAt?: SourceLocation;
}

export interface DraftEdge {
  from: string;
  to: string;
  route?: string;
  loc: SourceLocation;
}

export interface GraphDraft {
  name: string;
  loc: SourceLocation;
  stateSchema?: JsonSchema;
  nodes: Map<string, DraftNode>;
  edges: DraftEdge[];
  /** Where the graph starts: START's edges, in order. */
  entries: { id: string; loc: SourceLocation }[];
}

/** The draft as an IR graph: nodes in program order, then edges. */
export function toWorkflowGraph(draft: GraphDraft): WorkflowGraph {
  const entry = draft.entries[0]?.id ?? "";
  const graph = new WorkflowGraph(draft.name, entry, draft.loc, draft.stateSchema);
  for (const { node } of draft.nodes.values()) graph.addNode(node);
  for (const edge of draft.edges) {
    if (!graph.hasNode(edge.from) || !graph.hasNode(edge.to)) continue;
    graph.addEdge({
      from: edge.from,
      to: edge.to,
      condition: edge.route === undefined ? { trigger: "always" } : { trigger: "always", route: edge.route },
      loc: edge.loc,
    });
  }
  return graph;
}
