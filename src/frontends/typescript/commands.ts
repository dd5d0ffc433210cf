// Nodes that route with `Command({goto})`: their targets are the `ends` declared on `addNode`, else the targets
// their Commands name (with a warning). Such a node chooses its successor itself: it becomes a router (an `llm`
// router when its model's answer picks the route), with a route per target.
import { diagnostics } from "../../diagnostics/codes.js";
import type { RouterNode } from "../../ir/types.js";
import { END, type DraftNode, type GraphDraft } from "./graph-draft.js";
import type { ProgramReader } from "./reader.js";
import type { Value } from "./values.js";

function gotoTargets(reader: ProgramReader, draft: DraftNode): string[] {
  const targets: string[] = [];
  const add = (value: Value, at: Parameters<ProgramReader["files"]["locate"]>[0]) => {
    if (value.kind === "string") {
      if (!targets.includes(value.value)) targets.push(value.value);
    } else if (value.kind === "array") for (const element of value.elements) add(element, at);
    else reader.report(diagnostics.tsUnresolvedTarget("this Command's goto", reader.files.locate(at)));
  };
  for (const { value, at } of draft.analysis?.gotos ?? []) add(value, at);
  return targets;
}

/** Turns every node that returns Commands into a router with edges to its targets. */
export function lowerCommands(reader: ProgramReader, graph: GraphDraft): void {
  for (const draft of graph.nodes.values()) {
    const hasCommands = (draft.analysis?.gotos.length ?? 0) > 0;
    if (draft.ends === undefined && !hasCommands) continue;
    let targets = draft.ends;
    if (targets === undefined) {
      targets = gotoTargets(reader, draft);
      reader.report(diagnostics.tsCommandWithoutEnds(draft.node.id, targets, draft.addedAt ?? draft.node.loc));
    }
    const node = draft.node;
    const router: RouterNode = {
      id: node.id,
      kind: "router",
      loc: node.loc,
      strategy: node.kind === "llm" ? "llm" : "expression",
      ...(node.kind === "llm"
        ? {
            ...(node.model !== undefined ? { model: node.model } : {}),
            ...(node.system !== undefined ? { system: node.system } : {}),
            ...(node.prompt !== undefined ? { prompt: node.prompt } : {}),
            ...(node.temperature !== undefined ? { temperature: node.temperature } : {}),
            ...(node.maxTokens !== undefined ? { maxTokens: node.maxTokens } : {}),
          }
        : {}),
      routes: targets,
      ...(node.metadata ? { metadata: node.metadata } : {}),
    };
    draft.node = router;
    for (const target of targets)
      if (target !== END) graph.edges.push({ from: node.id, to: target, route: target, loc: node.loc });
  }
}
