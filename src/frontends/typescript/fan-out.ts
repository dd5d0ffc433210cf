// `Send` fan-outs: a router that returns `state.list.map((x) => new Send("node", {key: x}))` runs "node" once per
// element. The IR's form of that is a `map` node over the list whose body graph holds the target node; the target's
// edges leave from the map node instead, once every element is done.
import { diagnostics } from "../../diagnostics/codes.js";
import type { MapNode, SourceLocation } from "../../ir/types.js";
import { outputField } from "../../ir/node-output.js";
import { START, type GraphDraft } from "./graph-draft.js";
import type { ProgramReader } from "./reader.js";
import type { FanOut } from "./routes.js";

/** Adds the map node for a fan-out from `source` (a node, or START); returns the body graph it runs. */
export function lowerFanOut(
  reader: ProgramReader,
  graph: GraphDraft,
  source: string,
  fanOut: FanOut,
  id: string,
  loc: SourceLocation,
): GraphDraft | undefined {
  const target = fanOut.target.kind === "string" ? fanOut.target.value : undefined;
  const moved = target === undefined ? undefined : graph.nodes.get(target);
  if (target === undefined || moved === undefined) {
    reader.report(diagnostics.tsUnresolvedTarget("the node this Send goes to", reader.files.locate(fanOut.at)));
    return undefined;
  }
  const over = fanOut.over?.join(".");
  if (over === undefined)
    reader.report(diagnostics.tsUnresolvedTarget("the list this Send fans out over", reader.files.locate(fanOut.at)));
  const map: MapNode = {
    id,
    kind: "map",
    loc,
    over: over ?? "",
    as: fanOut.as ?? "item",
    body: target,
    output: outputField(moved.node) ?? target,
  };
  graph.nodes.delete(target);
  graph.nodes.set(id, { node: map });
  graph.edges = graph.edges.map((edge) => (edge.from === target ? { ...edge, from: id } : edge));
  if (source === START) graph.entries.push({ id, loc });
  else graph.edges.push({ from: source, to: id, loc });
  const body: GraphDraft = {
    name: target,
    loc: moved.node.loc,
    nodes: new Map([[target, moved]]),
    edges: [],
    entries: [{ id: target, loc: moved.node.loc }],
  };
  return body;
}
