// One graph builder (its recorded calls) to graph drafts: nodes from `addNode` (and `addSequence`), edges from
// `addEdge` (joins too), routers from `addConditionalEdges`, START/END, then Command routes, Send fan-outs and ReAct
// loops. Prebuilt agents become a graph of one `llm` node with their tools.
import type { Node } from "ts-morph";
import { diagnostics } from "../../diagnostics/codes.js";
import type { RouterNode, WorkflowNode } from "../../ir/types.js";
import { analyzeNode } from "./analyze-node.js";
import { applyBatchOption } from "./batch-option.js";
import { lowerCommands } from "./commands.js";
import { lowerFanOut } from "./fan-out.js";
import { END, START, type GraphDraft } from "./graph-draft.js";
import { functionName } from "./interpret.js";
import { lowerNode, modelFields, type NodeScope } from "./lower-nodes.js";
import { applyPackOption } from "./pack-option.js";
import { templateText } from "./prompt-template.js";
import { foldReactLoops, REACT_MAX_TURNS } from "./react-loop.js";
import { readRouter, type Route } from "./routes.js";
import { stateJsonSchema } from "./state-schema.js";
import { TemplateParts } from "./template-parts.js";
import type { BuilderCall, BuilderRecord, Value } from "./values.js";

function nameOf(scope: NodeScope, value: Value | undefined, at: Node): string | undefined {
  if (value?.kind === "string") return value.value;
  scope.reader.report(diagnostics.tsUnresolvedTarget("this node name", scope.reader.files.locate(at)));
  return undefined;
}

function namesOf(scope: NodeScope, value: Value | undefined, at: Node): string[] {
  if (value?.kind === "array") return value.elements.flatMap((element) => nameOf(scope, element, at) ?? []);
  const name = nameOf(scope, value, at);
  return name === undefined ? [] : [name];
}

function addNodeCall(scope: NodeScope, graph: GraphDraft, call: BuilderCall): void {
  const [first, second, third] = call.args;
  const at = call.argNodes[0] ?? call.node;
  const entries: [string, Value, Value | undefined, Node][] = [];
  if (first?.kind === "object") {
    for (const [id, value] of first.properties) entries.push([id, value, undefined, at]);
  } else {
    let id = first?.kind === "string" ? first.value : undefined;
    if (id === undefined) {
      id = at.getText();
      scope.reader.report(diagnostics.tsUnknownNodeName(id, scope.reader.files.locate(at)));
    }
    entries.push([id, second ?? { kind: "unknown" }, third, call.argNodes[1] ?? call.node]);
  }
  for (const [id, value, options, valueNode] of entries) {
    const draft = { ...lowerNode(scope, id, value, valueNode), addedAt: scope.reader.files.locateCall(call.node) };
    const ends = options?.kind === "object" ? options.properties.get("ends") : undefined;
    if (ends?.kind === "array") draft.ends = ends.elements.flatMap((e) => (e.kind === "string" ? [e.value] : []));
    const given = { options, optionsNode: call.argNodes[2], call: call.node };
    applyPackOption(scope.reader, draft.node, given);
    applyBatchOption(scope.reader, draft.node, given);
    graph.nodes.set(id, draft);
  }
}

function addSequenceCall(scope: NodeScope, graph: GraphDraft, call: BuilderCall): void {
  const list = call.args[0];
  const steps: [string, Value][] = [];
  if (list?.kind === "array")
    for (const element of list.elements) {
      if (element.kind === "array" && element.elements[0]?.kind === "string")
        steps.push([element.elements[0].value, element.elements[1]]);
      else if (element.kind === "function") {
        const name = functionName(element.node);
        if (name) steps.push([name, element]);
      }
    }
  else if (list?.kind === "object") for (const [id, value] of list.properties) steps.push([id, value]);
  steps.forEach(([id, value], index) => {
    graph.nodes.set(id, lowerNode(scope, id, value, call.node));
    if (index > 0)
      graph.edges.push({ from: steps[index - 1][0], to: id, loc: scope.reader.files.locateCall(call.node) });
  });
}

