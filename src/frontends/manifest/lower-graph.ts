// Lowers one `graphs[]` entry: its nodes, its edges (`from_node`/`to_node` and `condition: {trigger, route,
// expression}`), and the source-level checks that need exact positions (templates and expressions vs. state).
import { diagnostics } from "../../diagnostics/codes.js";
import { checkExpression, ExpressionSyntaxError, parseExpression } from "../../expr/index.js";
import { stateFieldNames, schemaAtPath, withoutStatePrefix } from "../../ir/state-schema.js";
import { templateVariables } from "../../ir/template.js";
import { outputField } from "../../ir/node-output.js";
import type { EdgeCondition, JsonSchema } from "../../ir/types.js";
import { WorkflowGraph } from "../../ir/workflow.js";
import type { LoweringContext } from "./context.js";
import { isRecord } from "./fields.js";
import { lowerNode, routerAsModelStep, withoutUndefined } from "./lower-node.js";

const TRIGGERS = ["always", "success", "error"] as const;
const TRIGGER_ALIASES: Record<string, (typeof TRIGGERS)[number]> = {
  failure: "error",
  on_error: "error",
  on_success: "success",
};

/** What the lowering of one graph's edges and deferred checks share. */
interface GraphScope {
  /** Ids written in the manifest, lowered or not: references to a node that failed to lower (already reported) are
   * not reported again as references to a missing node. */
  writtenIds: Set<string>;
  /** The state schema with node outputs, computed once per graph (the checks of every expression and template read
   * it; computing it per edge made lowering quadratic). Only valid once all nodes are lowered (in deferred checks). */
  stateSchema: () => JsonSchema | undefined;
}

function once<T>(compute: () => T): () => T {
  let computed = false;
  let value: T;
  return () => {
    if (!computed) {
      value = compute();
      computed = true;
    }
    return value;
  };
}

export function lowerGraph(
  object: Record<string, unknown>,
  context: LoweringContext,
  index: number,
): WorkflowGraph | undefined {
  const reader = context.reader(object, `graph #${index + 1}`);
  const name = reader.string("name", true) ?? `graph${index + 1}`;
  const loc = context.document.at(object);
  const entry = reader.string(["entry_node", "entry"]);
  const stateSchema = reader.record(["state", "state_schema"]);
  const graph = new WorkflowGraph(name, entry ?? "", loc, stateSchema, reader.string("description"));
  if (entry === undefined && !reader.has("entry_node", "entry")) context.report(diagnostics.missingEntry(name, loc));

  const nodeObjects = new Map<string, Record<string, unknown>>();
  const nodes = reader.list("nodes") ?? [];
  const scope: GraphScope = {
    writtenIds: new Set(nodes.flatMap((item) => (isRecord(item) && item.id != null ? [String(item.id)] : []))),
    stateSchema: once(() => stateSchemaWithOutputs(graph)),
  };
  if (!reader.has("nodes")) context.report(diagnostics.missingField("nodes", `graph '${name}'`, loc));
  nodes.forEach((item, i) => {
    if (!isRecord(item)) {
      context.report(diagnostics.wrongType(`nodes[${i}]`, "a mapping", typeof item, context.document.at(nodes, i)));
      return;
    }
    const node = lowerNode(item, context, name);
    if (!node) return;
    if (graph.hasNode(node.id)) {
      context.report(diagnostics.duplicateId("node id", node.id, node.loc, graph.node(node.id).loc));
      return;
    }
    graph.addNode(node);
    nodeObjects.set(node.id, item);
  });

  const edges = reader.list("edges") ?? [];
  edges.forEach((item, i) => {
    if (!isRecord(item)) {
      context.report(diagnostics.wrongType(`edges[${i}]`, "a mapping", typeof item, context.document.at(edges, i)));
      return;
    }
    lowerEdge(item, graph, context, scope);
  });
  reader.rest();

  if (entry !== undefined && !graph.hasNode(entry) && !scope.writtenIds.has(entry)) {
    context.report(
      diagnostics.unknownEntry(
        name,
        entry,
        graph.nodes().map((n) => n.id),
        reader.at(reader.has("entry_node") ? "entry_node" : "entry"),
      ),
    );
  }
  for (const node of graph.nodes()) {
    if (node.kind !== "router") continue;
    const out = graph.outEdges(node.id);
    for (const edge of out) {
      const route = edge.condition.route;
      if (route !== undefined && !node.routes.includes(route)) node.routes.push(route);
    }
    const unconditional = out.every((e) => e.condition.route === undefined && e.condition.expression === undefined);
    // A router with no edges out (a last step) stays a router, as before.
    if (node.strategy === "llm" && node.routes.length === 0 && out.length > 0 && unconditional) {
      graph.replaceNode(routerAsModelStep(node));
      context.report(diagnostics.routerAsModelStep(node.id, node.loc));
    }
  }
  context.defer(() => checkStateReferences(graph, nodeObjects, context, scope));
  return graph;
}

