// OpenAI Batch API emulator: POST/GET /v1/batches, GET /v1/batches/{id}, POST /v1/batches/{id}/cancel.
// Lifecycle in simulated time: validating -> in_progress (requests finish evenly over batchLatencyMs, counts
// update as they go) -> finalizing -> completed; failed when the input file does not validate (errors.data);
// expired at the deadline; cancelling -> cancelled. Output/error JSONL files are written when the batch ends.
// Prompt caching is OpenAI-like: automatic for prompts of 1024+ tokens, in 128-token increments.

import type { Batch, BatchError } from "openai/resources/batches";
import {
  injectedFailure,
  openAIListPage,
  pageAfter,
  parseLimit,
  processedBy,
  resultLine,
  shuffled,
  type ResolvedBatchOptions,
} from "./batch-common.js";
import type { SimEngine } from "./engine.js";
import { badRequest, isRecord, notFound, SimHttpError } from "./errors.js";
import { sendJson } from "./http-util.js";
import { buildChatCompletion, chatUsage } from "./openai-chat.js";
import type { OpenAIFiles } from "./openai-files.js";
import { PrefixCache } from "./prefix-cache.js";
import type { RouteContext, Router } from "./router.js";

const MAX_REQUESTS = 50_000;
const MAX_FILE_BYTES = 200 * 1024 * 1024;
const SUPPORTED_ENDPOINTS = new Set(["/v1/chat/completions"]);
const MIN_CACHED_PROMPT = 1024;

interface InputLine {
  custom_id: string;
  body: unknown;
}

interface BatchState {
  batch: Batch;
  createdAt: number;
  lines: InputLine[];
  out: string[];
  err: string[];
  startAt: number;
  cancelAt?: number;
  expireAt: number;
  validationErrors?: BatchError[];
  tokens: { input: number; cached: number; output: number };
}

export class OpenAIBatches {
  private readonly batches: BatchState[] = []; // newest first
  private readonly cache = new PrefixCache({ blockSize: 128, capacityBlocks: 1 << 20 });

  constructor(
    private readonly engine: SimEngine,
    private readonly files: OpenAIFiles,
    private readonly options: ResolvedBatchOptions,
  ) {}

  register(router: Router): void {
    router.add("POST /v1/batches", (ctx) => this.create(ctx));
    router.add("GET /v1/batches", (ctx) => {
      const q = ctx.url.searchParams;
      const all = this.batches.map((s) => this.advance(s).batch);
      const { data, hasMore } = pageAfter(all, q.get("after"), null, parseLimit(q.get("limit"), 20, 100));
      sendJson(ctx.res, 200, openAIListPage(data, hasMore));
    });
    router.add("GET /v1/batches/:id", (ctx) => sendJson(ctx.res, 200, this.advance(this.find(ctx.params.id)).batch));
    router.add("POST /v1/batches/:id/cancel", (ctx) => this.cancel(ctx));
  }

  /** Force a batch to expire now (test control: POST /sim/batches/{id}/expire). */
  expire(id: string): boolean {
    const state = this.batches.find((s) => s.batch.id === id);
    if (!state) return false;
    this.advance(state);
    if (!isFinal(state.batch.status)) state.expireAt = Math.min(state.expireAt, this.engine.clock.now());
    this.advance(state);
    return true;
  }

  /** Clear the provider prompt cache (POST /sim/reset). */
  resetCache(): void {
    this.cache.flush();
  }

  private find(id: string): BatchState {
    const state = this.batches.find((s) => s.batch.id === id);
    if (!state) throw notFound(`No batch found with id '${id}'.`);
    return state;
  }

  private async create(ctx: RouteContext): Promise<void> {
    const body = await ctx.json();
    if (!isRecord(body)) throw badRequest("request body must be a JSON object");
    if (typeof body.input_file_id !== "string") throw badRequest("input_file_id is required", "input_file_id");
    if (typeof body.endpoint !== "string" || !SUPPORTED_ENDPOINTS.has(body.endpoint))
      throw badRequest(`endpoint must be one of: ${[...SUPPORTED_ENDPOINTS].join(", ")} (simulator)`, "endpoint");
    if (body.completion_window !== "24h") throw badRequest("completion_window must be '24h'", "completion_window");
    const metadata = body.metadata ?? null;
    if (metadata !== null) {
      if (!isRecord(metadata)) throw badRequest("metadata must be an object", "metadata");
      const entries = Object.entries(metadata);
      if (entries.length > 16) throw badRequest("metadata may contain at most 16 key-value pairs", "metadata");
      for (const [k, v] of entries)
        if (k.length > 64 || typeof v !== "string" || v.length > 512)
          throw badRequest("metadata keys must be <= 64 chars and values strings <= 512 chars", "metadata");
    }
    const file = this.files.get(body.input_file_id);
    if (file.object.purpose !== "batch")
      throw badRequest(`file ${file.object.id} was not uploaded with purpose "batch"`, "input_file_id");
    const now = this.engine.clock.now();
    const batch: Batch = {
      id: this.engine.newId("batch_"),
      object: "batch",
      endpoint: body.endpoint,
      errors: undefined,
      input_file_id: body.input_file_id,
      completion_window: "24h",
      status: "validating",
      created_at: this.engine.clock.epochSeconds(now),
      expires_at: this.engine.clock.epochSeconds(now + this.options.expireAfterMs),
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: metadata as Batch["metadata"],
    };
    const state: BatchState = {
      batch,
      createdAt: now,
      lines: [],
      out: [],
      err: [],
      startAt: now + this.options.validationMs,
      expireAt: now + this.options.expireAfterMs,
      tokens: { input: 0, cached: 0, output: 0 },
    };
    const errors = this.validate(file.content, body.endpoint, state);
    this.batches.unshift(state);
    const stats = this.engine.recorder.providers.openai;
    stats.batches++;
    if (errors.length) state.validationErrors = errors;
    else stats.batchRequests += state.lines.length;
    const o = this.options;
    this.engine.clock.after(Math.min(o.validationMs + o.batchLatencyMs + o.finalizeMs, o.expireAfterMs) + 1, () =>
      this.advance(state),
    );
    sendJson(ctx.res, 200, this.advance(state).batch);
  }

