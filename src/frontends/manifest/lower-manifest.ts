// Lowers a whole manifest document: workflow header, settings, tools, routers, policies, then every graph.
// Accepts Universal Agent Nexus manifests as written and Nexus's superset (see the README's manifest reference).
import { diagnostics } from "../../diagnostics/codes.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Policy, ToolDefinition } from "../../ir/types.js";
import { Workflow } from "../../ir/workflow.js";
import { LoweringContext } from "./context.js";
import { describeValue, isRecord } from "./fields.js";
import type { LocatedDocument } from "./located-yaml.js";
import { lowerGraph } from "./lower-graph.js";
import { inlineRouter, readBatchPolicy, withoutUndefined } from "./lower-node.js";

export interface LoweringResult {
  workflow?: Workflow;
  diagnostics: Diagnostic[];
  /** True when errors left parts of the manifest out of the IR. */
  incomplete: boolean;
}

const TOOL_PROTOCOLS = ["http", "mcp", "function", "builtin"] as const;

function lowerTool(object: Record<string, unknown>, context: LoweringContext): ToolDefinition | undefined {
  const reader = context.reader(object, `tool '${String(object.name ?? "?")}'`);
  const name = reader.string("name", true);
  if (name === undefined) return undefined;
  const config = reader.record("config") ?? {};
  const tool: ToolDefinition = {
    name,
    description: reader.string("description"),
    protocol: reader.oneOf("protocol", TOOL_PROTOCOLS) ?? "function",
    inputSchema: reader.record(["input_schema", "parameters"]),
    outputSchema: reader.record("output_schema"),
    config,
    deterministic: reader.boolean("deterministic") ?? false,
    cacheable: reader.boolean("cacheable") ?? false,
    cacheTtlMs: reader.durationMs(["cache_ttl", "cache_ttl_ms"]),
    rateLimit: reader.number(["rate_limit", "rate_limit_per_second"], { min: 0 }),
    expectedLatencyMs: reader.durationMs(["expected_latency", "expected_latency_ms"]),
    loc: context.document.at(object),
    metadata: reader.record("metadata"),
  };
  const rest = reader.rest();
  if (rest) tool.metadata = { ...tool.metadata, ...rest };
  return withoutUndefined(tool);
}

function lowerPolicy(object: Record<string, unknown>, context: LoweringContext): Policy | undefined {
  const reader = context.reader(object, `policy '${String(object.name ?? "?")}'`);
  const name = reader.string("name", true);
  if (name === undefined) return undefined;
  const rules = (reader.list("rules") ?? []).filter(isRecord) as Policy["rules"];
  const description = reader.string("description");
  const rest = reader.rest();
  return withoutUndefined({
    name,
    description,
    rules,
    loc: context.document.at(object),
    ...(rest ? { metadata: rest } : {}),
  });
}

/** Reads a list of named definitions, reporting non-mappings and duplicate names. */
function lowerNamedList<T extends { name: string; loc: { file: string } }>(
  list: unknown[],
  what: string,
  lower: (object: Record<string, unknown>) => T | undefined,
  context: LoweringContext,
): T[] {
  const result: T[] = [];
  list.forEach((item, index) => {
    if (!isRecord(item)) {
      context.report(
        diagnostics.wrongType(`${what}s[${index}]`, "a mapping", describeValue(item), context.document.at(list, index)),
      );
      return;
    }
    const lowered = lower(item);
    if (!lowered) return;
    const first = result.find((r) => r.name === lowered.name);
    if (first)
      context.report(diagnostics.duplicateId(`${what} name`, lowered.name, lowered.loc as never, first.loc as never));
    else result.push(lowered);
  });
  return result;
}

export function lowerManifest(document: LocatedDocument, source = document.file): LoweringResult {
  const context = new LoweringContext(document);
  const root = document.value;
  if (!isRecord(root)) {
    context.report(
      diagnostics.wrongType(
        "manifest",
        "a mapping with 'name' and 'graphs'",
        describeValue(root),
        document.locationOf(0),
      ),
    );
    return { diagnostics: context.diagnostics, incomplete: true };
  }
  const reader = context.reader(root, "the manifest");
  const name = reader.text("name");
  if (name === undefined && !reader.has("name"))
    context.report(diagnostics.missingField("name", "the manifest", document.at(root)));
  const defaults = reader.record("defaults");
  const defaultsReader = defaults ? context.reader(defaults, "defaults") : undefined;
  context.defaultModel = reader.string(["default_model", "model"]) ?? defaultsReader?.string("model");
  const defaultsRest = defaultsReader?.rest();
  context.backend = typeof root.backend === "string" ? root.backend : undefined;
  const batch = readBatchPolicy(reader, context);
  const workflow = new Workflow({
    name: name ?? "workflow",
    version: reader.text("version"),
    description: reader.string("description"),
    source,
    settings: withoutUndefined({
      latencyBudgetMs: reader.durationMs(["latency_budget", "latency_budget_ms"]),
      backend: reader.string("backend"),
      env: reader.stringList("env"),
      batch,
      pricing: reader.record("pricing"),
      modelMap: reader.stringMap("models"),
    }),
  });
  reader.consume("$schema");

  workflow.tools = lowerNamedList(reader.list("tools") ?? [], "tool", (o) => lowerTool(o, context), context);
  for (const tool of workflow.tools) context.tools.set(tool.name, tool);
  const routers = lowerNamedList(
    reader.list("routers") ?? [],
    "router",
    (o) => inlineRouter(o, context, document.at(o)),
    context,
  );
  for (const router of routers) context.routers.set(router.name, router);
  workflow.policies = lowerNamedList(reader.list("policies") ?? [], "policy", (o) => lowerPolicy(o, context), context);

  const graphs = reader.list("graphs") ?? [];
  if (!reader.has("graphs")) context.report(diagnostics.missingField("graphs", "the manifest", document.at(root)));
  for (const item of graphs) {
    if (isRecord(item) && typeof item.name === "string") context.graphNames.add(item.name);
  }
  graphs.forEach((item, index) => {
    if (!isRecord(item)) {
      context.report(
        diagnostics.wrongType(`graphs[${index}]`, "a mapping", describeValue(item), document.at(graphs, index)),
      );
      return;
    }
    const graph = lowerGraph(item, context, index);
    if (!graph) return;
    if (workflow.graphByName(graph.name)) {
      context.report(
        diagnostics.duplicateId("graph name", graph.name, graph.loc, workflow.graphByName(graph.name)!.loc),
      );
      return;
    }
    workflow.graphs.push(graph);
  });
  const explicitMetadata = reader.record("metadata");
  const rest = { ...reader.rest(), ...(defaultsRest ? { defaults: defaultsRest } : {}) };
  if (explicitMetadata || Object.keys(rest).length) workflow.metadata = { ...explicitMetadata, ...rest };
  context.runDeferred();
  return { workflow, diagnostics: context.diagnostics, incomplete: context.incomplete };
}
