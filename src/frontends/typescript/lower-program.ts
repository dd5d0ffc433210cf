// A whole program to a Workflow: read the entry module (and what it imports) once, take the graph it exports (else
// the last one it builds) as the main graph, and lower it with every graph it uses as a subgraph. Tools the models
// are given become the workflow's tool definitions.
import { basename, dirname, extname, resolve } from "node:path";
import { diagnostics } from "../../diagnostics/codes.js";
import type { ToolDefinition } from "../../ir/types.js";
import { Workflow } from "../../ir/workflow.js";
import { toWorkflowGraph, type GraphDraft } from "./graph-draft.js";
import { callFunction, interpretModule } from "./interpret.js";
import { lowerBuilder } from "./lower-graph.js";
import type { NodeScope } from "./lower-nodes.js";
import { stateJsonSchema } from "./state-schema.js";
import type { ProgramReader } from "./reader.js";
import { is } from "./syntax.js";
import { emptyEnv, type BuilderRecord, type ToolInfo } from "./values.js";

export interface ProgramLowering {
  workflow?: Workflow;
  incomplete: boolean;
}

/**
 * Programs that build their graph in an exported function (`export function makeGraph()`, as langgraph.json can
 * name one) and export no graph: each such function is called once, and the graph it returns counts as exported.
 */
function callExportedFunctions(reader: ProgramReader): void {
  const node = is();
  for (const statement of reader.files.entry.getStatements()) {
    if (!node.isFunctionDeclaration(statement) || !statement.hasExportKeyword()) continue;
    const made = callFunction(reader, { kind: "function", node: statement, env: emptyEnv() }, [], statement);
    if (made.kind === "builder" || made.kind === "compiled") {
      made.builder.exported = true;
      const name = statement.getName();
      if (name && made.builder.names.length === 0) made.builder.names.push(name);
    }
  }
}

function mainBuilder(builders: BuilderRecord[]): BuilderRecord | undefined {
  const exported = builders.filter((b) => b.exported);
  const candidates = exported.length ? exported : builders;
  return candidates[candidates.length - 1];
}

/** The workflow's name: the file's, or its folder's for a generic file name (`support/graph.ts` is "support"). */
function workflowName(file: string): string {
  const name = basename(file, extname(file));
  const folder = basename(dirname(resolve(file)));
  return /^(graph|index|main|agent)$/.test(name) && folder ? folder : name;
}

export function lowerProgram(reader: ProgramReader): ProgramLowering {
  const entry = reader.files.entry;
  interpretModule(reader, entry);
  if (!reader.builders.some((builder) => builder.exported)) callExportedFunctions(reader);
  const main = mainBuilder(reader.builders);
  if (main === undefined) {
    reader.report(
      diagnostics.tsNoStateGraph(reader.files.entryFile, { file: reader.files.entryFile, line: 1, column: 1 }),
    );
    return { incomplete: true };
  }
  const names = new Map<BuilderRecord, string>();
  const pending: BuilderRecord[] = [];
  const taken = new Set<string>();
  const graphName = (builder: BuilderRecord): string => {
    const known = names.get(builder);
    if (known !== undefined) return known;
    const wanted = builder.explicitName ?? builder.agent?.name ?? builder.names[builder.names.length - 1] ?? "graph";
    let name = wanted;
    for (let n = 2; taken.has(name); n++) name = `${wanted}_${n}`;
    taken.add(name);
    names.set(builder, name);
    pending.push(builder);
    return name;
  };
  const tools = new Map<string, ToolDefinition>();
  const useTools = (list: ToolInfo[]): string[] => {
    for (const tool of list) {
      if (tools.has(tool.name)) continue;
      tools.set(tool.name, {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        protocol: "function",
        ...(tool.inputSchema !== undefined ? { inputSchema: tool.inputSchema } : {}),
        config: {},
        deterministic: false,
        cacheable: false,
        loc: reader.files.locate(tool.node),
      });
    }
    return [...new Set(list.map((tool) => tool.name))];
  };
  const scope: NodeScope = { reader, graphName, useTools };
  graphName(main);
  const drafts: GraphDraft[] = [];
  for (let index = 0; index < pending.length; index++)
    drafts.push(...lowerBuilder(scope, pending[index], names.get(pending[index])!));
  const workflow = new Workflow({
    name: workflowName(reader.files.entryFile),
    source: reader.files.entryFile,
  });
  const seen = new Set<string>();
  for (const draft of drafts) {
    let name = draft.name;
    for (let n = 2; seen.has(name); n++) name = `${draft.name}_${n}`;
    seen.add(name);
    workflow.graphs.push(toWorkflowGraph({ ...draft, name }));
  }
  workflow.tools = [...tools.values()];
  const schemas = main.schemas;
  if (schemas) {
    // The IR has no place of its own for a graph's input, output and context schemas: kept for `nexus run`.
    const langgraph = Object.fromEntries(
      Object.entries(schemas).flatMap(([key, fields]) => (fields ? [[key, stateJsonSchema(fields)]] : [])),
    );
    workflow.metadata = { langgraph };
  }
  return { workflow, incomplete: reader.incomplete };
}
