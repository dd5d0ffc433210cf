// Lowers one manifest node to an IR node. UAN shapes (`kind: task` with `config.prompt`, `router_ref`, `tool_ref`) and
// Nexus's own fields (explicit `llm`, `map`, `reduce`, `batch`, `output_schema`, ...) both land here.
import { diagnostics } from "../../diagnostics/codes.js";
import {
  NODE_KINDS,
  REDUCE_OPERATIONS,
  type BatchPolicy,
  type LlmNode,
  type NodeKind,
  type RouterNode,
  type SourceLocation,
  type WorkflowNode,
} from "../../ir/types.js";
import type { LoweringContext } from "./context.js";
import { describeValue, isRecord, type FieldReader } from "./fields.js";
import { modelBackendMismatch } from "../../models/backend-match.js";
import { readJoinPolicy } from "./read-join.js";
import { checkPackable, readPackPolicy } from "./read-pack-policy.js";

const BATCH_FIELDS = ["size", "timeout_ms", "priority", "enabled", "results"];

/** Every field some node kind reads: an unknown field in a node is an error, with a suggestion from these. */
const NODE_FIELDS = [
  ...["id", "kind", "type", "label", "name", "description", "metadata", "config", "action", "output", "batch", "pack"],
  ...["model", "default_model", "system", "system_message", "system_prompt", "prompt", "prompt_template"],
  ...["temperature", "max_tokens", "maxTokens", "output_schema", "tools", "max_turns", "maxTurns"],
  ...["router_ref", "router", "strategy", "routes", "tool_ref", "tool", "args", "arguments", "input"],
  ...["body", "graph", "graph_ref", "subgraph", "as", "over", "items", "max_concurrency", "from", "into"],
  ...["operation", "field", "implementation", "join", "context_tokens", "max_items", "memoize"],
];

/** Reads `batch: {size, timeout_ms, priority, enabled}` (or `batch: false`). */
export function readBatchPolicy(reader: FieldReader, context: LoweringContext): BatchPolicy | undefined {
  if (reader.object.batch === false) {
    reader.consume("batch");
    return { enabled: false };
  }
  const raw = reader.record("batch");
  if (!raw) return undefined;
  const batch = context.reader(raw, `batch policy of ${reader.where}`);
  const policy: BatchPolicy = {
    size: batch.number("size", { integer: true, min: 1 }),
    timeoutMs: batch.durationMs(["timeout_ms", "timeout"]),
    priority: batch.number("priority", { integer: true }),
    enabled: batch.boolean("enabled"),
    results: batch.oneOf("results", ["in-order", "by-id"] as const),
  };
  batch.rest(BATCH_FIELDS);
  return withoutUndefined(policy);
}

export function withoutUndefined<T extends object>(object: T): T {
  // A new object rather than `delete`: deleting properties puts V8 objects in slow dictionary mode, and every IR node
  // and edge passes through here (it was the frontend's hottest function at 10,000 nodes).
  const result = {} as T;
  for (const key of Object.keys(object) as (keyof T)[]) if (object[key] !== undefined) result[key] = object[key];
  return result;
}

/** Warns when the manifest's `backend:` is not known to serve a node's model, at the node's `model:`. */
function checkModelBackend(reader: FieldReader, model: string | undefined, context: LoweringContext): void {
  const key = ["model", "default_model"].find((name) => name in reader.object);
  const backend = context.backend;
  if (model === undefined || key === undefined || backend === undefined) return;
  const why = modelBackendMismatch(model, backend);
  if (why) reader.report(diagnostics.modelBackendMismatch(reader.where, why, backend, reader.at(key)));
}

/** The model-call fields shared by `llm` nodes, task configs with a prompt, and routers. */
function readModelFields(reader: FieldReader, context: LoweringContext) {
  const model = reader.string(["model", "default_model"]);
  checkModelBackend(reader, model, context);
  return {
    model,
    system: reader.string(["system", "system_message", "system_prompt"]),
    prompt: reader.string(["prompt", "prompt_template"]),
    temperature: reader.number("temperature"),
    maxTokens: reader.number(["max_tokens", "maxTokens"], { integer: true, min: 1 }),
  };
}

function requireModel(model: string | undefined, node: string, context: LoweringContext, loc: SourceLocation): string {
  const resolved = model ?? context.defaultModel;
  if (resolved === undefined) {
    context.report(diagnostics.missingField("model", `model-calling node '${node}'`, loc));
    return "unknown://model";
  }
  return resolved;
}

