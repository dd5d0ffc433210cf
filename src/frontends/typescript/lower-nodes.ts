// One `addNode(name, value)` to an IR node: a function that calls a chat model (itself or through functions it calls) is an
// `llm` node with what could be read of its model and prompt; one that only invokes a compiled graph, or a compiled
// graph itself, a `subgraph`; a prebuilt ToolNode a `task` (folded into its model's tool loop by react-loop.ts);
// a `batchNode(...)` a batch-native `task` (batch-option.ts); any other function an opaque `task` that runs the
// program's code.
import type { Node } from "ts-morph";
import { diagnostics } from "../../diagnostics/codes.js";
import type { LlmNode, SourceLocation, WorkflowNode } from "../../ir/types.js";
import { batchNodeTask } from "./batch-option.js";
import { analyzeNode, type ModelCall, type NodeAnalysis } from "./analyze-node.js";
import { functionName } from "./interpret.js";
import { modelUri } from "./models.js";
import { promptFields } from "./prompt-template.js";
import type { ProgramReader } from "./reader.js";
import type { DraftNode } from "./graph-draft.js";
import type { BuilderRecord, ModelInfo, ToolInfo, Value } from "./values.js";

/** What node lowering needs from the program lowering: graph names for subgraphs, tool definitions. */
export interface NodeScope {
  reader: ProgramReader;
  graphName(builder: BuilderRecord): string;
  useTools(tools: ToolInfo[]): string[];
}

/** The model fields of an IR node from a model and the messages it is called with. */
export function modelFields(scope: NodeScope, id: string, model: ModelInfo, call: ModelCall | undefined, at: Node) {
  const { reader } = scope;
  const uri = modelUri(model);
  if (uri === undefined)
    reader.report(diagnostics.tsUnknownModel(id, reader.files.locate(model.unresolved ?? model.loc)));
  const prompt = call ? promptFields(call.messages, call.at) : { dynamic: false };
  if (prompt.dynamic) reader.report(diagnostics.tsDynamicPrompt(id, reader.files.locate(call?.at ?? at)));
  return {
    ...(uri !== undefined ? { model: uri } : { runDefaultModel: true as const }),
    ...(prompt.system !== undefined ? { system: prompt.system } : {}),
    ...(prompt.prompt !== undefined ? { prompt: prompt.prompt } : {}),
    ...(model.temperature !== undefined ? { temperature: model.temperature } : {}),
    ...(model.maxTokens !== undefined ? { maxTokens: model.maxTokens } : {}),
  };
}

function llmNode(
  scope: NodeScope,
  id: string,
  analysis: NodeAnalysis,
  loc: SourceLocation,
  at: Node,
  name?: string,
): LlmNode {
  const call = analysis.modelCalls[0];
  const output = analysis.writes[0];
  return {
    id,
    kind: "llm",
    loc,
    ...modelFields(scope, id, call.model, call, at),
    ...(call.model.outputSchema ? { outputSchema: call.model.outputSchema } : {}),
    ...(output !== undefined ? { output } : {}),
    tools: scope.useTools(call.model.tools),
    maxTurns: 1,
    ...(name || analysis.modelCalls.length > 1
      ? {
          metadata: {
            ...(name ? { function: name } : {}),
            ...(analysis.modelCalls.length > 1 ? { modelCalls: analysis.modelCalls.length } : {}),
          },
        }
      : {}),
  } as LlmNode;
}

/** Lowers the value given to `addNode(id, value)`. */
export function lowerNode(scope: NodeScope, id: string, value: Value, at: Node): DraftNode {
  const { reader } = scope;
  if (value.kind === "function") {
    const analysis = analyzeNode(reader, value);
    const loc = reader.files.locate(value.node);
    const name = functionName(value.node);
    if (analysis.modelCalls.length > 0)
      return { node: llmNode(scope, id, analysis, loc, at, name), analysis, fn: value };
    if (analysis.subgraphs.length > 0)
      return {
        node: { id, kind: "subgraph", graph: scope.graphName(analysis.subgraphs[0]), loc },
        analysis,
        fn: value,
      };
    for (const remote of analysis.remote)
      reader.report(diagnostics.tsRemoteGraph(id, remote.graphId, reader.files.locate(remote.at)));
    const output = analysis.writes.length === 1 ? { output: analysis.writes[0] } : {};
    const node: WorkflowNode = {
      id,
      kind: "task",
      config: {},
      ...output,
      loc,
      ...(name ? { metadata: { function: name } } : {}),
    };
    return { node, analysis, fn: value };
  }
  if (value.kind === "batchNode") return { node: batchNodeTask(reader, id, value) };
  if (value.kind === "compiled")
    return { node: { id, kind: "subgraph", graph: scope.graphName(value.builder), loc: reader.files.locate(at) } };
  if (value.kind === "toolNode") {
    const tools = scope.useTools(value.tools);
    return {
      node: { id, kind: "task", action: "tools", config: { tools }, loc: reader.files.locate(value.node) },
      toolNode: value.tools,
    };
  }
  if (value.kind === "remote") {
    reader.report(diagnostics.tsRemoteGraph(id, value.graphId, reader.files.locate(at)));
    return { node: { id, kind: "task", config: {}, loc: reader.files.locate(at) } };
  }
  const where = value.kind === "unknown" && value.node ? value.node : at;
  reader.report(diagnostics.tsOpaqueNode(id, reader.files.locate(where)));
  return { node: { id, kind: "task", config: {}, loc: reader.files.locate(where) } };
}
