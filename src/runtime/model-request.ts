// The runtime's side of request assembly: the compiler's request plan (src/prompt, the same plan the optimizer
// analysed, so what the cache key promises is what the engine sees) rendered for one item and translated to the
// runtime's ChatRequest. A model router additionally asks for a structured choice among its routes.
import { renderRequest as renderWireRequest, type RequestPlan } from "../prompt/assemble-request.js";
import type { JsonSchema, LlmNode, RouterNode } from "../ir/types.js";
import type { ChatRequest } from "./chat.js";

export type { RequestPlan } from "../prompt/assemble-request.js";

/** The JSON Schema a model router answers with: one of its routes. */
export function routeChoiceSchema(routes: string[]): JsonSchema {
  return {
    type: "object",
    properties: { route: { type: "string", enum: routes } },
    required: ["route"],
    additionalProperties: false,
  };
}

export function renderRequest(
  plan: RequestPlan,
  node: LlmNode | RouterNode,
  state: Record<string, unknown>,
): ChatRequest {
  const wire = renderWireRequest(plan, state);
  const request: ChatRequest = {
    model: wire.model,
    messages: wire.messages.map((m) => ({ role: m.role, content: m.content })),
  };
  if (wire.tools?.length) {
    request.tools = wire.tools.map((t) => ({
      name: t.function.name,
      description: t.function.description,
      parameters: t.function.parameters,
    }));
  }
  if (wire.response_format) {
    request.responseSchema = {
      name: wire.response_format.json_schema.name,
      schema: wire.response_format.json_schema.schema,
    };
  } else if (node.kind === "router" && node.routes.length > 0) {
    request.responseSchema = { name: "route_choice", schema: routeChoiceSchema(node.routes) };
  }
  if (wire.max_tokens !== undefined) request.maxTokens = wire.max_tokens;
  if (wire.temperature !== undefined) request.temperature = wire.temperature;
  return request;
}