/** The model of an `llm` node: its own, else the manifest's default, else the run's default (with a warning). */
function llmModel(
  model: string | undefined,
  node: string,
  context: LoweringContext,
  loc: SourceLocation,
): Pick<LlmNode, "model" | "runDefaultModel"> {
  const resolved = model ?? context.defaultModel;
  if (resolved !== undefined) return { model: resolved };
  context.report(diagnostics.runDefaultModel(node, loc));
  return { runDefaultModel: true };
}

/** Reads a reference written as `x_ref: name`, `x: name` or `x: {name: ...}`. */
function readReference(
  reader: FieldReader,
  field: string,
): { name: string; loc: SourceLocation; inline?: Record<string, unknown> } | undefined {
  const refKey = `${field}_ref`;
  const byRef = reader.string(refKey);
  if (byRef !== undefined) return { name: byRef, loc: reader.at(refKey) };
  const value = reader.object[field];
  reader.consume(field);
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return { name: value, loc: reader.at(field) };
  if (isRecord(value) && typeof value.name === "string")
    return { name: value.name, loc: reader.at(field), inline: value };
  reader.report(diagnostics.wrongType(field, `a ${field} name or {name: ...}`, describeValue(value), reader.at(field)));
  return undefined;
}

/** A reduce with a model (a synthesis): an llm node whose prompt reads the list, with its `reduce` fields. */
function lowerSynthesis(id: string, reader: FieldReader, context: LoweringContext, base: NodeBaseFields): LlmNode {
  const reduce = withoutUndefined({
    input: reader.string(["input", "from"], true) ?? "",
    contextTokens: reader.number("context_tokens", { integer: true, min: 1 }),
    maxItems: reader.number("max_items", { integer: true, min: 1 }),
  });
  const output = reader.string("into");
  const node = lowerLlm(id, reader, context, base);
  return { ...node, ...(output !== undefined && node.output === undefined ? { output } : {}), reduce };
}

function lowerLlm(id: string, reader: FieldReader, context: LoweringContext, base: NodeBaseFields): LlmNode {
  const config = reader.record("config");
  const configReader = config ? context.reader(config, `config of node '${id}'`) : undefined;
  const fromConfig = configReader ? readModelFields(configReader, context) : undefined;
  const own = readModelFields(reader, context);
  const node: LlmNode = {
    ...base,
    kind: "llm",
    ...llmModel(own.model ?? fromConfig?.model, id, context, base.loc),
    system: own.system ?? fromConfig?.system,
    prompt: own.prompt ?? fromConfig?.prompt,
    outputSchema: reader.record("output_schema") ?? configReader?.record("output_schema"),
    output: reader.string("output"),
    tools: reader.stringList("tools") ?? [],
    maxTurns: reader.number(["max_turns", "maxTurns"], { integer: true, min: 1 }) ?? 1,
    temperature: own.temperature ?? fromConfig?.temperature,
    maxTokens: own.maxTokens ?? fromConfig?.maxTokens,
    batch: readBatchPolicy(reader, context),
    memoize: reader.boolean("memoize") === false ? false : undefined,
    pack: readPackPolicy(reader, context, id),
  };
  // The rest of a UAN task's config (e.g. `action`) is the user's data: kept, not warned about.
  const configRest = configReader?.unread();
  if (configRest) node.metadata = { config: configRest };
  checkToolsExist(node.tools, reader, context);
  return withoutUndefined(node);
}

function checkToolsExist(tools: string[], reader: FieldReader, context: LoweringContext): void {
  const list = reader.object.tools;
  tools.forEach((tool, index) => {
    if (!context.tools.has(tool)) {
      context.report(
        diagnostics.unknownTool(tool, [...context.tools.keys()], context.document.at(list as object, index)),
      );
    }
  });
}