function connect(graph: GraphDraft, from: string, to: string, loc: GraphDraft["loc"], route?: string): void {
  if (to === END) return;
  if (from === START) graph.entries.push({ id: to, loc });
  else graph.edges.push({ from, to, loc, ...(route !== undefined ? { route } : {}) });
}

function uniqueId(graph: GraphDraft, wanted: string): string {
  let id = wanted;
  for (let n = 2; graph.nodes.has(id); n++) id = `${wanted}_${n}`;
  return id;
}

function conditionalEdgesCall(
  scope: NodeScope,
  graph: GraphDraft,
  call: BuilderCall,
  extra: GraphDraft[],
  fanOuts: (() => void)[],
): void {
  const { reader } = scope;
  const source = nameOf(scope, call.args[0], call.argNodes[0] ?? call.node);
  if (source === undefined) return;
  const router = call.args[1] ?? { kind: "unknown" };
  const loc = reader.files.locateCall(call.node);
  const reading = readRouter(reader, router, call.args[2]);
  const named = router.kind === "function" ? functionName(router.node) : undefined;
  const routerLoc = router.kind === "function" ? reader.files.locate(router.node) : loc;
  if (reading.kind === "fanout") {
    const id = uniqueId(graph, named ?? `${source === START ? "start" : source}_fanout`);
    // After every edge is read: the target's own edges (added later in the program) move to the map node.
    const edgeIndex = graph.edges.length;
    fanOuts.push(() => {
      const body = lowerFanOut(reader, graph, source, reading.fanOut, id, routerLoc, edgeIndex);
      if (body) extra.push(body);
    });
    return;
  }
  let routes: Route[] = reading.kind === "unknown" ? [] : reading.routes;
  if (reading.kind === "unknown")
    reader.report(diagnostics.tsUnknownRoutes(named ?? `the router of '${source}'`, routerLoc));
  const sourceNode = graph.nodes.get(source)?.node;
  if (
    reading.kind === "field" &&
    sourceNode?.kind === "llm" &&
    (sourceNode.output === reading.field || graph.nodes.get(source)?.analysis?.writes.includes(reading.field))
  ) {
    graph.nodes.get(source)!.node = llmRouter(sourceNode, routes);
    for (const { route, target } of routes) connect(graph, source, target, loc, route);
    return;
  }
  const id = uniqueId(
    graph,
    named ?? (router.kind === "toolsCondition" ? "toolsCondition" : `${source === START ? "start" : source}_route`),
  );
  const node = routerNode(
    scope,
    id,
    router,
    routes.map((r) => r.route),
    routerLoc,
    call.node,
  );
  graph.nodes.set(id, { node });
  connect(graph, source, id, loc);
  routes = routes.filter((route, index) => routes.findIndex((r) => r.route === route.route) === index);
  for (const { route, target } of routes) connect(graph, id, target, loc, route);
}

/** A model node whose answer is the route: the router the IR has for it. */
function llmRouter(node: Extract<WorkflowNode, { kind: "llm" }>, routes: Route[]): RouterNode {
  return {
    id: node.id,
    kind: "router",
    loc: node.loc,
    strategy: "llm",
    ...(node.model !== undefined ? { model: node.model } : {}),
    ...(node.system !== undefined ? { system: node.system } : {}),
    ...(node.prompt !== undefined ? { prompt: node.prompt } : {}),
    routes: routes.map((route) => route.route),
    ...(node.output !== undefined ? { output: node.output } : {}),
    ...(node.temperature !== undefined ? { temperature: node.temperature } : {}),
    ...(node.maxTokens !== undefined ? { maxTokens: node.maxTokens } : {}),
    ...(node.metadata ? { metadata: node.metadata } : {}),
  };
}

