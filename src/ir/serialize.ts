// The IR file: JSON with a `schemaVersion`, written by `nexus build` and read by `nexus inspect` and `nexus run`.
// Nodes and tool definitions are listed with their annotations inline (`annotations.batch`); in memory those live
// in side tables.
// `loadWorkflow(saveWorkflow(ir))` deep-equals `ir`.
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { z } from "zod";
import { diagnostics } from "../diagnostics/codes.js";
import { DiagnosticError, type SourceLocation } from "../diagnostics/diagnostic.js";
import { excerpt } from "../diagnostics/excerpt.js";
import { annotationTable } from "./annotations/define.js";
import { NODE_KINDS, type WorkflowEdge, type WorkflowNode } from "./types.js";
import { IR_SCHEMA_VERSION, Workflow, WorkflowGraph } from "./workflow.js";

const locationSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  endLine: z.number().int().optional(),
  endColumn: z.number().int().optional(),
});

const nodeSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(NODE_KINDS),
  loc: locationSchema,
  annotations: z.record(z.string(), z.unknown()).optional(),
});

const edgeSchema = z.looseObject({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  condition: z.looseObject({ trigger: z.enum(["always", "success", "error"]) }),
  loc: locationSchema,
});

const graphSchema = z.object({
  name: z.string(),
  entry: z.string(),
  description: z.string().optional(),
  loc: locationSchema,
  stateSchema: z.record(z.string(), z.unknown()).optional(),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema),
});

const fileSchema = z.object({
  schemaVersion: z.literal(IR_SCHEMA_VERSION),
  name: z.string(),
  version: z.string().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  pipeline: z.string().optional(),
  settings: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()).optional(),
  tools: z.array(z.looseObject({ name: z.string(), protocol: z.string(), loc: locationSchema })),
  policies: z.array(z.looseObject({ name: z.string(), loc: locationSchema })),
  graphs: z.array(graphSchema),
});

export type IrFile = z.infer<typeof fileSchema>;

function defined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** The IR as plain JSON data, in a stable field order. */
export function saveWorkflow(workflow: Workflow): IrFile {
  return defined({
    schemaVersion: IR_SCHEMA_VERSION,
    name: workflow.name,
    version: workflow.version,
    description: workflow.description,
    source: workflow.source,
    pipeline: workflow.pipeline,
    settings: workflow.settings as Record<string, unknown>,
    metadata: workflow.metadata,
    tools: workflow.tools.map((tool) => {
      const annotations = workflow.toolAnnotations.forNode(tool.name);
      return { ...tool, ...(Object.keys(annotations).length ? { annotations } : {}) };
    }) as unknown as IrFile["tools"],
    policies: workflow.policies as unknown as IrFile["policies"],
    graphs: workflow.graphs.map((graph) =>
      defined({
        name: graph.name,
        entry: graph.entry,
        description: graph.description,
        loc: graph.loc,
        stateSchema: graph.stateSchema,
        nodes: graph.nodes().map((node) => {
          const { id, kind, ...fields } = node;
          const annotations = graph.annotations.forNode(id);
          return { id, kind, ...fields, ...(Object.keys(annotations).length ? { annotations } : {}) };
        }),
        edges: graph.edges() as IrFile["graphs"][number]["edges"],
      }),
    ),
  });
}

/** The IR file's text (see `irFileChunks` for the layout). */
export function serializeWorkflow(workflow: Workflow): string {
  return [...irFileChunks(workflow)].join("");
}

/**
 * Writes the IR file piece by piece (in ~1 MB writes), never holding its whole text. The text goes to a temporary file
 * beside `path` that is renamed over it once complete, so a failed write never leaves a partial or empty IR file in
 * place of a good one.
 */
export function writeIrFile(path: string, workflow: Workflow): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    try {
      let pending: string[] = [];
      let size = 0;
      for (const chunk of irFileChunks(workflow)) {
        pending.push(chunk);
        size += chunk.length;
        if (size < 1 << 20) continue;
        writeSync(fd, pending.join(""));
        pending = [];
        size = 0;
      }
      writeSync(fd, pending.join(""));
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * The IR file's text in pieces: indented JSON down to the lists of tools, policies, nodes and edges, whose elements
 * are written one compact object per line. A changed node is a one-line diff, and the text is built and written
 * per element: a 100,000-node IR is ~150 MB, and building it as one indented string (~280 MB) cost more in
 * allocation and garbage collection than the rest of the build's serialization.
 */
export function* irFileChunks(workflow: Workflow): Generator<string> {
  const file = saveWorkflow(workflow) as unknown as Record<string, unknown>;
  yield "{\n";
  yield* fields(file, "  ", (key, value) => {
    if (key === "tools" || key === "policies") return elementLines(value as unknown[], "  ");
    if (key === "graphs") return graphLines(value as Record<string, unknown>[]);
    return [JSON.stringify(value)];
  });
  yield "}\n";
}

function* fields(
  object: Record<string, unknown>,
  indent: string,
  valueText: (key: string, value: unknown) => Iterable<string>,
): Generator<string> {
  const entries = Object.entries(object).filter(([, value]) => value !== undefined);
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i];
    yield `${indent}${JSON.stringify(key)}: `;
    yield* valueText(key, value);
    yield i < entries.length - 1 ? ",\n" : "\n";
  }
}

