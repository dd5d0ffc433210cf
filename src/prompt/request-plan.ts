// The request plan of a model-calling node: the request it sends for every item, with each piece marked static
// text or a per-item variable, and where it came from (the user's system prompt or prompt, or an instruction Nexus
// adds). It is built once at compile time; `renderRequest` fills it from an item's state at run time, and the prompt
// analysis splits it into the static prefix and the per-item part. The user's words are never rewritten: layout
// only decides where Nexus's own instructions go, and that is one rule (`requestLayout`), the same at every `-O`
// level, so optimization never changes what the model is asked.
import type { ToolDefinition, WorkflowNode } from "../ir/types.js";
import { parseTemplate } from "../ir/template.js";
import { parseModelUri } from "../models/model-uri.js";
import { canonicalJson } from "../util/canonical-json.js";
import type { ChatToolDefinition, ResponseSchema } from "./chat-request.js";
import { outputSchemaInstruction, routeChoiceSchema, routeInstruction } from "./instructions.js";

/** How the whole item state appears where a node has no prompt (`$` cannot start a template variable's name). */
export const ITEM_STATE_VARIABLE = "{$state}";

export type SegmentOrigin = "system" | "output-schema instruction" | "route instruction" | "prompt" | "item state";

/** A piece of a message: literal text, or a value from the item's state (`path: []` is the whole state as JSON). */
export type PlanSegment =
  | { type: "text"; text: string; origin: SegmentOrigin }
  | { type: "variable"; path: string[]; source: string; origin: SegmentOrigin };

export interface PlanMessage {
  role: "system" | "user";
  segments: PlanSegment[];
}

import type { InstructionPlacement } from "../ir/annotations/prefix.js";
export { INSTRUCTION_PLACEMENTS, type InstructionPlacement } from "../ir/annotations/prefix.js";

/** A tool the node offers, with its description and canonical parameter schema (shared by the plans of many nodes). */
export type PlanTool = ChatToolDefinition & { description: string };

/** The schema the answer must satisfy, and the instruction of Nexus's that asks for it (in the messages too). */
export type PlanResponseSchema = ResponseSchema & {
  origin: Extract<SegmentOrigin, "output-schema instruction" | "route instruction">;
};

export interface RequestPlan {
  nodeId: string;
  /** The model as written (`ollama://qwen3:8b`); picks the backend. */
  modelUri: string;
  /** The model name sent in the request body. */
  modelName: string;
  messages: PlanMessage[];
  tools: PlanTool[];
  responseSchema?: PlanResponseSchema;
  temperature?: number;
  maxTokens?: number;
  placement: InstructionPlacement;
}

/** The nodes that call a model: `llm` nodes and routers with `strategy: llm`. */
export function isModelCalling(node: WorkflowNode): node is Extract<WorkflowNode, { kind: "llm" | "router" }> {
  return node.kind === "llm" || (node.kind === "router" && node.strategy === "llm" && node.model !== undefined);
}

/** A JSON value with keys in canonical order, so serialized requests are byte-stable. */
function canonicalObject<T>(value: T): T {
  return JSON.parse(canonicalJson(value)) as T;
}

/** Canonical copies of output schemas, made once per schema object (nodes are planned several times per build). */
const canonicalSchemas = new WeakMap<object, Record<string, unknown>>();

function canonicalSchema(schema: Record<string, unknown>): Record<string, unknown> {
  let canonical = canonicalSchemas.get(schema);
  if (!canonical) canonicalSchemas.set(schema, (canonical = canonicalObject(schema)));
  return canonical;
}

function planTool(tool: ToolDefinition | undefined, name: string): PlanTool {
  const parameters = tool?.inputSchema ?? { type: "object", properties: {} };
  return { name, description: tool?.description ?? "", parameters: canonicalObject(parameters) };
}

/** Resolves tool names to chat tool definitions, building each once: the plans of many nodes share them. */
export function chatToolResolver(lookup: (name: string) => ToolDefinition | undefined): (name: string) => PlanTool {
  const built = new Map<string, PlanTool>();
  return (name) => {
    let tool = built.get(name);
    if (!tool) built.set(name, (tool = planTool(lookup(name), name)));
    return tool;
  };
}

