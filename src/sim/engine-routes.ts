// HTTP routes of the simulated engine: OpenAI-compatible /v1/chat/completions (+SSE), /v1/completions, /v1/embeddings,
// /v1/models, SGLang /generate and /flush_cache, Prometheus /metrics, /health, and the simulator's own
// /sim/stats and /sim/reset.

import type { SimEngine } from "./engine.js";
import { isRecord } from "./errors.js";
import { SseWriter, sendJson, sendText } from "./http-util.js";
import { streamChatCompletion } from "./openai-stream.js";
import type { Router } from "./router.js";
import { registerModelRoutes } from "./model-routes.js";
import { embeddingsResponse, type EmbeddingCounts } from "./embeddings.js";

export function registerEngineRoutes(router: Router, engine: SimEngine, onReset: () => void): void {
  registerModelRoutes(router, engine);
  const embeddings: EmbeddingCounts = { embeddingRequests: 0, embeddingInputs: 0 };
  router.add("POST /v1/embeddings", async (ctx) => {
    sendJson(
      ctx.res,
      200,
      embeddingsResponse(await ctx.json(), (model) => engine.serves(model), embeddings),
    );
  });
  router.add("POST /v1/chat/completions", async (ctx) => {
    const body = await ctx.json();
    if (isRecord(body) && body.stream === true) return streamChatCompletion(engine, body, ctx);
    sendJson(ctx.res, 200, await engine.chatCompletion(body, { signal: ctx.signal }));
  });

  router.add("POST /v1/completions", async (ctx) => {
    const body = await ctx.json();
    const result = await engine.completion(body, { signal: ctx.signal });
    if (!(isRecord(body) && body.stream === true)) return sendJson(ctx.res, 200, result);
    // Streaming legacy completions: the text arrives as one chunk per choice once generated.
    const sse = new SseWriter(ctx.res);
    for (const choice of result.choices) sse.data({ ...result, choices: [choice], usage: null });
    sse.data("[DONE]");
    sse.end();
  });

  router.add("POST /generate", async (ctx) => {
    sendJson(ctx.res, 200, await engine.generate(await ctx.json(), { signal: ctx.signal }));
  });

  const flush: Parameters<Router["add"]>[1] = (ctx) => {
    if (engine.flushCache())
      sendText(
        ctx.res,
        200,
        "Cache flushed.\nPlease check backend logs for more details. (When there are running or waiting requests, the operation will not be performed.)\n",
      );
    else sendText(ctx.res, 400, "Cache not flushed: there are running or waiting requests.\n");
  };
  router.add("POST /flush_cache", flush);
  router.add("GET /flush_cache", flush);

  router.add("GET /metrics", (ctx) =>
    sendText(ctx.res, 200, engine.metrics(), "text/plain; version=0.0.4; charset=utf-8"),
  );
  router.add("GET /health", (ctx) => sendText(ctx.res, 200, ""));
  router.add("GET /sim/stats", (ctx) => sendJson(ctx.res, 200, { ...engine.stats(), ...embeddings }));
  router.add("POST /sim/reset", (ctx) => {
    engine.reset();
    onReset();
    embeddings.embeddingRequests = embeddings.embeddingInputs = 0;
    sendJson(ctx.res, 200, { ...engine.stats(), ...embeddings });
  });
}