function* elementLines(list: unknown[], indent: string): Generator<string> {
  if (list.length === 0) {
    yield "[]";
    return;
  }
  yield "[\n";
  for (let i = 0; i < list.length; i++)
    yield `${indent}  ${JSON.stringify(list[i])}${i < list.length - 1 ? ",\n" : "\n"}`;
  yield `${indent}]`;
}

function* graphLines(graphs: Record<string, unknown>[]): Generator<string> {
  if (graphs.length === 0) {
    yield "[]";
    return;
  }
  yield "[\n";
  for (let i = 0; i < graphs.length; i++) {
    yield "    {\n";
    yield* fields(graphs[i], "      ", (key, value) =>
      key === "nodes" || key === "edges" ? elementLines(value as unknown[], "      ") : [JSON.stringify(value)],
    );
    yield i < graphs.length - 1 ? "    },\n" : "    }\n";
  }
  yield "  ]";
}

/**
 * An annotation read from a file, checked against its table's schema (tables no module declared are kept as they
 * are). The value itself is kept, not zod's parsed copy, so the file's field order survives a round trip.
 */
function checkedAnnotation(table: string, value: unknown, where: string, fileLoc: SourceLocation): unknown {
  const checked = annotationTable(table)?.schema.safeParse(value);
  if (checked && !checked.success) {
    const issue = checked.error.issues[0];
    throw new DiagnosticError([
      diagnostics.invalidIrFile(`annotation '${table}' of ${where}: ${issue.path.join(".")} ${issue.message}`, fileLoc),
    ]);
  }
  return value;
}

/** Reads an IR file's data back into a Workflow; throws DiagnosticError when it is not a valid IR file. */
export function loadWorkflow(data: unknown, file = "<ir>"): Workflow {
  const fileLoc: SourceLocation = { file, line: 1, column: 1 };
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== IR_SCHEMA_VERSION) {
    throw new DiagnosticError([diagnostics.unsupportedIrVersion(version, IR_SCHEMA_VERSION, fileLoc)]);
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DiagnosticError([diagnostics.invalidIrFile(`${issue.path.join(".")}: ${issue.message}`, fileLoc)]);
  }
  // Validated, but built from a copy of the data itself: zod lists known keys first, which would reorder fields and
  // break `serialize(load(file)) === file`. (No schema here transforms values, so nothing else differs.)
  const ir = structuredClone(data) as IrFile;
  const workflow = new Workflow(
    defined({
      name: ir.name,
      version: ir.version,
      description: ir.description,
      source: ir.source,
      settings: ir.settings,
      metadata: ir.metadata,
    }),
  );
  if (ir.pipeline !== undefined) workflow.pipeline = ir.pipeline;
  workflow.tools = ir.tools.map(({ annotations, ...tool }) => {
    for (const [table, value] of Object.entries((annotations ?? {}) as Record<string, unknown>)) {
      workflow.toolAnnotations.setRaw(
        table,
        tool.name,
        checkedAnnotation(table, value, `tool '${tool.name}'`, fileLoc),
      );
    }
    return tool;
  }) as unknown as Workflow["tools"];
  workflow.policies = ir.policies as unknown as Workflow["policies"];
  ir.graphs.forEach((g, graphIndex) => {
    const invalid = (detail: string) =>
      new DiagnosticError([diagnostics.invalidIrFile(`graphs[${graphIndex}] ('${g.name}'): ${detail}`, fileLoc)]);
    const graph = new WorkflowGraph(g.name, g.entry, g.loc, g.stateSchema, g.description);
    for (const [index, { annotations, ...node }] of g.nodes.entries()) {
      if (graph.hasNode(node.id)) throw invalid(`nodes[${index}]: duplicate node id '${excerpt(node.id)}'`);
      graph.addNode(node as unknown as WorkflowNode);
      for (const [table, value] of Object.entries(annotations ?? {})) {
        graph.annotations.setRaw(table, node.id, checkedAnnotation(table, value, `node '${node.id}'`, fileLoc));
      }
    }
    for (const [index, edge] of g.edges.entries()) {
      if (graph.hasEdge(edge.id)) throw invalid(`edges[${index}]: duplicate edge id '${excerpt(edge.id)}'`);
      for (const end of [edge.from, edge.to])
        if (!graph.hasNode(end))
          throw invalid(`edges[${index}]: edge '${excerpt(edge.id)}' to missing node '${excerpt(end)}'`);
      graph.addEdge(edge as unknown as WorkflowEdge);
    }
    workflow.graphs.push(graph);
  });
  return workflow;
}