function templateSegments(template: string, origin: SegmentOrigin): PlanSegment[] {
  return parseTemplate(template).map((part) =>
    part.type === "text"
      ? { type: "text", text: part.text, origin }
      : { type: "variable", path: part.path, source: part.source, origin },
  );
}

function instructionSegments(node: Extract<WorkflowNode, { kind: "llm" | "router" }>): PlanSegment[] {
  const segments: PlanSegment[] = [];
  if (node.kind === "llm" && node.outputSchema) {
    segments.push({
      type: "text",
      text: outputSchemaInstruction(node.outputSchema),
      origin: "output-schema instruction",
    });
  }
  if (node.kind === "router" && node.routes.length > 0) {
    segments.push({ type: "text", text: routeInstruction(node.routes), origin: "route instruction" });
  }
  return segments;
}

/** `a`, then `b`, with a blank line between when both have content; the blank line belongs to Nexus's block. */
function joinBlocks(a: PlanSegment[], b: PlanSegment[], separatorOrigin: SegmentOrigin): PlanSegment[] {
  if (a.length === 0 || b.length === 0) return [...a, ...b];
  return [...a, { type: "text", text: "\n\n", origin: separatorOrigin }, ...b];
}

/** True when the template has a per-item variable. */
function hasVariable(template: string | undefined): boolean {
  return template !== undefined && parseTemplate(template).some((part) => part.type === "variable");
}

/**
 * Where a node's requests put Nexus's instructions: the layout with the longest prefix shared by every item. In the
 * system message after the user's system prompt (ahead of the prompt's variables); before it when the system prompt
 * itself holds a per-item variable, so the instructions stay ahead of every variable. The user's words keep their
 * order either way. (`after-prompt`, appending them to the prompt, is never longer: prefix-layout reports it only as
 * the baseline of what the layout gains.)
 */
export function requestLayout(node: Extract<WorkflowNode, { kind: "llm" | "router" }>): InstructionPlacement {
  const hasInstructions = node.kind === "llm" ? Boolean(node.outputSchema) : node.routes.length > 0;
  return hasInstructions && hasVariable(node.system) ? "before-system" : "after-system";
}

/**
 * The request plan of a model-calling node. `tools` resolves the node's tool names (see `chatToolResolver`);
 * `placement` is `requestLayout(node)`, how every request is sent; the prompt analysis asks for others to compare.
 */
export function planRequest(
  node: Extract<WorkflowNode, { kind: "llm" | "router" }>,
  tools: (name: string) => PlanTool,
  placement: InstructionPlacement = requestLayout(node),
  backend?: string,
): RequestPlan {
  const modelUri = node.model ?? "";
  const system = node.system ? templateSegments(node.system, "system") : [];
  const instructions = instructionSegments(node);
  const prompt: PlanSegment[] = node.prompt
    ? templateSegments(node.prompt, "prompt")
    : [{ type: "variable", path: [], source: ITEM_STATE_VARIABLE, origin: "item state" }];
  const nexusOrigin = instructions[0]?.origin ?? "output-schema instruction";
  const systemSegments =
    placement === "after-system"
      ? joinBlocks(system, instructions, nexusOrigin)
      : placement === "before-system"
        ? joinBlocks(instructions, system, nexusOrigin)
        : system;
  const userSegments = placement === "after-prompt" ? joinBlocks(prompt, instructions, nexusOrigin) : prompt;
  const messages: PlanMessage[] = [];
  if (systemSegments.length > 0) messages.push({ role: "system", segments: systemSegments });
  messages.push({ role: "user", segments: userSegments });
  const plan: RequestPlan = {
    nodeId: node.id,
    modelUri,
    modelName: parseModelUri(modelUri, backend).name,
    messages,
    tools: node.kind === "llm" ? node.tools.map(tools) : [],
    placement,
  };
  if (node.kind === "llm" && node.outputSchema) {
    const name = node.id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64) || "output";
    plan.responseSchema = { name, schema: canonicalSchema(node.outputSchema), origin: "output-schema instruction" };
  } else if (node.kind === "router" && node.routes.length > 0) {
    plan.responseSchema = { name: "route_choice", schema: routeChoiceSchema(node.routes), origin: "route instruction" };
  }
  if (node.temperature !== undefined) plan.temperature = node.temperature;
  if (node.maxTokens !== undefined) plan.maxTokens = node.maxTokens;
  return plan;
}
