// ReAct loops: a model node with bound tools, a router to a prebuilt ToolNode (toolsCondition or a router returning
// "tools" or END), and the ToolNode's edge back to the model. The IR runs that loop inside one `llm` node (`tools`,
// up to `maxTurns` requests), as it does for createReactAgent and createAgent; the ToolNode and the router fold into it.
import type { LlmNode } from "../../ir/types.js";
import { END, type DraftEdge, type GraphDraft } from "./graph-draft.js";

/**
 * The turns a folded loop may take: LangGraph's default recursion limit (25 steps) allows 12 model calls with a
 * tool step between each two.
 */
export const REACT_MAX_TURNS = 12;

export function foldReactLoops(graph: GraphDraft): void {
  for (const [toolsId, tools] of [...graph.nodes]) {
    if (!tools.toolNode) continue;
    const back = graph.edges.filter((edge) => edge.from === toolsId);
    if (back.length !== 1) continue;
    const modelId = back[0].to;
    const model = graph.nodes.get(modelId)?.node;
    if (model?.kind !== "llm") continue;
    const into = graph.edges.filter((edge) => edge.to === toolsId);
    if (into.length !== 1) continue;
    const routerId = into[0].from;
    const router = graph.nodes.get(routerId)?.node;
    const direct = routerId === modelId;
    if (!direct && (router?.kind !== "router" || router.strategy !== "expression")) continue;
    if (!direct && !graph.edges.some((edge) => edge.from === modelId && edge.to === routerId)) continue;
    const onward = graph.edges.filter((edge) => edge.from === routerId && edge.to !== toolsId);
    const folded: LlmNode = {
      ...model,
      tools: [
        ...new Set([...model.tools, ...((tools.node.kind === "task" ? tools.node.config.tools : []) as string[])]),
      ],
      maxTurns: REACT_MAX_TURNS,
      metadata: { ...model.metadata, toolNode: toolsId, ...(direct ? {} : { toolsRouter: routerId }) },
    };
    graph.nodes.get(modelId)!.node = folded;
    graph.nodes.delete(toolsId);
    if (!direct) graph.nodes.delete(routerId);
    const kept: DraftEdge[] = graph.edges.filter(
      (edge) => edge.from !== toolsId && edge.to !== toolsId && edge.from !== routerId && edge.to !== routerId,
    );
    for (const edge of onward) if (edge.to !== END) kept.push({ from: modelId, to: edge.to, loc: edge.loc });
    graph.edges = kept;
  }
}
