// startGateway: an HTTP server that speaks OpenAI chat completions (`POST /v1/chat/completions`, streaming too) and
// Anthropic Messages (`POST /v1/messages`) and sends every request through the process's shared accumulator for
// one backend, so independent client processes are batched, prefix-ordered and warmed together; on a provider Batch
// API backend their requests are held into provider batches. `/metrics` and `/nexus/stats` report per client. The
// gateway's own key (`apiKey`) is checked in constant time and never logged; no header is ever logged.
import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { sharedBackend, type SharedBackend } from "../dropins/shared-backend.js";
import { BackendError } from "../runtime/backend.js";
import { closeServer, listen } from "../util/listen.js";
import { BackendUnusableError } from "../util/user-errors.js";
import { ANTHROPIC, OPENAI, type ApiFlavor } from "./api-flavors.js";
import { BadRequest, GatewayError } from "./gateway-errors.js";
import {
  DEFAULT_BATCH_TIMEOUT_MIN_S,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_QUEUE,
  QUEUE_FULL_RETRY_AFTER_S,
  type GatewayOptions,
} from "./gateway-options.js";
import { clientName, GatewayStats, type RejectionReason } from "./gateway-stats.js";
import { metricsText } from "./metrics-text.js";

export interface Gateway {
  /** e.g. http://127.0.0.1:8080: OpenAI clients use `${url}/v1`, Anthropic clients `url`. */
  url: string;
  port: number;
  /** The `/nexus/stats` object. */
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}

export const ROUTES: Record<string, ApiFlavor> = { "/v1/chat/completions": OPENAI, "/v1/messages": ANTHROPIC };

/** The id of one answer, as each API spells its ids. */
export function answerId(flavor: ApiFlavor): string {
  return flavor.name === "openai" ? `chatcmpl-${randomUUID()}` : `msg_${randomUUID().replace(/-/g, "")}`;
}

function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new GatewayError(`request body over ${limit} bytes`, 413, "invalid_request_error"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new BadRequest("the request body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The key a client sent: `Authorization: Bearer KEY` (OpenAI) or `x-api-key: KEY` (Anthropic). */
function presentedKey(req: IncomingMessage): string | undefined {
  const authorization = header(req, "authorization");
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7);
  return header(req, "x-api-key");
}

function sameKey(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The client's own timeout, seconds: `x-nexus-timeout` or `timeout`, else `x-stainless-timeout` (which the Anthropic
 * SDK sends on every request).
 */
function clientTimeoutS(req: IncomingMessage): number | undefined {
  const value = header(req, "x-nexus-timeout") ?? header(req, "timeout") ?? header(req, "x-stainless-timeout");
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** A backend's failure as the status and message the client gets. */
export function backendFailure(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof BackendUnusableError)
    return new GatewayError(`the gateway's backend cannot serve this: ${error.message}`, 502, "api_error");
  if (error instanceof BackendError) {
    const status = error.status !== undefined && error.status >= 400 && error.status < 500 ? error.status : 502;
    const retryAfterS = error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000);
    return new GatewayError(error.message, status, status === 429 ? "rate_limit_error" : "api_error", retryAfterS);
  }
  return new GatewayError("the gateway failed to answer", 500, "api_error");
}

class GatewayServer {
  readonly stats = new GatewayStats();
  private readonly models = new Set<string>();
  private readonly maxQueue: number;
  private readonly maxBodyBytes: number;
  private readonly batchTimeoutMinS: number;

  constructor(
    private readonly options: GatewayOptions,
    readonly shared: SharedBackend,
  ) {
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.batchTimeoutMinS = options.batchTimeoutMinS ?? DEFAULT_BATCH_TIMEOUT_MIN_S;
  }