function lowerEdge(
  object: Record<string, unknown>,
  graph: WorkflowGraph,
  context: LoweringContext,
  scope: GraphScope,
): void {
  const reader = context.reader(object, "edge");
  const loc = context.document.at(object);
  const from = reader.text(["from_node", "from", "source"]);
  const to = reader.text(["to_node", "to", "target"]);
  if (from === undefined && !reader.has("from_node", "from", "source"))
    context.report(diagnostics.missingField("from_node", "edge", loc));
  if (to === undefined && !reader.has("to_node", "to", "target"))
    context.report(diagnostics.missingField("to_node", "edge", loc));
  const condition: EdgeCondition = { trigger: "always" };
  const conditionObject = reader.record(["condition", "when"]) ?? {};
  const conditionReader = context.reader(conditionObject, "edge condition");
  const writtenTrigger = conditionReader.string("trigger");
  if (writtenTrigger !== undefined) {
    const trigger = TRIGGER_ALIASES[writtenTrigger] ?? writtenTrigger;
    if ((TRIGGERS as readonly string[]).includes(trigger)) condition.trigger = trigger as EdgeCondition["trigger"];
    else
      context.report(diagnostics.invalidValue("trigger", writtenTrigger, [...TRIGGERS], conditionReader.at("trigger")));
  }
  const route = conditionReader.text("route") ?? reader.text("route");
  if (route !== undefined) condition.route = route;
  const [expressionOwner, expressionKey] =
    "expression" in conditionObject ? [conditionObject, "expression"] : [object, "if"];
  const expressionSource = conditionReader.string("expression") ?? reader.string("if");
  if (expressionSource !== undefined) {
    try {
      condition.expression = parseExpression(expressionSource);
      condition.expressionSource = expressionSource;
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      context.report(
        diagnostics.invalidExpression(
          error.message,
          context.document.inString(expressionOwner, expressionKey, error.offset),
        ),
      );
    }
  }
  conditionReader.rest(["trigger", "route", "expression"]);
  const id = reader.text("id");
  const metadata = reader.rest();
  const ends = [
    ["from", from, ["from_node", "from", "source"]],
    ["to", to, ["to_node", "to", "target"]],
  ] as const;
  let valid = from !== undefined && to !== undefined;
  for (const [end, nodeId, keys] of ends) {
    if (nodeId !== undefined && !graph.hasNode(nodeId)) {
      const key = keys.find((k) => k in object)!;
      if (!scope.writtenIds.has(nodeId))
        context.report(
          diagnostics.edgeToMissingNode(
            end,
            nodeId,
            graph.nodes().map((n) => n.id),
            reader.at(key),
          ),
        );
      valid = false;
    }
  }
  if (id !== undefined && graph.hasEdge(id)) {
    context.report(diagnostics.duplicateId("edge id", id, loc, graph.edge(id).loc));
    valid = false;
  }
  if (!valid) return;
  graph.addEdge(withoutUndefined({ id, from: from!, to: to!, condition, loc, metadata }));
  if (condition.expression) {
    const owner = expressionOwner;
    context.defer(() => {
      const names = context.mapElementNames.get(graph.name) ?? [];
      for (const d of checkExpression(
        condition.expression!,
        scope.stateSchema(),
        (offset) => context.document.inString(owner, expressionKey, offset),
        names,
      )) {
        context.report(d);
      }
    });
  }
}

/** The state schema plus the fields nodes write (their `output`, or their id), which later nodes may read. */
function stateSchemaWithOutputs(graph: WorkflowGraph): JsonSchema | undefined {
  if (!graph.stateSchema) return undefined;
  const properties = { ...((graph.stateSchema.properties as Record<string, JsonSchema>) ?? {}) };
  for (const node of graph.nodes()) {
    const written = outputField(node);
    if (written && !Object.hasOwn(properties, written)) {
      // Defined, not assigned: an output named `__proto__` must be a field, not the object's prototype.
      const value = node.kind === "llm" && node.outputSchema ? node.outputSchema : {};
      Object.defineProperty(properties, written, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return { ...graph.stateSchema, properties };
}

function checkStateReferences(
  graph: WorkflowGraph,
  nodeObjects: Map<string, Record<string, unknown>>,
  context: LoweringContext,
  scope: GraphScope,
): void {
  const schema = scope.stateSchema();
  if (!schema) return;
  const elementNames = context.mapElementNames.get(graph.name) ?? [];
  const known = [...(stateFieldNames(schema) ?? []), ...elementNames];
  for (const node of graph.nodes()) {
    const object = nodeObjects.get(node.id)!;
    for (const field of ["prompt", "system"] as const) {
      const template = (node as unknown as Record<string, unknown>)[field];
      if (typeof template !== "string") continue;
      const [owner, key] = locateField(
        object,
        field === "system" ? ["system", "system_message", "system_prompt"] : ["prompt", "prompt_template"],
      );
      for (const variable of templateVariables(template)) {
        const path = withoutStatePrefix(variable.path, schema);
        if (elementNames.includes(path[0]) || schemaAtPath(schema, path) !== undefined) continue;
        const loc = owner ? context.document.inString(owner, key, variable.offset + 1) : node.loc;
        context.report(diagnostics.templateVariableNotInState(path.join("."), node.id, known, loc));
      }
    }
    if (node.kind === "map" && node.over) {
      const over = schemaAtPath(schema, withoutStatePrefix(node.over.split("."), schema));
      const loc = context.document.at(object, "over" in object ? "over" : "items");
      if (over === undefined) context.report(diagnostics.unknownStateField(node.over, known, loc));
      else if (over.type !== undefined && over.type !== "array")
        context.report(diagnostics.mapOverNonList(node.id, node.over, loc));
    }
  }
}

/** Finds which object (the node or its `config`) holds one of the keys, for precise locations. */
function locateField(object: Record<string, unknown>, keys: string[]): [Record<string, unknown> | undefined, string] {
  for (const key of keys) if (typeof object[key] === "string") return [object, key];
  const config = object.config;
  if (isRecord(config)) for (const key of keys) if (typeof config[key] === "string") return [config, key];
  return [undefined, keys[0]];
}
