// Builds the first chat request a model-calling node sends for one item: system prompt, the rendered prompt
// template, tool definitions and the output schema. The layout (static parts first) is the one the optimizer
// analysed, so what the cache key promises is what the engine sees.
import { readPath } from "../expr/index.js";
import { parseTemplate, renderTemplate, type TemplatePart } from "../ir/template.js";
import type { JsonSchema, LlmNode, RouterNode } from "../ir/types.js";
import type { Workflow } from "../ir/workflow.js";
import type { ChatMessage, ChatRequest, ChatToolDefinition } from "./chat.js";

/** Per-node parts computed once per run, reused for every item. */
export interface RequestPlan {
  model: string;
  system?: string;
  promptParts: TemplatePart[];
  tools: ChatToolDefinition[];
  responseSchema?: { name: string; schema: JsonSchema };
  maxTokens?: number;
  temperature?: number;
}

/** The model name sent on the wire: a model URI's path (`openai://gpt-4o-mini` -> `gpt-4o-mini`). */
export function wireModelName(model: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/i.exec(model);
  return match ? match[1] : model;
}

/** The JSON Schema a model router answers with: one of its routes. */
export function routeChoiceSchema(routes: string[]): JsonSchema {
  return {
    type: "object",
    properties: { route: { type: "string", enum: routes } },
    required: ["route"],
    additionalProperties: false,
  };
}

function defaultRouterPrompt(node: RouterNode): string {
  return `Choose exactly one route for this input: ${node.routes.join(", ")}.\nInput:\n{__input}`;
}

export function planRequest(node: LlmNode | RouterNode, workflow: Workflow): RequestPlan {
  if (node.kind === "router") {
    const choosing = node.routes.length > 0;
    return {
      model: wireModelName(node.model ?? ""),
      system: node.system,
      promptParts: parseTemplate(node.prompt ?? (choosing ? defaultRouterPrompt(node) : "{__input}")),
      tools: [],
      responseSchema: choosing ? { name: "route_choice", schema: routeChoiceSchema(node.routes) } : undefined,
      maxTokens: node.maxTokens,
      temperature: node.temperature,
    };
  }
  const tools = node.tools.map((name) => {
    const tool = workflow.tool(name);
    return {
      name,
      description: tool?.description,
      parameters: tool?.inputSchema ?? { type: "object", properties: {} },
    };
  });
  return {
    model: wireModelName(node.model),
    system: node.system,
    promptParts: parseTemplate(node.prompt ?? "{__input}"),
    tools,
    responseSchema: node.outputSchema ? { name: `${node.id}_output`, schema: node.outputSchema } : undefined,
    maxTokens: node.maxTokens,
    temperature: node.temperature,
  };
}

/** The item's input as text, for nodes without a prompt template (`{__input}`). */
function inputText(state: Record<string, unknown>): string {
  return JSON.stringify(state);
}

export function renderRequest(plan: RequestPlan, state: Record<string, unknown>): ChatRequest {
  const messages: ChatMessage[] = [];
  if (plan.system) messages.push({ role: "system", content: plan.system });
  const user = renderTemplate(plan.promptParts, (path) =>
    path[0] === "__input" ? inputText(state) : readPath(state, path),
  );
  messages.push({ role: "user", content: user });
  const request: ChatRequest = { model: plan.model, messages };
  if (plan.tools.length) request.tools = plan.tools;
  if (plan.responseSchema) request.responseSchema = plan.responseSchema;
  if (plan.maxTokens !== undefined) request.maxTokens = plan.maxTokens;
  if (plan.temperature !== undefined) request.temperature = plan.temperature;
  return request;
}