  get holdsIntoBatches(): boolean {
    return this.shared.backend.concurrency === "unbounded";
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/health") return sendJson(res, 200, { status: "ok" });
    const flavor = ROUTES[path];
    if (!this.authorized(req)) {
      this.stats.reject(clientName(header(req, "x-nexus-client"), undefined), "unauthorized");
      return this.fail(
        res,
        flavor ?? OPENAI,
        new GatewayError("missing or wrong gateway API key", 401, "authentication_error"),
      );
    }
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      return void res.end(metricsText(this.stats, this.shared.stats));
    }
    if (req.method === "GET" && path === "/nexus/stats") return sendJson(res, 200, this.snapshot());
    if (req.method === "GET" && path === "/v1/models")
      return sendJson(res, 200, {
        object: "list",
        data: [...this.models].map((id) => ({ id, object: "model", created: 0, owned_by: "nexus" })),
      });
    if (req.method !== "POST" || !flavor)
      return this.fail(res, OPENAI, new GatewayError(`no route ${req.method} ${path}`, 404, "not_found_error"));
    await this.chat(req, res, flavor);
  }

  private authorized(req: IncomingMessage): boolean {
    return this.options.apiKey === undefined || sameKey(presentedKey(req), this.options.apiKey);
  }

  private async chat(req: IncomingMessage, res: ServerResponse, flavor: ApiFlavor): Promise<void> {
    const started = performance.now();
    let client = clientName(header(req, "x-nexus-client"), undefined);
    const refuse = (reason: RejectionReason, error: GatewayError) => {
      this.stats.reject(client, reason);
      this.fail(res, flavor, error);
    };
    let body: unknown;
    try {
      body = await readBody(req, this.maxBodyBytes);
    } catch (error) {
      return refuse("bad-request", backendFailure(error));
    }
    client = clientName(header(req, "x-nexus-client"), flavor.user(body));
    let request;
    try {
      request = flavor.request(body);
    } catch (error) {
      return refuse("bad-request", backendFailure(error));
    }
    const timeoutS = clientTimeoutS(req);
    if (this.holdsIntoBatches && timeoutS !== undefined && timeoutS < this.batchTimeoutMinS)
      return refuse(
        "timeout-too-short",
        new GatewayError(
          `this gateway holds requests into provider batches, which can take up to ${this.batchTimeoutMinS} s; ` +
            `the client's timeout is ${timeoutS} s: set it to at least ${this.batchTimeoutMinS} s ` +
            `(e.g. new OpenAI({ timeout: ${this.batchTimeoutMinS * 1000} })), or use a realtime backend`,
          400,
          "timeout_too_short",
        ),
      );
    if (this.stats.inflight >= this.maxQueue)
      return refuse(
        "queue-full",
        new GatewayError(
          `the gateway holds ${this.maxQueue} requests already`,
          429,
          "rate_limit_error",
          QUEUE_FULL_RETRY_AFTER_S,
        ),
      );
    this.models.add(request.model);
    this.stats.client(client).requests++;
    this.stats.inflight++;
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort(new Error("the client went away"));
    });
    const id = answerId(flavor);
    const writer = flavor.stream(body) ? flavor.streamWriter(id, request.model, body) : undefined;
    const write = (events: [string, string][]) => {
      for (const [event, data] of events) res.write(event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`);
    };
    const openStream = (headers: Record<string, string> = {}) =>
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers });
    // Text deltas go out as the backend streams them (the headers then go with the first).
    let streamedText = false;
    const onDelta = writer
      ? (text: string, requestId: string) => {
          if (!streamedText) {
            openStream({ "x-nexus-request-id": requestId });
            write(writer.start());
            streamedText = true;
          }
          write(writer.text(text));
        }
      : undefined;
    try {
      const call = await this.shared.complete(request, { signal: abort.signal, onDelta });
      this.stats.finish(client, performance.now() - started, call.result.usage);
      const headers: Record<string, string> = { "x-nexus-request-id": call.requestId };
      if (call.batchId) headers["x-nexus-batch-id"] = call.batchId;
      if (!writer) return sendJson(res, 200, flavor.answer(id, request.model, call.result), headers);
      if (!streamedText) openStream(headers);
      write(writer.end(call.result, streamedText));
      res.end();
    } catch (error) {
      this.stats.finish(client, performance.now() - started);
      const failure = backendFailure(error);
      if (failure.status === 500) this.options.log?.(`gateway: unexpected error: ${String(error)}`);
      this.fail(res, flavor, failure);
    } finally {
      this.stats.inflight--;
    }
  }

  private fail(res: ServerResponse, flavor: ApiFlavor, error: GatewayError): void {
    if (res.headersSent) return void res.end();
    const headers: Record<string, string> = {};
    if (error.retryAfterS !== undefined) headers["retry-after"] = String(error.retryAfterS);
    sendJson(res, error.status, flavor.errorBody(error.status, error.type, error.message), headers);
  }

  snapshot(): Record<string, unknown> {
    const runtime = this.shared.stats;
    return {
      backend: this.shared.backend.kind,
      holdsIntoBatches: this.holdsIntoBatches,
      uptimeS: Math.round((Date.now() - this.stats.startedAt) / 1000),
      inflight: this.stats.inflight,
      maxQueue: this.maxQueue,
      latencyMs: this.stats.latencyMs(),
      totals: this.stats.totals(),
      rejected: this.stats.rejected,
      backendRequests: runtime.modelRequests,
      warmupRequests: runtime.warmupRequests,
      batchesFlushed: runtime.batchesFlushed,
      retries: runtime.retries,
      clients: Object.fromEntries(this.stats.clients),
      ...(this.shared.backend.report ? { backendReport: this.shared.backend.report() } : {}),
    };
  }
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return startGatewayOn(sharedBackend(options), options);
}

/** A gateway in front of a shared backend the caller made (`nexus run` on a program makes its run's own). */
export async function startGatewayOn(shared: SharedBackend, options: GatewayOptions = {}): Promise<Gateway> {
  const gateway = new GatewayServer(options, shared);
  const server = createServer((req, res) => {
    gateway.handle(req, res).catch((error: unknown) => {
      options.log?.(`gateway: unexpected error: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, OPENAI.errorBody(500, "api_error", "the gateway failed to answer"));
    });
  });
  // A request held into a provider batch may wait for hours: no server-side time limit on it.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;
  const { port, url } = await listen(server, options.port, options.host);
  return {
    url,
    port,
    stats: () => gateway.snapshot(),
    close: () => closeServer(server),
  };
}