  private validate(content: Buffer, endpoint: string, state: BatchState): BatchError[] {
    if (content.length > MAX_FILE_BYTES)
      return [
        { code: "file_too_large", line: null, message: `The input file exceeds ${MAX_FILE_BYTES} bytes.`, param: null },
      ];
    const errors: BatchError[] = [];
    const seen = new Set<string>();
    let model: unknown;
    const rows = content.toString("utf8").split("\n");
    rows.forEach((text, index) => {
      if (!text.trim() || errors.length >= 100) return;
      const line = index + 1;
      let row: unknown;
      try {
        row = JSON.parse(text);
      } catch {
        errors.push({
          code: "invalid_json_line",
          line,
          message: "This line is not parseable as valid JSON.",
          param: null,
        });
        return;
      }
      if (!isRecord(row))
        return void errors.push({
          code: "invalid_json_line",
          line,
          message: "Each line must be a JSON object.",
          param: null,
        });
      if (typeof row.custom_id !== "string" || !row.custom_id)
        return void errors.push({
          code: "missing_required_parameter",
          line,
          message: "Missing required parameter: 'custom_id'.",
          param: "custom_id",
        });
      if (seen.has(row.custom_id))
        return void errors.push({
          code: "duplicate_custom_id",
          line,
          message: `The custom_id '${row.custom_id}' is duplicated; custom_id values must be unique.`,
          param: "custom_id",
        });
      seen.add(row.custom_id);
      if (row.method !== "POST")
        return void errors.push({
          code: "invalid_method",
          line,
          message: "The method must be 'POST'.",
          param: "method",
        });
      if (row.url !== endpoint)
        return void errors.push({
          code: "mismatched_endpoint",
          line,
          message: `The url '${String(row.url)}' does not match the batch endpoint '${endpoint}'.`,
          param: "url",
        });
      if (!isRecord(row.body))
        return void errors.push({
          code: "missing_required_parameter",
          line,
          message: "Missing required parameter: 'body'.",
          param: "body",
        });
      if (model !== undefined && row.body.model !== model)
        return void errors.push({
          code: "mismatched_model",
          line,
          message: "All requests in a batch must use the same model.",
          param: "body.model",
        });
      model = row.body.model;
      state.lines.push({ custom_id: row.custom_id, body: row.body });
    });
    if (!errors.length && state.lines.length === 0)
      errors.push({ code: "empty_file", line: null, message: "The input file contains no requests.", param: null });
    if (state.lines.length > MAX_REQUESTS)
      errors.push({
        code: "too_many_requests",
        line: null,
        message: `A batch may contain at most ${MAX_REQUESTS} requests.`,
        param: null,
      });
    return errors;
  }

  private cancel(ctx: RouteContext): void {
    const state = this.advance(this.find(ctx.params.id));
    if (isFinal(state.batch.status))
      throw new SimHttpError(
        409,
        "invalid_request_error",
        `Cannot cancel a batch with status '${state.batch.status}'.`,
      );
    if (state.cancelAt === undefined) {
      state.cancelAt = this.engine.clock.now();
      this.engine.clock.after(this.options.cancelLatencyMs + 1, () => this.advance(state));
    }
    sendJson(ctx.res, 200, this.advance(state).batch);
  }

