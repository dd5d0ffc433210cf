// Every diagnostic Nexus emits is made here, one factory per code. Codes are stable: tools and users match on them.
// NX1xxx: reading the source (syntax, field types). NX2xxx: graph structure and references.
// NX3xxx: state, templates and expressions. NX4xxx: batching and the optimizer. NX5xxx: run inputs. NX9xxx: internal.
import type { Diagnostic, SourceLocation } from "./diagnostic.js";
import { didYouMean } from "./did-you-mean.js";
import { excerpt, excerptList, truncate } from "./excerpt.js";

type Loc = SourceLocation | undefined;

/** A name or value of the user's, as a message quotes it. */
const q = (text: string) => excerpt(text);

/** Messages and hints are cut here too, for text a caller put together (a `where`, a parser's detail). */
const MAX_MESSAGE_LENGTH = 1000;

const made = (severity: "error" | "warning", code: string, message: string, loc: Loc, hint?: string): Diagnostic => ({
  severity,
  code,
  message: truncate(message, MAX_MESSAGE_LENGTH),
  loc,
  ...(hint ? { hint: truncate(hint, MAX_MESSAGE_LENGTH) } : {}),
});

const error = (code: string, message: string, loc: Loc, hint?: string) => made("error", code, message, loc, hint);

const warning = (code: string, message: string, loc: Loc, hint?: string) => made("warning", code, message, loc, hint);