function lowerRouter(id: string, reader: FieldReader, context: LoweringContext, base: NodeBaseFields): RouterNode {
  const reference = readReference(reader, "router");
  let definition = reference ? context.routers.get(reference.name) : undefined;
  if (reference && !definition && !reference.inline) {
    context.report(diagnostics.unknownRouter(reference.name, [...context.routers.keys()], reference.loc));
  }
  if (reference?.inline && !definition) definition = inlineRouter(reference.inline, context, reference.loc);
  const own = readModelFields(reader, context);
  const config = reader.record("config");
  // UAN also writes a router's model in its node's config: `config: {llm: MODEL, system_message: ...}`.
  const configReader = config ? context.reader(config, `config of router '${id}'`) : undefined;
  const fromConfig = configReader
    ? { ...readModelFields(configReader, context), llm: configReader.string("llm") }
    : undefined;
  const configModel = fromConfig?.model ?? fromConfig?.llm;
  const configRest = configReader?.unread();
  const strategyWritten = reader.oneOf("strategy", ["llm", "expression", "rule", "conditional"] as const);
  const strategy =
    strategyWritten === undefined
      ? (definition?.strategy ?? (own.model || configModel ? "llm" : "expression"))
      : strategyWritten === "llm"
        ? "llm"
        : "expression";
  const node: RouterNode = {
    ...base,
    kind: "router",
    strategy,
    router: reference?.name,
    model: own.model ?? configModel ?? definition?.model,
    system: own.system ?? fromConfig?.system ?? definition?.system,
    prompt: own.prompt ?? fromConfig?.prompt ?? definition?.prompt,
    routes: reader.stringList("routes") ?? definition?.routes ?? [],
    output: reader.string("output"),
    temperature: own.temperature ?? fromConfig?.temperature ?? definition?.temperature,
    maxTokens: own.maxTokens ?? fromConfig?.maxTokens ?? definition?.maxTokens,
    batch: readBatchPolicy(reader, context),
    config: (configModel === undefined ? config : configRest) ?? definition?.config,
  };
  if (strategy === "llm") node.model = requireModel(node.model, id, context, base.loc);
  return withoutUndefined(node);
}

/**
 * A model router with no routes whose outgoing edges are all unconditional, as the `llm` node UAN runs it as: one
 * model call whose answer goes to the router's output field and on along its edges. The router's name and extra
 * config are kept in metadata.
 */
export function routerAsModelStep(router: RouterNode): LlmNode {
  const extra = withoutUndefined({ router: router.router, config: router.config });
  const metadata = { ...router.metadata, ...extra };
  return withoutUndefined({
    id: router.id,
    kind: "llm",
    label: router.label,
    loc: router.loc,
    model: router.model,
    system: router.system,
    prompt: router.prompt,
    output: router.output,
    tools: [],
    maxTurns: 1,
    temperature: router.temperature,
    maxTokens: router.maxTokens,
    batch: router.batch,
    metadata: Object.keys(metadata).length ? metadata : undefined,
  });
}

/** Reads a router definition, from `routers:` or written inline under a node's `router:`. */
export function inlineRouter(object: Record<string, unknown>, context: LoweringContext, loc: SourceLocation) {
  const reader = context.reader(object, `router '${String(object.name)}'`);
  const name = reader.string("name", true) ?? "";
  const strategy = reader.oneOf("strategy", ["llm", "expression", "rule", "conditional"] as const);
  const fields = readModelFields(reader, context);
  const routes = reader.stringList("routes");
  reader.consume("model_candidates", "description");
  const extra = Object.fromEntries(
    ["model_candidates", "description"].filter((k) => object[k] !== undefined).map((k) => [k, object[k]]),
  );
  const rest = reader.rest();
  const config = { ...extra, ...rest };
  return withoutUndefined({
    name,
    strategy:
      strategy === undefined
        ? fields.model
          ? ("llm" as const)
          : ("expression" as const)
        : strategy === "llm"
          ? ("llm" as const)
          : ("expression" as const),
    ...fields,
    routes,
    config: Object.keys(config).length ? config : undefined,
    loc,
  });
}

interface NodeBaseFields {
  id: string;
  label?: string;
  loc: SourceLocation;
  metadata?: Record<string, unknown>;
}

/** A task's `implementation:` (a tool of the workflow) and `join:`. */
function readImplementation(reader: FieldReader, context: LoweringContext, id: string) {
  const implementation = reader.string("implementation");
  if (implementation !== undefined && !context.tools.has(implementation))
    context.report(diagnostics.unknownTool(implementation, [...context.tools.keys()], reader.at("implementation")));
  return { implementation, join: readJoinPolicy(reader, context, id) };
}

function isModelTask(reader: FieldReader): boolean {
  const config = reader.object.config;
  const inConfig = isRecord(config) && ["prompt", "model", "default_model", "prompt_template"].some((k) => k in config);
  return inConfig || reader.has("prompt", "model");
}