  /** Move the batch along its timeline up to the current simulated time. */
  private advance(state: BatchState): BatchState {
    const b = state.batch;
    if (isFinal(b.status)) return state;
    const now = this.engine.clock.now();
    const o = this.options;
    const sec = (ms: number) => this.engine.clock.epochSeconds(ms);
    const errors = state.validationErrors;
    if (errors)
      return now < state.startAt
        ? state
        : this.end(state, "failed", { failed_at: sec(state.startAt), errors: { object: "list", data: errors } });
    if (now < state.startAt && state.cancelAt === undefined && now < state.expireAt) return state;
    const n = state.lines.length;
    const processedAt = state.startAt + o.batchLatencyMs;
    const cancelEnd = state.cancelAt === undefined ? Infinity : state.cancelAt + o.cancelLatencyMs;
    const stopAt = Math.min(processedAt + o.finalizeMs, cancelEnd, state.expireAt);
    const until = Math.min(now, stopAt);
    const due = until >= processedAt ? n : processedBy(until, state.startAt, n, o.batchLatencyMs);
    while (state.out.length + state.err.length < due)
      this.process(state, state.lines[state.out.length + state.err.length]);
    b.request_counts = { total: n, completed: state.out.length, failed: state.err.length };
    if (state.startAt <= until) {
      b.status = "in_progress";
      b.in_progress_at = sec(state.startAt);
    }
    if (state.cancelAt !== undefined) {
      b.status = "cancelling";
      b.cancelling_at = sec(state.cancelAt);
    } else if (until >= processedAt) {
      b.status = "finalizing";
      b.finalizing_at = sec(processedAt);
    }
    if (now < stopAt) return state;
    if (stopAt === cancelEnd) return this.end(state, "cancelled", { cancelled_at: sec(stopAt) }, "batch_cancelled");
    if (stopAt === state.expireAt && due < n)
      return this.end(state, "expired", { expired_at: sec(stopAt) }, "batch_expired");
    return this.end(state, "completed", { completed_at: sec(stopAt) });
  }

  private end(state: BatchState, status: Batch["status"], fields: Partial<Batch>, unfinishedCode?: string): BatchState {
    const b = state.batch;
    if (unfinishedCode) {
      const message =
        unfinishedCode === "batch_expired"
          ? "This request could not be executed before the completion window expired."
          : "This request was cancelled before it was executed.";
      for (const line of state.lines.slice(state.out.length + state.err.length))
        state.err.push(
          JSON.stringify({
            id: this.engine.newId("batch_req_"),
            custom_id: line.custom_id,
            response: null,
            error: { code: unfinishedCode, message },
          }),
        );
    }
    if (status !== "failed") {
      const file = (lines: string[], kind: string) =>
        lines.length
          ? this.files.add(
              `${b.id}_${kind}.jsonl`,
              "batch_output",
              Buffer.from(shuffled(lines, b.id + kind).join("\n") + "\n"),
            ).id
          : undefined;
      b.output_file_id = file(state.out, "output");
      b.error_file_id = file(state.err, "error");
      const t = state.tokens;
      b.usage = {
        input_tokens: t.input,
        input_tokens_details: { cached_tokens: t.cached },
        output_tokens: t.output,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: t.input + t.output,
      };
    }
    Object.assign(b, fields, { status });
    return state;
  }

  private process(state: BatchState, line: InputLine): void {
    const id = this.engine.newId("batch_req_");
    const requestId = this.engine.newId("req_");
    const failure = injectedFailure(line.custom_id, this.options);
    if (failure) {
      const status = failure === "overloaded" ? 503 : 500;
      const error = {
        message:
          failure === "overloaded" ? "The server is overloaded." : "The server had an error processing your request.",
        type: "server_error",
        param: null,
        code: null,
      };
      state.err.push(
        JSON.stringify({
          id,
          custom_id: line.custom_id,
          response: { status_code: status, request_id: requestId, body: { error } },
          error: null,
        }),
      );
      return;
    }
    try {
      const { parsed, promptTokens, outputs } = this.engine.prepareChat(line.body);
      const handle = this.cache.allocate(promptTokens);
      const cached = promptTokens.length >= MIN_CACHED_PROMPT ? handle.cachedTokens : 0;
      this.cache.append(handle, outputs[0].tokens);
      this.cache.release(handle);
      const completionTokens = outputs.reduce((n, o) => n + o.tokens.length, 0);
      const body = buildChatCompletion(
        this.engine.newId("chatcmpl-"),
        this.engine.clock.epochSeconds(),
        parsed.model,
        outputs,
        chatUsage(promptTokens.length, cached, completionTokens),
      );
      state.tokens.input += promptTokens.length;
      state.tokens.cached += cached;
      state.tokens.output += completionTokens;
      const stats = this.engine.recorder.providers.openai;
      stats.promptTokens += promptTokens.length;
      stats.cachedTokens += cached;
      stats.completionTokens += completionTokens;
      const answer = this.options.unreadableAnswerIds?.test(line.custom_id) ? { object: "chat.completion" } : body;
      state.out.push(
        resultLine(
          line.custom_id,
          JSON.stringify({
            id,
            custom_id: line.custom_id,
            response: { status_code: 200, request_id: requestId, body: answer },
            error: null,
          }),
          this.options,
        ),
      );
    } catch (e) {
      if (!(e instanceof SimHttpError)) throw e;
      const error = { message: e.message, type: e.type, param: e.param, code: e.code };
      state.err.push(
        JSON.stringify({
          id,
          custom_id: line.custom_id,
          response: { status_code: e.status, request_id: requestId, body: { error } },
          error: null,
        }),
      );
    }
  }
}

function isFinal(status: Batch["status"]): boolean {
  return status === "completed" || status === "failed" || status === "expired" || status === "cancelled";
}