export const diagnostics = {
  // ---- NX1xxx: reading the source -------------------------------------------------------------------------------
  invalidSyntax: (detail: string, loc: Loc) =>
    error("NX1001", `invalid YAML/JSON: ${detail}`, loc, "fix the syntax at the marked position"),
  wrongType: (field: string, expected: string, actual: string, loc: Loc) =>
    error("NX1002", `'${q(field)}' must be ${expected}, got ${actual}`, loc),
  missingField: (field: string, where: string, loc: Loc) =>
    error("NX1003", `${where} is missing required field '${q(field)}'`, loc, `add '${field}: ...'`),
  unknownField: (field: string, where: string, known: string[], loc: Loc) =>
    warning(
      "NX1004",
      `unknown field '${q(field)}' in ${where}; kept in metadata.${didYouMean(field, known)}`,
      loc,
      "remove it, or move it under 'metadata:' to silence this warning",
    ),
  unknownNodeField: (field: string, where: string, known: string[], loc: Loc) =>
    error(
      "NX1010",
      `unknown field '${q(field)}' in ${where}.${didYouMean(field, known)}`,
      loc,
      "fix its name; to keep a field of your own, prefix it with 'x-' or move it under 'metadata:'",
    ),
  runDefaultModel: (node: string, loc: Loc) =>
    warning(
      "NX1011",
      `node '${q(node)}' names no model and the manifest has no default_model; Nexus assumed the run's default model`,
      loc,
      "set it with `nexus run --model` or NEXUS_DEFAULT_MODEL, or add 'model:' to the node or 'default_model:' to the manifest",
    ),
  inputLimit: (detail: string, loc: Loc) =>
    error(
      "NX1013",
      `input exceeds a limit of the compiler: ${detail}`,
      loc,
      "the limits guard against hostile input; split or simplify the workflow",
    ),
  unknownNodeKind: (kind: string, known: string[], loc: Loc) =>
    error(
      "NX1005",
      `unknown node kind '${q(kind)}'.${didYouMean(kind, known)}`,
      loc,
      `use one of: ${excerptList(known)}`,
    ),
  invalidValue: (field: string, value: string, allowed: string[], loc: Loc) =>
    error(
      "NX1006",
      `invalid value '${q(value)}' for '${q(field)}'.${didYouMean(value, allowed)}`,
      loc,
      `use one of: ${excerptList(allowed)}`,
    ),
  unreadableFile: (file: string, reason: string) =>
    error("NX1007", `cannot read '${q(file)}': ${reason}`, { file, line: 1, column: 1 }),
  unsupportedIrVersion: (found: unknown, expected: number, loc: Loc) =>
    error(
      "NX1008",
      `IR file has schemaVersion ${q(String(JSON.stringify(found)))}, this Nexus reads ${expected}`,
      loc,
      "rebuild it from its workflow with `nexus build`",
    ),
  invalidIrFile: (detail: string, loc: Loc) =>
    error("NX1009", `not a valid Nexus IR file: ${detail}`, loc, "rebuild it from its workflow with `nexus build`"),

  // ---- NX102x-NX103x: reading a LangGraph.js program (the TypeScript frontend) ----------------------------------
  tsNoStateGraph: (file: string, loc: Loc) =>
    error(
      "NX1020",
      `'${q(file)}' builds no LangGraph StateGraph (no \`new StateGraph(...)\`, createReactAgent or createAgent is reached)`,
      loc,
      "point Nexus at the file that builds the graph, or write the workflow as a manifest",
    ),
  tsUnknownNodeName: (assumed: string, loc: Loc) =>
    warning(
      "NX1021",
      `cannot read this node name statically; assumed the node is named '${q(assumed)}'`,
      loc,
      "name nodes with string literals, constants or members of a constant object",
    ),
  tsOpaqueNode: (node: string, loc: Loc) =>
    warning(
      "NX1022",
      `cannot read the function of node '${q(node)}' statically; assumed an opaque task that runs it`,
      loc,
      "pass a function declared in the program (or imported from a file of it)",
    ),
  tsUnknownModel: (node: string, loc: Loc) =>
    warning(
      "NX1023",
      `cannot read the model of node '${q(node)}' statically; assumed the run's default model`,
      loc,
      'write the model name as a literal, a module constant, or an env/config read with a literal default (process.env.MODEL ?? "gpt-4o-mini")',
    ),
  tsUnknownRoutes: (router: string, loc: Loc) =>
    warning(
      "NX1024",
      `cannot read the routes of '${q(router)}' (no path map, no literal returns, no literal return type); assumed it ends the item`,
      loc,
      'pass a path map: addConditionalEdges(source, router, ["a", "b"])',
    ),
  tsCommandWithoutEnds: (node: string, targets: string[], loc: Loc) =>
    warning(
      "NX1025",
      `node '${q(node)}' returns a Command but declares no 'ends'; assumed the targets its Commands name: ${targets.length ? excerptList(targets) : "none"}`,
      loc,
      "declare them: addNode(name, fn, { ends: [...] })",
    ),
  tsDynamicPrompt: (node: string, loc: Loc) =>
    warning(
      "NX1026",
      `part of the prompt of node '${q(node)}' cannot be read statically; assumed it differs per item`,
      loc,
      "build prompts from literals, constants and state fields so the shared prefix can be cached",
    ),
  tsLoopNotUnrolled: (loc: Loc) =>
    warning(
      "NX1027",
      "cannot unroll this loop (its array or bounds are not constants); the graph calls inside it are left out",
      loc,
      "loop over a literal array or a const (`as const`), or a counted for loop with constant bounds",
    ),
  tsUnknownCondition: (loc: Loc) =>
    warning(
      "NX1028",
      "cannot decide this condition statically; the graph calls inside the if are left out",
      loc,
      "build the graph unconditionally, or from constants",
    ),
  tsUnknownTool: (name: string, loc: Loc) =>
    warning(
      "NX1029",
      `cannot read this tool statically; assumed a tool named '${q(name)}' that takes any arguments`,
      loc,
      "make tools with tool(fn, {name, description, schema}) in the program",
    ),
  tsUnresolvedTarget: (what: string, loc: Loc) =>
    warning(
      "NX1030",
      `cannot read ${what} statically; it is left out of the graph`,
      loc,
      "name the target node with a string literal or a constant",
    ),
  tsParallelStart: (chosen: string, loc: Loc) =>
    warning(
      "NX1031",
      `the graph starts at several nodes at once; Nexus runs an item on one path and assumed it starts at '${q(chosen)}'`,
      loc,
    ),
  tsRemoteGraph: (node: string, graph: string | undefined, loc: Loc) =>
    warning(
      "NX1033",
      `node '${q(node)}' starts ${graph === undefined ? "a graph" : `graph '${q(graph)}'`} served elsewhere (RemoteGraph or the LangGraph SDK), which cannot be read; assumed an opaque task`,
      loc,
      "import the graph's builder from its file to have it read as a subgraph",
    ),
  tsUnreadBatchOption: (node: string, option: string | undefined, loc: Loc) =>
    warning(
      "NX1034",
      `cannot read ${option === undefined ? "the batch options" : `batch option '${q(option)}'`} of node '${q(node)}' statically; the build assumes the default (the run uses the program's value)`,
      loc,
      'write it as a literal: a number for size and timeoutMs, "by-id" or "in-order" for results',
    ),
  tsUnresolvedImport: (specifier: string, loc: Loc) =>
    warning(
      "NX1032",
      `cannot find module '${q(specifier)}'; the values it exports are unknown`,
      loc,
      "check the path, or the 'paths' of the tsconfig.json beside the program",
    ),

  // ---- NX2xxx: structure and references -------------------------------------------------------------------------
  duplicateId: (what: string, id: string, loc: Loc, firstLoc: Loc): Diagnostic => ({
    ...error("NX2001", `duplicate ${what} '${q(id)}'`, loc, `rename one of them; ${what} names must be unique`),
    notes: [{ message: `'${q(id)}' is first defined here`, loc: firstLoc }],
  }),
  unknownRouter: (name: string, known: string[], loc: Loc) =>
    error(
      "NX2002",
      `unknown router '${q(name)}'.${didYouMean(name, known)}`,
      loc,
      known.length ? `define it under 'routers:' or use one of: ${excerptList(known)}` : "define it under 'routers:'",
    ),
  unknownTool: (name: string, known: string[], loc: Loc) =>
    error(
      "NX2003",
      `unknown tool '${q(name)}'.${didYouMean(name, known)}`,
      loc,
      known.length ? `define it under 'tools:' or use one of: ${excerptList(known)}` : "define it under 'tools:'",
    ),
  edgeToMissingNode: (end: "from" | "to", id: string, known: string[], loc: Loc) =>
    error("NX2004", `edge ${end} unknown node '${q(id)}'.${didYouMean(id, known)}`, loc, "point the edge at a node id"),
  missingEntry: (graph: string, loc: Loc) =>
    error("NX2005", `graph '${q(graph)}' has no entry node`, loc, "add 'entry_node: <node id>' to the graph"),
  unknownEntry: (graph: string, id: string, known: string[], loc: Loc) =>
    error("NX2006", `entry node '${q(id)}' of graph '${q(graph)}' does not exist.${didYouMean(id, known)}`, loc),
  unreachableNode: (id: string, entry: string, loc: Loc) =>
    warning(
      "NX2007",
      `node '${q(id)}' is unreachable from entry '${q(entry)}'`,
      loc,
      "add an edge to it, or remove it (dead-node-elimination removes it)",
    ),
  cycleWithoutExit: (ids: string[], loc: Loc) =>
    error(
      "NX2008",
      `cycle with no exit: ${[...ids, ids[0]].map((id) => q(id)).join(" -> ")}`,
      loc,
      "add a conditional edge out of the cycle, or a router route that leaves it",
    ),
  unknownSubgraph: (name: string, known: string[], loc: Loc) =>
    error("NX2009", `unknown graph '${q(name)}'.${didYouMean(name, known)}`, loc, "name a graph of this workflow"),
  routeFromNonRouter: (from: string, route: string, loc: Loc) =>
    warning(
      "NX2010",
      `edge from '${q(from)}' has route '${q(route)}' but '${q(from)}' is not a router; the route is matched against its output`,
      loc,
    ),
  duplicateRoute: (router: string, route: string, loc: Loc) =>
    error("NX2011", `router '${q(router)}' has two edges for route '${q(route)}'`, loc, "keep one edge per route"),
  routerWithoutRoutes: (router: string, loc: Loc) =>
    error(
      "NX2012",
      `router '${q(router)}' has no outgoing routes`,
      loc,
      "add edges with 'condition: {route: ...}' from it",
    ),
  routerAsModelStep: (router: string, loc: Loc) =>
    warning(
      "NX2014",
      `router '${q(router)}' has no routes (its outgoing edges are unconditional); Nexus assumed it is a model step whose answer flows on, as UAN runs it`,
      loc,
      "to choose between edges, give them 'condition: {route: ...}'; to silence this, make it 'kind: llm'",
    ),
  unknownGraph: (name: string, known: string[]) =>
    error("NX2013", `no graph named '${q(name)}'.${didYouMean(name, known)}`, undefined),

  // ---- NX3xxx: state, templates, expressions --------------------------------------------------------------------
  templateVariableNotInState: (variable: string, node: string, known: string[], loc: Loc) =>
    error(
      "NX3001",
      `template variable '{${q(variable)}}' in node '${q(node)}' is not a state field.${didYouMean(variable, known)}`,
      loc,
      `add '${q(variable)}' to the graph's state schema, or fix the variable name`,
    ),
  invalidExpression: (detail: string, loc: Loc) =>
    error(
      "NX3002",
      `cannot parse expression: ${detail}`,
      loc,
      "expressions use fields, literals, and/or/not, ==, <, in",
    ),
  unknownStateField: (field: string, known: string[], loc: Loc) =>
    error(
      "NX3003",
      `expression refers to '${q(field)}', which is not a state field.${didYouMean(field, known)}`,
      loc,
      `add '${q(field)}' to the state schema or fix the name`,
    ),
  expressionTypeMismatch: (detail: string, loc: Loc) => warning("NX3004", `expression type mismatch: ${detail}`, loc),
  mapOverNonList: (node: string, field: string, loc: Loc) =>
    error(
      "NX3005",
      `map node '${q(node)}' iterates over '${q(field)}', which is not an array in the state schema`,
      loc,
    ),

  // ---- NX4xxx: batching and the optimizer ------------------------------------------------------------------------
  batchPolicyWithoutBatching: (node: string, kind: "task" | "expression router", loc: Loc) =>
    error(
      "NX4001",
      `node '${q(node)}' has a batch policy, but ${kind === "task" ? "task nodes" : "expression routers"} have no batch implementation (they call no model)`,
      loc,
      kind === "task"
        ? "remove 'batch:' from the node; or give it an 'implementation:' tool with a batch form (evaluateBatch, see NX4020); or, if it should call a model, give it 'model:' and 'prompt:' so it becomes an llm node, which batches"
        : "remove 'batch:' from the node; or let a model choose the route ('strategy: llm' and a 'model:'), which batches",
    ),
  backendCannotBatch: (node: string, model: string, why: string, loc: Loc) =>
    error(
      "NX4002",
      `node '${q(node)}' has a batch policy, but its model '${q(model)}' cannot be batched: ${why}`,
      loc,
      "set 'batch: false' on the node to run it unbatched, or use a model on a backend that batches (vllm://, sglang://, dynamo://, ollama://, local://, openai://, anthropic://)",
    ),
  batchPolicyIgnoredInRealtime: (node: string, model: string, why: string, minimumBudget: string, loc: Loc) =>
    warning(
      "NX4003",
      `the batch policy of node '${q(node)}' has no effect: provider model '${q(model)}' runs realtime because ${why}`,
      loc,
      `set 'latency_budget: ${minimumBudget}' (or more) on the workflow to use the provider's Batch API at half price, or remove 'batch:' from the node`,
    ),
  invalidPricing: (where: string, detail: string, loc: Loc) =>
    error(
      "NX4004",
      `invalid pricing in ${where}: ${detail}`,
      loc,
      "use the shape of the built-in table: {asOf, source, models: [{provider, model, input, cachedInput, cacheWrite, output, batchDiscount, minCacheableTokens}], selfHosted: {...}}",
    ),

  modelBackendMismatch: (where: string, why: string, backend: string, loc: Loc) =>
    warning(
      "NX4005",
      `${where}: ${why}`,
      loc,
      `use a model that ${backend} serves, another 'backend:', or name the served model under 'models:' (NAME: SERVED)`,
    ),

  batchPolicyWithoutBatchForm: (
    node: string,
    policy: "batch" | "join",
    implementation: string,
    why: string,
    loc: Loc,
    /** `program`: a LangGraph.js node, whose policy is its `metadata: { nexus: { batch } }`. */
    form: "workflow" | "program" = "workflow",
  ) =>
    error(
      "NX4020",
      `node '${q(node)}' has a ${policy === "batch" ? "batch policy" : "join"}, but its implementation (${implementation}) has no batch form: ${why}`,
      loc,
      form === "program"
        ? "three fixes: remove 'batch' from the node's metadata; or implement evaluateBatch(items, ctx) and add the node as batchNode(evaluateBatch, { size }) of nexus-batch; or use a batch-capable node (one that calls a chat model, whose requests batch)"
        : `three fixes: remove '${policy}:' from the node; or implement evaluateBatch(items, ctx) in the tool's module (and list it in the tool's 'exports:' when the module is outside the workflow's folder); or use a batch-capable node or tool (an llm node, an http tool with 'batch: {size, body}' in its config, or the 'embeddings' builtin)`,
    ),
  invalidJoin: (node: string, detail: string, loc: Loc) =>
    error(
      "NX4021",
      `join of node '${q(node)}': ${detail}`,
      loc,
      "write 'join: {by: <state path>, within: <count or duration>, on_timeout: flush|fail}'",
    ),
  invalidPackPolicy: (node: string, detail: string, loc: Loc) =>
    error(
      "NX4022",
      `invalid pack policy on node '${q(node)}': ${detail}`,
      loc,
      "write 'pack: {size: K}' with 2 <= K <= 100, optionally 'votes: V' with 1 <= V <= 9, or 'pack: auto'",
    ),
  packNotPossible: (node: string, why: string, loc: Loc) =>
    error(
      "NX4023",
      `node '${q(node)}' cannot be packed: ${why}`,
      loc,
      "remove 'pack:' from the node; packing puts several items of one llm node in one request, and needs a system prompt shared by every item",
    ),

  // ---- NX5xxx: run inputs (one JSONL line each; the line fails, the run goes on) -----------------------------------
  invalidInputJson: (detail: string, loc: Loc) =>
    error("NX5001", `not valid JSON (${detail})`, loc, "write one JSON object per line"),
  inputNotObject: (actual: string, loc: Loc) =>
    error(
      "NX5002",
      `an item must be a JSON object of state fields, got ${actual}`,
      loc,
      'wrap the value in an object: {"field": ...}',
    ),
  duplicateInputId: (id: string, firstLine: number, loc: Loc) =>
    error(
      "NX5003",
      `duplicate id '${id}' (first used on line ${firstLine}); give every item its own id`,
      loc,
      "change the 'id' field of one of the lines",
    ),
  invalidInputId: (actual: string, loc: Loc) =>
    error(
      "NX5005",
      `the id is ${actual}; an id must be a string or a number`,
      loc,
      "write the id as a string or a number, or leave it out to use the line number",
    ),
  inputFieldMismatch: (mismatch: string, loc: Loc) =>
    error("NX5006", mismatch, loc, "give the field a value of the type the state schema declares"),
  missingInputFields: (fields: string[], loc: Loc) =>
    error(
      "NX5004",
      `missing field${fields.length > 1 ? "s" : ""} ${fields.map((f) => `'${f}'`).join(", ")} that the workflow needs`,
      loc,
      "add the field to the item, or remove it from the state schema's 'required' list",
    ),

  // ---- NX9xxx: internal ------------------------------------------------------------------------------------------
  passBrokeIr: (pass: string, detail: string) =>
    error(
      "NX9001",
      `pass '${q(pass)}' left the IR invalid: ${detail}`,
      undefined,
      "this is a bug in Nexus; please report it",
    ),
  invalidPipeline: (detail: string) =>
    error("NX9002", `invalid pass pipeline: ${detail}`, undefined, "see `nexus build --help` for the pass list"),
} as const;
