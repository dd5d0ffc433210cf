// OpenAI-compatible chat completions over undici with a keep-alive connection pool: vLLM, SGLang, NVIDIA Dynamo,
// OpenAI and any compatible server. Dynamo requests carry `nvext.agent_hints` and never a top-level `request_id`.
import { Agent, request as httpRequest } from "undici";
import {
  BackendError,
  isRetryableStatus,
  retryAfterMs,
  type KvCacheReading,
  type ModelBackend,
} from "../../runtime/backend.js";
import type { ChatRequest, ChatResult, RequestHints } from "../../runtime/chat.js";
import { engineHintFields, fromWireResponse, toWireRequest } from "./wire.js";
import { parsePrometheusText } from "./prometheus.js";
import { streamCompletion, streamingClient } from "./stream.js";
import { missingKey, preflightFailure } from "../preflight.js";
import { BackendUnusableError } from "../../util/user-errors.js";

export type EngineFlavor = "openai" | "vllm" | "sglang" | "dynamo" | "http";

export interface OpenAICompatibleOptions {
  /** Base URL ending in `/v1`. */
  baseUrl: string;
  apiKey?: string;
  flavor: EngineFlavor;
  /** Connections kept open to the server (requests beyond wait in undici's queue). */
  connections: number;
  /** undici's header and body timeouts, ms; default none: the runtime gives every attempt its time limit. */
  timeoutMs?: number;
  /** vLLM runs with `--scheduling-policy priority` (`vllm://HOST?scheduling-policy=priority`): send priorities. */
  vllmPriority?: boolean;
}

/** How long the preflight waits for the models endpoint before calling the server unreachable. */
const PREFLIGHT_TIMEOUT_MS = 15_000;
/** How long the end-of-run metrics read waits for `/metrics`. */
const METRICS_TIMEOUT_MS = 5000;

/** Engines that reuse an in-flight request's prefill for later requests with the same prefix. */
const SHARES_INFLIGHT_PREFIXES: ReadonlySet<EngineFlavor> = new Set(["vllm", "sglang", "dynamo"]);

