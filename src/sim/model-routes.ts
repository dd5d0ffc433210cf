// The models endpoints, as each API serves them on the same paths: OpenAI/vLLM `GET /v1/models` (a list) and
// `GET /v1/models/{id}` (OpenAI's retrieve; vLLM has none), and Anthropic's `GET /v1/models` and
// `GET /v1/models/{id}` (its own shapes, an API key required). Anthropic SDK requests are told apart by their
// `anthropic-version` header. What is listed and found follows SimEngineOptions.servedModels.

import { checkAnthropicHeaders } from "./anthropic-messages.js";
import type { SimEngine } from "./engine.js";
import { SimHttpError } from "./errors.js";
import { sendError, sendJson } from "./http-util.js";
import type { RouteContext, Router } from "./router.js";

const OWNER = { vllm: "vllm", sglang: "sglang", dynamo: "nvidia" } as const;

function isAnthropic(ctx: RouteContext): boolean {
  return ctx.req.headers["anthropic-version"] !== undefined;
}

function openAIModel(engine: SimEngine, id: string) {
  return {
    id,
    object: "model",
    created: engine.clock.epochSeconds(0),
    owned_by: OWNER[engine.mode],
    max_model_len: engine.profile.maxModelLen,
  };
}

function anthropicModel(engine: SimEngine, id: string) {
  return {
    type: "model",
    id,
    display_name: id,
    created_at: new Date(engine.clock.epochSeconds(0) * 1000).toISOString(),
  };
}

/** Errors in the shape of the API that asked. */
function styled(handler: (ctx: RouteContext) => void) {
  return (ctx: RouteContext) => {
    try {
      handler(ctx);
    } catch (error) {
      sendError(ctx.res, error, isAnthropic(ctx) ? "anthropic" : "openai");
    }
  };
}

export function registerModelRoutes(router: Router, engine: SimEngine): void {
  router.add(
    "GET /v1/models",
    styled((ctx) => {
      const ids = engine.listedModels();
      if (!isAnthropic(ctx))
        return sendJson(ctx.res, 200, { object: "list", data: ids.map((id) => openAIModel(engine, id)) });
      checkAnthropicHeaders(ctx);
      sendJson(ctx.res, 200, {
        data: ids.map((id) => anthropicModel(engine, id)),
        has_more: false,
        first_id: ids[0] ?? null,
        last_id: ids.at(-1) ?? null,
      });
    }),
  );

  router.add(
    "GET /v1/models/:id",
    styled((ctx) => {
      const id = ctx.params.id;
      if (isAnthropic(ctx)) {
        checkAnthropicHeaders(ctx);
        if (!engine.serves(id)) throw new SimHttpError(404, "not_found_error", `model: ${id}`);
        return sendJson(ctx.res, 200, anthropicModel(engine, id));
      }
      if (!engine.serves(id))
        throw new SimHttpError(
          404,
          "invalid_request_error",
          `The model '${id}' does not exist`,
          "model",
          "model_not_found",
        );
      sendJson(ctx.res, 200, openAIModel(engine, id));
    }),
  );
}