/** Lowers a node mapping; returns undefined when it has no usable id or kind (already reported). */
export function lowerNode(
  object: Record<string, unknown>,
  context: LoweringContext,
  graph: string,
): WorkflowNode | undefined {
  const reader = context.reader(object, `node '${String(object.id ?? "?")}' of graph '${graph}'`);
  const id = reader.text("id");
  const loc = context.document.at(object);
  if (id === undefined) {
    if (!("id" in object)) context.report(diagnostics.missingField("id", `a node of graph '${graph}'`, loc));
    return undefined;
  }
  const kind = reader.string(["kind", "type"], true);
  if (kind === undefined) return undefined;
  if (!(NODE_KINDS as readonly string[]).includes(kind)) {
    context.report(diagnostics.unknownNodeKind(kind, [...NODE_KINDS], reader.at("kind")));
    return undefined;
  }
  const base: NodeBaseFields = withoutUndefined({ id, label: reader.string(["label", "name"]), loc });
  const explicitMetadata = reader.record("metadata");
  reader.consume("description");
  const node = lowerKind(kind as NodeKind, id, reader, context, base);
  checkPackable(node, reader, context);
  reader.consume("pack");
  const description = typeof object.description === "string" ? { description: object.description } : {};
  const rest = reader.rest(NODE_FIELDS, diagnostics.unknownNodeField);
  const metadata = { ...node.metadata, ...explicitMetadata, ...description, ...rest };
  if (Object.keys(metadata).length) node.metadata = metadata;
  return node;
}

function lowerKind(
  kind: NodeKind,
  id: string,
  reader: FieldReader,
  context: LoweringContext,
  base: NodeBaseFields,
): WorkflowNode {
  switch (kind) {
    case "llm":
      return lowerLlm(id, reader, context, base);
    case "task": {
      if (isModelTask(reader)) return lowerLlm(id, reader, context, base);
      const config = reader.record("config") ?? {};
      return withoutUndefined({
        ...base,
        kind: "task",
        action: typeof config.action === "string" ? config.action : reader.string("action"),
        config,
        output: reader.string("output"),
        batch: readBatchPolicy(reader, context),
        ...readImplementation(reader, context, id),
      });
    }
    case "router":
      return lowerRouter(id, reader, context, base);
    case "tool": {
      const reference = readReference(reader, "tool");
      if (!reference) context.report(diagnostics.missingField("tool_ref", `tool node '${id}'`, base.loc));
      else if (!context.tools.has(reference.name)) {
        context.report(diagnostics.unknownTool(reference.name, [...context.tools.keys()], reference.loc));
      }
      const args = reader.record(["args", "arguments", "input"]);
      return withoutUndefined({
        ...base,
        kind: "tool",
        tool: reference?.name ?? "",
        args: args as Record<string, string> | undefined,
        output: reader.string("output"),
        metadata: reader.has("config") ? { config: reader.record("config") } : undefined,
        batch: readBatchPolicy(reader, context),
        join: readJoinPolicy(reader, context, id),
      });
    }
    case "map": {
      const body = reader.string(["body", "graph"], true) ?? "";
      const as = reader.string("as") ?? "item";
      context.mapElementNames.set(body, [...(context.mapElementNames.get(body) ?? []), as]);
      const node = withoutUndefined({
        ...base,
        kind: "map" as const,
        over: reader.string(["over", "items"], true) ?? "",
        as,
        body,
        output: reader.string("output") ?? id,
        maxConcurrency: reader.number("max_concurrency", { integer: true, min: 1 }),
      });
      const bodyLoc = reader.at(reader.has("body") ? "body" : "graph");
      context.defer(() => {
        if (body && !context.graphNames.has(body))
          context.report(diagnostics.unknownSubgraph(body, [...context.graphNames], bodyLoc));
      });
      return node;
    }
    case "reduce":
      if (isModelTask(reader)) return lowerSynthesis(id, reader, context, base);
      return withoutUndefined({
        ...base,
        kind: "reduce",
        input: reader.string(["input", "from"], true) ?? "",
        output: reader.string(["output", "into"]) ?? id,
        operation: reader.oneOf("operation", REDUCE_OPERATIONS) ?? "collect",
        field: reader.string("field"),
      });
    case "subgraph": {
      const config = reader.record("config");
      const name =
        reader.string(["graph", "graph_ref", "subgraph"]) ??
        (typeof config?.graph === "string" ? config.graph : undefined);
      if (name === undefined) context.report(diagnostics.missingField("graph", `subgraph node '${id}'`, base.loc));
      const where = reader.has("graph")
        ? reader.at("graph")
        : reader.has("graph_ref")
          ? reader.at("graph_ref")
          : base.loc;
      context.defer(() => {
        if (name !== undefined && !context.graphNames.has(name))
          context.report(diagnostics.unknownSubgraph(name, [...context.graphNames], where));
      });
      return { ...base, kind: "subgraph", graph: name ?? "" };
    }
    case "human":
      return withoutUndefined({
        ...base,
        kind: "human",
        prompt: reader.string("prompt"),
        config: reader.record("config") ?? {},
        output: reader.string("output"),
      });
  }
}