/** The router node for a routing function: an `llm` router when the function itself calls a model. */
function routerNode(
  scope: NodeScope,
  id: string,
  router: Value,
  routes: string[],
  loc: GraphDraft["loc"],
  at: Node,
): RouterNode {
  const base = { id, kind: "router" as const, loc, routes };
  const name = router.kind === "function" ? functionName(router.node) : undefined;
  const metadata = name
    ? { metadata: { function: name } }
    : router.kind === "toolsCondition"
      ? { metadata: { function: "toolsCondition" } }
      : {};
  if (router.kind === "function") {
    const analysis = analyzeNode(scope.reader, router);
    const call = analysis.modelCalls[0];
    if (call)
      return { ...base, strategy: "llm", ...modelFields(scope, id, call.model, call, at), ...metadata } as RouterNode;
  }
  return { ...base, strategy: "expression", ...metadata };
}

/** A prebuilt agent (createReactAgent, createAgent): one model node with its tools, in a loop of its own. */
function agentDraft(scope: NodeScope, builder: BuilderRecord, name: string): GraphDraft {
  const agent = builder.agent!;
  const loc = scope.reader.files.locate(builder.node);
  const system = new TemplateParts();
  if (agent.system) system.value(agent.system, builder.node.getText(), builder.node.getStart());
  const fields = modelFields(scope, "agent", agent.model, undefined, builder.node);
  const tools = scope.useTools(agent.model.tools);
  const node: WorkflowNode = {
    id: "agent",
    kind: "llm",
    loc,
    ...fields,
    ...(system.parts.length ? { system: templateText(system.parts) } : {}),
    prompt: "{messages}",
    output: "messages",
    tools,
    maxTurns: tools.length ? REACT_MAX_TURNS : 1,
    ...(agent.model.outputSchema ? { outputSchema: agent.model.outputSchema } : {}),
  } as WorkflowNode;
  return {
    name,
    loc,
    stateSchema: stateJsonSchema(builder.state),
    nodes: new Map([["agent", { node }]]),
    edges: [],
    entries: [{ id: "agent", loc }],
  };
}

/** Lowers a builder to its graph draft, plus the body graphs of its fan-outs. */
export function lowerBuilder(scope: NodeScope, builder: BuilderRecord, name: string): GraphDraft[] {
  if (builder.agent) return [agentDraft(scope, builder, name)];
  const { reader } = scope;
  const graph: GraphDraft = {
    name,
    loc: reader.files.locate(builder.node),
    stateSchema: stateJsonSchema(builder.state),
    nodes: new Map(),
    edges: [],
    entries: [],
  };
  const extra: GraphDraft[] = [];
  const fanOuts: (() => void)[] = [];
  for (const call of builder.calls) if (call.method === "addNode") addNodeCall(scope, graph, call);
  for (const call of builder.calls) {
    const loc = reader.files.locateCall(call.node);
    switch (call.method) {
      case "addSequence":
        addSequenceCall(scope, graph, call);
        break;
      case "addEdge": {
        const to = nameOf(scope, call.args[1], call.argNodes[1] ?? call.node);
        if (to === undefined) break;
        for (const from of namesOf(scope, call.args[0], call.argNodes[0] ?? call.node)) connect(graph, from, to, loc);
        break;
      }
      case "addConditionalEdges":
        conditionalEdgesCall(scope, graph, call, extra, fanOuts);
        break;
      case "setEntryPoint": {
        const to = nameOf(scope, call.args[0], call.argNodes[0] ?? call.node);
        if (to !== undefined) connect(graph, START, to, loc);
        break;
      }
    }
  }
  for (const fanOut of fanOuts) fanOut();
  lowerCommands(reader, graph);
  foldReactLoops(graph);
  if (graph.entries.length > 1) reader.report(diagnostics.tsParallelStart(graph.entries[0].id, graph.entries[1].loc));
  return [graph, ...extra];
}
