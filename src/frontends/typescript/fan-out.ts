// `Send` fan-outs: a router that returns `state.list.map((x) => new Send("node", {key: x}))` runs "node" once per
// element. The IR's form of that is a `map` node over the list whose body graph holds the target node; the target's
// edges leave from the map node instead, once every element is done.
import { diagnostics } from "../../diagnostics/codes.js";
import type { JsonSchema, MapNode, SourceLocation } from "../../ir/types.js";
import { outputField } from "../../ir/node-output.js";
import { START, type GraphDraft } from "./graph-draft.js";
import type { ProgramReader } from "./reader.js";
import type { FanOut } from "./routes.js";
import { is } from "./syntax.js";
import { typeSchema } from "./type-schema.js";
import type { DraftNode } from "./graph-draft.js";

/** The body graph's state: the type of the target function's state parameter, when written as an object type. */
function elementState(target: DraftNode): JsonSchema | undefined {
  const fn = target.fn?.node;
  const node = is();
  if (!fn || !(node.isFunctionDeclaration(fn) || node.isArrowFunction(fn) || node.isFunctionExpression(fn)))
    return undefined;
  const type = fn.getParameters()[0]?.getTypeNode();
  if (!type || !node.isTypeLiteral(type)) return undefined;
  return typeSchema(type);
}

/** Adds the map node for a fan-out from `source` (a node, or START); returns the body graph it runs. */
export function lowerFanOut(
  reader: ProgramReader,
  graph: GraphDraft,
  source: string,
  fanOut: FanOut,
  id: string,
  loc: SourceLocation,
  /** Where, among the graph's edges, the fan-out was declared. */
  edgeIndex: number,
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
    output: moved.analysis?.writes[0] ?? outputField(moved.node) ?? target,
  };
  // The map node takes the target's place, so the dump keeps the program's order.
  graph.nodes = new Map([...graph.nodes].map(([key, draft]) => (key === target ? [id, { node: map }] : [key, draft])));
  graph.edges = graph.edges.map((edge) => (edge.from === target ? { ...edge, from: id } : edge));
  if (source === START) graph.entries.push({ id, loc });
  else graph.edges.splice(edgeIndex, 0, { from: source, to: id, loc });
  const body: GraphDraft = {
    name: target,
    loc: moved.node.loc,
    ...(elementState(moved) ? { stateSchema: elementState(moved) } : {}),
    nodes: new Map([[target, moved]]),
    edges: [],
    entries: [{ id: target, loc: moved.node.loc }],
  };
  return body;
}