export class OpenAICompatibleBackend implements ModelBackend {
  readonly kind: string;
  readonly sharesInflightPrefixes: boolean;
  readonly keyEnv: string;
  private readonly dispatcher: Agent;
  private streamer?: ReturnType<typeof streamingClient>;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.kind = options.flavor;
    this.sharesInflightPrefixes = SHARES_INFLIGHT_PREFIXES.has(options.flavor);
    this.keyEnv = options.flavor === "openai" ? "OPENAI_API_KEY" : "NEXUS_API_KEY";
    this.dispatcher = new Agent({
      connections: options.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs ?? 0,
      bodyTimeout: options.timeoutMs ?? 0,
    });
  }

  private extraFields(hints: RequestHints): Record<string, unknown> {
    return engineHintFields(this.options.flavor, hints, this.options.vllmPriority);
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }

  /** GET on the API, for the preflight: status and parsed body (undefined when it is not JSON). */
  private async get(path: string): Promise<{ status: number; body: unknown; text: string }> {
    const response = await httpRequest(`${this.options.baseUrl}${path}`, {
      headers: this.headers(),
      dispatcher: this.dispatcher,
      signal: AbortSignal.timeout(PREFLIGHT_TIMEOUT_MS),
    });
    const text = await response.body.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, body, text };
  }

  /**
   * `GET /models` (every OpenAI-compatible engine has it): a refused connection or key stops the run before its
   * first item, and so does a model the server neither lists nor finds (`GET /models/{id}`, which OpenAI answers
   * and vLLM does not have). A server without a models endpoint, or a passing error, is not checked further.
   */
  async preflight(models: string[]): Promise<void> {
    const where = this.options.baseUrl;
    if (this.options.flavor === "openai" && !this.options.apiKey) throw missingKey("openai://", this.keyEnv);
    let listing;
    try {
      listing = await this.get("/models");
    } catch (error) {
      throw preflightFailure(error, where, this.keyEnv, undefined, undefined)!;
    }
    if (listing.status === 401 || listing.status === 403)
      throw preflightFailure(new Error(listing.text.slice(0, 200)), where, this.keyEnv, undefined, listing.status)!;
    const data = (listing.body as { data?: unknown } | undefined)?.data;
    if (listing.status !== 200 || !Array.isArray(data)) return;
    const served = data.map((entry) => (entry as { id?: unknown }).id).filter((id) => typeof id === "string");
    for (const model of models) {
      if (served.includes(model)) continue;
      let found;
      try {
        found = await this.get(`/models/${encodeURIComponent(model)}`);
      } catch {
        continue;
      }
      if (found.status === 200 || (found.status !== 404 && found.status !== 405)) continue;
      throw new BackendUnusableError(
        `${where} does not serve model '${model}' (it serves ${served.map((id) => `'${id}'`).join(", ") || "none"})`,
        served.length
          ? `name a model it serves, or map it: --model-map ${model}=${served[0]}`
          : "start the server with the model",
      );
    }
  }

  async complete(request: ChatRequest, hints: RequestHints): Promise<ChatResult> {
    const headers = this.headers();
    let response;
    try {
      response = await httpRequest(`${this.options.baseUrl}/chat/completions`, {
        method: "POST",
        headers,
        body: JSON.stringify(toWireRequest(request, this.extraFields(hints))),
        dispatcher: this.dispatcher,
        signal: hints.signal,
      });
    } catch (error) {
      if (hints.signal?.aborted) throw error;
      throw new BackendError(`cannot reach ${this.options.baseUrl}: ${(error as Error).message}`, undefined, true);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      // The connection closed (or stalled past the time limit) mid-answer: the request may go again.
      if (hints.signal?.aborted) throw error;
      throw new BackendError(
        `${this.options.baseUrl} closed the connection while answering (${response.statusCode}): ${(error as Error).message}`,
        response.statusCode >= 400 ? response.statusCode : undefined,
        response.statusCode < 400 || isRetryableStatus(response.statusCode),
      );
    }
    if (response.statusCode >= 400) {
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      throw new BackendError(
        `${this.options.baseUrl} answered ${response.statusCode}: ${text.slice(0, 500)}`,
        response.statusCode,
        isRetryableStatus(response.statusCode),
        retryAfterMs({ get: header }),
      );
    }
    try {
      return fromWireResponse(JSON.parse(text));
    } catch (error) {
      throw new BackendError(
        `unreadable response from ${this.options.baseUrl}: ${(error as Error).message}`,
        response.statusCode,
        true,
      );
    }
  }

  /** Answers with server-sent events (`stream: true`), handing on each text delta as it arrives. */
  stream(request: ChatRequest, hints: RequestHints, onDelta: (text: string) => void): Promise<ChatResult> {
    this.streamer ??= streamingClient(this.options.baseUrl, this.options.apiKey);
    return streamCompletion(this.streamer, toWireRequest(request, this.extraFields(hints)), hints.signal, onDelta);
  }

  /**
   * KV usage from `/metrics`: vLLM's `vllm:kv_cache_usage_perc` (or SGLang's `sglang:token_usage`), and the
   * capacity from the labels of `vllm:cache_config_info` (num_gpu_blocks x block_size) when the engine writes them.
   */
  async kvCache(): Promise<KvCacheReading | undefined> {
    const text = await this.metricsText();
    if (text === undefined) return undefined;
    const metrics = parsePrometheusText(text);
    const usage = metrics["vllm:kv_cache_usage_perc"] ?? metrics["sglang:token_usage"];
    if (usage === undefined) return undefined;
    const info = /^vllm:cache_config_info\{([^}]*)\}/m.exec(text)?.[1] ?? "";
    const label = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(info)?.[1]);
    const capacityTokens = label("num_gpu_blocks") * label("block_size");
    const waiting = metrics["vllm:num_requests_waiting"] ?? metrics["sglang:num_queue_reqs"];
    return { usage, waiting, ...(Number.isFinite(capacityTokens) && capacityTokens > 0 ? { capacityTokens } : {}) };
  }

  /** Engine metrics from `/metrics` (vLLM/SGLang), keyed by metric name; empty when the server has none. */
  async metrics(): Promise<Record<string, number>> {
    const text = await this.metricsText();
    return text === undefined ? {} : parsePrometheusText(text);
  }

  /** The text of `/metrics`, or undefined when the server has none. */
  private async metricsText(): Promise<string | undefined> {
    if (this.options.flavor === "openai") return undefined;
    try {
      const origin = new URL(this.options.baseUrl).origin;
      const response = await httpRequest(`${origin}/metrics`, {
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(METRICS_TIMEOUT_MS),
      });
      const text = await response.body.text();
      return response.statusCode === 200 ? text : undefined;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
