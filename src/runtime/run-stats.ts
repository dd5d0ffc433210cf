// Counters a run keeps for the progress bar and the run report. One instance per run; everything adds to it.
import { addUsage, emptyUsage, type ChatUsage } from "./chat.js";
import { RunRecord } from "./record/run-record.js";
import type { RunTracer } from "./tracing/run-tracer.js";

export class RunStats {
  /** Items in the input, once counted (for the progress total); undefined until then. */
  expectedItems: number | undefined;
  /** Whether the run read its input to the end: false when it stopped first (a stream may hold more); unset: unknown. */
  inputEnded?: boolean;
  items = 0;
  succeeded = 0;
  failed = 0;
  /** Items a stopping run left unstarted (they had sent nothing): a resumed run starts them. */
  deferred = 0;
  /** Items skipped because a previous run already wrote their result (resume). */
  resumed = 0;
  modelRequests = 0;
  warmupRequests = 0;
  retries = 0;
  /** Attempts that got no answer within the request timeout (each is also a retry, or its item's error). */
  timeouts = 0;
  batchesFlushed = 0;
  toolCalls = 0;
  toolExecutions = 0;
  toolCacheHits = 0;
  /** Calls of batch-native implementations, and the items (or join groups) they carried. */
  nativeBatches = 0;
  nativeBatchUnits = 0;
  /** Model calls answered from another item's identical request (identical-call-memoization, -O3). */
  memoizedCalls = 0;
  inflight = 0;
  /** What the items' requests used (the sum of the result lines' usage). */
  readonly usage: ChatUsage = emptyUsage();
  /** What prefix warm-ups used: no item's, but paid for like any request. */
  readonly warmupUsage: ChatUsage = emptyUsage();
  /** Usage per model URI (as written in the workflow), warm-ups included, for the cost estimate. */
  readonly usageByModel = new Map<string, ChatUsage>();
  readonly startedAt = performance.now();
  /** Aggregates per node, time bucket and edge, and the failed items, for the report (bounded memory). */
  readonly record = new RunRecord(this.startedAt);
  /** Spans per item and per model request, when the user's environment names an OTLP endpoint. */
  tracer?: RunTracer;

  addModelUsage(model: string, usage: ChatUsage): void {
    addUsage(this.usage, usage);
    this.addUsageOf(model, usage);
  }

  addWarmupUsage(model: string, usage: ChatUsage): void {
    this.warmupRequests++;
    addUsage(this.warmupUsage, usage);
    this.addUsageOf(model, usage);
  }

  private addUsageOf(model: string, usage: ChatUsage): void {
    let perModel = this.usageByModel.get(model);
    if (!perModel) this.usageByModel.set(model, (perModel = emptyUsage()));
    addUsage(perModel, usage);
  }

  get done(): number {
    return this.succeeded + this.failed;
  }

  get cachedShare(): number {
    return this.usage.promptTokens === 0 ? 0 : this.usage.cachedTokens / this.usage.promptTokens;
  }

  get elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }
}
