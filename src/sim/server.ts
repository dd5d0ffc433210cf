// startSimServer: one node:http server (127.0.0.1 by default) serving the simulated engine (OpenAI-compatible,
// SGLang, Dynamo flavours), the Anthropic Messages + Message Batches emulator and the OpenAI Files + Batch
// emulator on the same port, plus /metrics and the /sim/* control endpoints.

import { createServer } from "node:http";
import { AnthropicBatches } from "./anthropic-batches.js";
import { AnthropicMessages } from "./anthropic-messages.js";
import { AnthropicPromptCache, defaultMinCacheableTokens } from "./anthropic-prompt-cache.js";
import { resolveBatchOptions, type BatchOptions } from "./batch-common.js";
import { SimEngine, type SimEngineOptions } from "./engine.js";
import { registerEngineRoutes } from "./engine-routes.js";
import { notFound } from "./errors.js";
import { sendJson } from "./http-util.js";
import { OpenAIBatches } from "./openai-batches.js";
import { OpenAIFiles } from "./openai-files.js";
import { Router } from "./router.js";
import { listen } from "../util/listen.js";

export interface SimServerOptions extends SimEngineOptions, BatchOptions {
  /** Port to listen on; 0 (default) picks a free port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Anthropic minimum cacheable prompt length (default 1024 tokens; 2048 for haiku models). */
  anthropicMinCacheTokens?: number;
}

export interface SimServer {
  /** Base URL, e.g. http://127.0.0.1:8000 (OpenAI clients use url + "/v1", Anthropic clients use url). */
  url: string;
  port: number;
  engine: SimEngine;
  close(): Promise<void>;
}

export async function startSimServer(options: SimServerOptions = {}): Promise<SimServer> {
  const engine = new SimEngine(options);
  const batchOptions = resolveBatchOptions(options);
  const min = options.anthropicMinCacheTokens;
  const promptCache = new AnthropicPromptCache(engine.clock, min === undefined ? defaultMinCacheableTokens : () => min);
  const messages = new AnthropicMessages(engine, promptCache);
  const anthropicBatches = new AnthropicBatches(engine, messages, batchOptions);
  const files = new OpenAIFiles(engine);
  const openaiBatches = new OpenAIBatches(engine, files, batchOptions);

  const router = new Router();
  router.onRequest = (route) => engine.recorder.endpoint(route);
  registerEngineRoutes(router, engine, () => {
    promptCache.clear();
    openaiBatches.resetCache();
  });
  messages.register(router);
  anthropicBatches.register(router);
  files.register(router);
  openaiBatches.register(router);
  router.add("POST /sim/batches/:id/expire", (ctx) => {
    const id = ctx.params.id;
    if (!anthropicBatches.expire(id) && !openaiBatches.expire(id)) throw notFound(`no batch ${id}`);
    sendJson(ctx.res, 200, { id, expired: true });
  });

  const server = createServer((req, res) => void router.handle(req, res));
  server.keepAliveTimeout = 30_000;
  const { port, url } = await listen(server, options.port, options.host);
  return {
    url,
    port,
    engine,
    close: () =>
      new Promise<void>((resolve) => {
        engine.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
