// Anthropic Message Batches emulator: create / retrieve / list / cancel / delete / results under
// /v1/messages/batches. Requests are answered by the simulated model as processing advances in simulated time;
// request_counts stay {processing: n} until the batch ends; results (JSONL, shuffled order) only once ended.

import type { MessageBatch, MessageBatchIndividualResponse } from "@anthropic-ai/sdk/resources/messages/batches";
import type { AnthropicMessages } from "./anthropic-messages.js";
import { checkAnthropicHeaders } from "./anthropic-messages.js";
import {
  injectedFailure,
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
import type { RouteContext, Router } from "./router.js";

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_REQUESTS = 100_000;
const MAX_BYTES = 256 * 1024 * 1024;

interface BatchState {
  id: string;
  createdAt: number;
  requests: Array<{ custom_id: string; params: unknown }>;
  results: MessageBatchIndividualResponse[];
  cancelAt?: number;
  expireAt: number;
  endedAt?: number;
}

export class AnthropicBatches {
  private readonly batches: BatchState[] = []; // newest first

  constructor(
    private readonly engine: SimEngine,
    private readonly messages: AnthropicMessages,
    private readonly options: ResolvedBatchOptions,
  ) {}

  register(router: Router): void {
    const opts = { style: "anthropic" as const };
    router.add("POST /v1/messages/batches", (ctx) => this.create(ctx), { ...opts, bodyLimit: MAX_BYTES });
    router.add("GET /v1/messages/batches", (ctx) => this.list(ctx), opts);
    router.add(
      "GET /v1/messages/batches/:id",
      (ctx) => sendJson(ctx.res, 200, this.view(this.find(ctx), ctx.baseUrl)),
      opts,
    );
    router.add("POST /v1/messages/batches/:id/cancel", (ctx) => this.cancel(ctx), opts);
    router.add("DELETE /v1/messages/batches/:id", (ctx) => this.remove(ctx), opts);
    router.add("GET /v1/messages/batches/:id/results", (ctx) => this.results(ctx), opts);
  }

  /** Force a batch to expire now (test control: POST /sim/batches/{id}/expire). */
  expire(id: string): boolean {
    const batch = this.batches.find((b) => b.id === id);
    if (!batch) return false;
    this.advance(batch);
    if (batch.endedAt === undefined) batch.expireAt = Math.min(batch.expireAt, this.engine.clock.now());
    this.advance(batch);
    return true;
  }

  private async create(ctx: RouteContext): Promise<void> {
    checkAnthropicHeaders(ctx);
    const body = await ctx.json();
    if (!isRecord(body) || !Array.isArray(body.requests)) throw badRequest("requests: Field required");
    const requests = body.requests;
    if (requests.length < 1 || requests.length > MAX_REQUESTS)
      throw badRequest(`requests: must contain between 1 and ${MAX_REQUESTS} items`);
    const seen = new Set<string>();
    requests.forEach((r: unknown, i: number) => {
      if (!isRecord(r)) throw badRequest(`requests.${i}: must be an object`);
      if (typeof r.custom_id !== "string" || !CUSTOM_ID.test(r.custom_id))
        throw badRequest(`requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
      if (seen.has(r.custom_id))
        throw badRequest(
          `requests.${i}.custom_id: duplicate custom_id "${r.custom_id}"; custom_id must be unique within a batch`,
        );
      seen.add(r.custom_id);
      if (!isRecord(r.params)) throw badRequest(`requests.${i}.params: Field required`);
    });
    const now = this.engine.clock.now();
    const batch: BatchState = {
      id: this.engine.newId("msgbatch_"),
      createdAt: now,
      requests: requests as BatchState["requests"],
      results: [],
      expireAt: now + this.options.expireAfterMs,
    };
    this.batches.unshift(batch);
    const stats = this.engine.recorder.providers.anthropic;
    stats.batches++;
    stats.batchRequests += requests.length;
    this.engine.clock.after(Math.min(this.options.batchLatencyMs, this.options.expireAfterMs) + 1, () =>
      this.advance(batch),
    );
    sendJson(ctx.res, 200, this.view(batch, ctx.baseUrl));
  }

  private list(ctx: RouteContext): void {
    checkAnthropicHeaders(ctx);
    const q = ctx.url.searchParams;
    const live = this.batches.map((b) => this.view(b, ctx.baseUrl));
    const { data, hasMore } = pageAfter(
      live,
      q.get("after_id"),
      q.get("before_id"),
      parseLimit(q.get("limit"), 20, 1000),
    );
    sendJson(ctx.res, 200, {
      data,
      has_more: hasMore,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
    });
  }

  private cancel(ctx: RouteContext): void {
    const batch = this.find(ctx);
    if (batch.endedAt === undefined && batch.cancelAt === undefined) {
      batch.cancelAt = this.engine.clock.now();
      this.engine.clock.after(this.options.cancelLatencyMs + 1, () => this.advance(batch));
    }
    sendJson(ctx.res, 200, this.view(batch, ctx.baseUrl));
  }

  private remove(ctx: RouteContext): void {
    const batch = this.find(ctx);
    if (batch.endedAt === undefined)
      throw badRequest(`Batch ${batch.id} cannot be deleted: it has not ended; cancel it first`);
    this.batches.splice(this.batches.indexOf(batch), 1);
    sendJson(ctx.res, 200, { id: batch.id, type: "message_batch_deleted" });
  }

  private results(ctx: RouteContext): void {
    const batch = this.find(ctx);
    if (batch.endedAt === undefined)
      throw new SimHttpError(404, "not_found_error", `Batch ${batch.id} has not ended; results are not available yet`);
    const lines = shuffled(batch.results, batch.id).map((r) =>
      resultLine(r.custom_id, JSON.stringify(r), this.options),
    );
    ctx.res.writeHead(200, { "content-type": "application/binary" });
    ctx.res.end(lines.join("\n") + "\n");
  }

  private find(ctx: RouteContext): BatchState {
    checkAnthropicHeaders(ctx);
    const batch = this.batches.find((b) => b.id === ctx.params.id);
    if (!batch) throw notFound(`message batch ${ctx.params.id} not found`);
    this.advance(batch);
    return batch;
  }

  /** Process the requests due by now and end the batch when done, cancelled or expired. */
  private advance(batch: BatchState): void {
    if (batch.endedAt !== undefined) return;
    const now = this.engine.clock.now();
    const n = batch.requests.length;
    const doneAt = batch.createdAt + this.options.batchLatencyMs;
    const cancelEnd = batch.cancelAt === undefined ? Infinity : batch.cancelAt + this.options.cancelLatencyMs;
    const stopAt = Math.min(doneAt, cancelEnd, batch.expireAt);
    const until = Math.min(now, stopAt);
    const due =
      stopAt === doneAt && now >= doneAt ? n : processedBy(until, batch.createdAt, n, this.options.batchLatencyMs);
    while (batch.results.length < due) batch.results.push(this.process(batch.requests[batch.results.length]));
    if (now < stopAt) return;
    const reason =
      batch.results.length === n
        ? undefined
        : stopAt === batch.expireAt && batch.expireAt <= cancelEnd
          ? "expired"
          : "canceled";
    for (const r of batch.requests.slice(batch.results.length))
      batch.results.push({ custom_id: r.custom_id, result: { type: reason ?? "canceled" } });
    batch.endedAt = stopAt;
  }

  private process(request: { custom_id: string; params: unknown }): MessageBatchIndividualResponse {
    const failure = injectedFailure(request.custom_id, this.options);
    const requestId = this.engine.newId("req_");
    if (failure) {
      const error =
        failure === "overloaded"
          ? { type: "overloaded_error" as const, message: "Overloaded" }
          : { type: "api_error" as const, message: "Internal server error" };
      return {
        custom_id: request.custom_id,
        result: { type: "errored", error: { type: "error", error, request_id: requestId } },
      };
    }
    try {
      const answered = this.messages.answer(request.params, "batch");
      answered.cache.commit();
      const message = this.options.unreadableAnswerIds?.test(request.custom_id)
        ? ({ ...answered.message, content: null } as unknown as typeof answered.message)
        : answered.message;
      return { custom_id: request.custom_id, result: { type: "succeeded", message } };
    } catch (e) {
      if (!(e instanceof SimHttpError)) throw e;
      return {
        custom_id: request.custom_id,
        result: {
          type: "errored",
          error: { type: "error", error: { type: "invalid_request_error", message: e.message }, request_id: requestId },
        },
      };
    }
  }

  private view(batch: BatchState, baseUrl: string): MessageBatch {
    const ended = batch.endedAt !== undefined;
    const counts = { processing: ended ? 0 : batch.requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    if (ended) for (const r of batch.results) counts[r.result.type]++;
    const iso = (ms: number | undefined) =>
      ms === undefined ? null : new Date(this.engine.clock.epochMs(ms)).toISOString();
    return {
      id: batch.id,
      type: "message_batch",
      processing_status: ended ? "ended" : batch.cancelAt !== undefined ? "canceling" : "in_progress",
      request_counts: counts,
      created_at: iso(batch.createdAt)!,
      expires_at: iso(batch.createdAt + this.options.expireAfterMs)!,
      ended_at: iso(batch.endedAt),
      cancel_initiated_at: iso(batch.cancelAt),
      archived_at: null,
      results_url: ended ? `${baseUrl}/v1/messages/batches/${batch.id}/results` : null,
    };
  }
}
