// The build-time decision for a reduce that calls a model (a synthesis): single or hierarchical, from the token
// estimate of the list it reads. One function, called by the cost-estimate pass (which records it in the `reduce`
// annotation, `recordReducePlans`) and by the runtime for an IR built without that pass, so every -O level reduces
// alike.
//  - elements: the `maxItems` of the schema that produces the map's list (a planner's structured output), else the
//    node's `max_items`, else DEFAULT_ELEMENTS;
//  - tokens per element: the longest answer of the map body's model nodes (`max_tokens`), else DEFAULT_ELEMENT_TOKENS;
//  - prompt: the node's system and prompt text; the answer's room: its `max_tokens`, else DEFAULT_ANSWER_TOKENS;
//  - context: the node's `context_tokens`, else the model's window (src/models/context-window.ts).
import { reduceAnnotation, type ReduceDecision } from "../../ir/annotations/reduce.js";
import type { PassContext } from "../../pass-manager/pass.js";
import type { JsonSchema, LlmNode } from "../../ir/types.js";
import type { Workflow, WorkflowGraph } from "../../ir/workflow.js";
import { contextWindowOf } from "../../models/context-window.js";
import { countTokens } from "../../prompt/tokenizer.js";

export const DEFAULT_ELEMENTS = 32;
export const DEFAULT_ELEMENT_TOKENS = 256;
export const DEFAULT_ANSWER_TOKENS = 512;
/** Tokens of the separators and brackets around each element as the list is rendered. */
const PER_ELEMENT_OVERHEAD = 4;

/** The schema at `path` below an object schema, if the schema says. */
function schemaAt(schema: JsonSchema | undefined, path: string[]): JsonSchema | undefined {
  let current = schema;
  for (const key of path) {
    const properties = current?.properties as Record<string, JsonSchema> | undefined;
    current = properties?.[key];
  }
  return current;
}

/** The map node (of `graph`) whose output is `field`, with the `maxItems` of the list it maps over. */
function mapProducing(graph: WorkflowGraph, field: string) {
  for (const node of graph.nodes()) {
    if (node.kind !== "map" || node.output !== field) continue;
    const [head, ...rest] = node.over.split(".");
    const producer = graph.nodes().find((n) => n.kind === "llm" && (n.output ?? n.id) === head) as LlmNode | undefined;
    const maxItems = schemaAt(producer?.outputSchema, rest)?.maxItems;
    return { map: node, maxItems: typeof maxItems === "number" && maxItems > 0 ? maxItems : undefined };
  }
  return undefined;
}

function longestAnswer(workflow: Workflow, body: string): number | undefined {
  const graph = workflow.graphByName(body);
  const lengths = (graph?.nodes() ?? []).flatMap((n) => (n.kind === "llm" && n.maxTokens ? [n.maxTokens] : []));
  return lengths.length ? Math.max(...lengths) : undefined;
}

export function decideReduce(workflow: Workflow, graph: WorkflowGraph, node: LlmNode): ReduceDecision {
  const reduce = node.reduce!;
  const producing = mapProducing(graph, reduce.input.split(".")[0]);
  const [elements, elementsSource] = producing?.maxItems
    ? [producing.maxItems, "producer-max-items" as const]
    : reduce.maxItems
      ? [reduce.maxItems, "node-max-items" as const]
      : [DEFAULT_ELEMENTS, "default" as const];
  const tokensPerElement =
    (producing ? longestAnswer(workflow, producing.map.body) : undefined) ?? DEFAULT_ELEMENT_TOKENS;
  const promptTokens = countTokens(`${node.system ?? ""}\n${node.prompt ?? ""}`);
  const contextTokens = reduce.contextTokens ?? contextWindowOf(node.model ?? "");
  const perElement = tokensPerElement + PER_ELEMENT_OVERHEAD;
  const estimatedListTokens = elements * perElement;
  const room = contextTokens - promptTokens - (node.maxTokens ?? DEFAULT_ANSWER_TOKENS);
  const fits = estimatedListTokens <= room;
  return {
    mode: fits ? "single" : "hierarchical",
    estimatedListTokens,
    elements,
    elementsSource,
    tokensPerElement,
    promptTokens,
    contextTokens,
    chunkItems: fits ? elements : Math.max(2, Math.floor(room / perElement)),
  };
}

/** Model calls of one synthesis as decided: 1, or every level's chunks and the last call over the partials. */
export function synthesisCalls(decision: ReduceDecision): number {
  let calls = 0;
  let list = decision.elements;
  while (list > decision.chunkItems) {
    list = Math.ceil(list / decision.chunkItems);
    calls += list;
  }
  return calls + 1;
}

/** Records the decision of every reduce that calls a model in the `reduce` annotation. */
export function recordReducePlans(ir: Workflow, context: PassContext): void {
  for (const { graph, node } of ir.allNodes()) {
    if (node.kind !== "llm" || !node.reduce) continue;
    const decision = decideReduce(ir, graph, node);
    graph.annotations.set(reduceAnnotation, node.id, decision);
    context.stat(decision.mode === "single" ? "reduces-single" : "reduces-hierarchical");
  }
}
