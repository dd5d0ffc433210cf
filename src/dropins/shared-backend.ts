// One backend and one BatchAccumulator per backend URL in a process, shared by every drop-in that names it: every
// NexusChatModel, AI SDK model and gateway route on `vllm://gpu:8000` queues into the same accumulator, so 500
// concurrent calls from a LangGraph `Send` fan-out are flushed together, in prefix order, with the shared prefix
// warmed first; on `anthropic-batch://` / `openai-batch://` they become provider batches, journaled in SQLite.
// With a `runId` the journal has a stable name and every request a stable id (its content hash and how many
// identical requests came before it), so a killed program rerun with the same id is answered from the journal or
// re-attached to its batches: nothing is paid twice.
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { selectBackend } from "../backends/select-backend.js";
import { isProviderBatchSpec, ProviderBatchBackend } from "../backends/provider-batch/index.js";
import { BatchAccumulator, type AccumulatorOptions, type BatchHints } from "../runtime/batch-accumulator.js";
import type { ModelBackend } from "../runtime/backend.js";
import type { ChatRequest, ChatResult } from "../runtime/chat.js";
import { InferenceSlots } from "../runtime/inference-slots.js";
import { DEFAULT_RETRY } from "../runtime/retry.js";
import { RunLock } from "../runtime/run-lock.js";
import { RunStats } from "../runtime/run-stats.js";
import { defaultPrefixWarmup } from "../runtime/run-workflow.js";
import { UsageError } from "../util/user-errors.js";
import {
  DEFAULT_BACKEND,
  DEFAULT_JOURNAL_DIR,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_INFLIGHT,
  DEFAULT_MAX_WAIT_MS,
  type NexusBackendOptions,
} from "./nexus-options.js";

/** What one call got back: the answer, its stable request id, and the provider batch that answered it (if any). */
export interface NexusCallResult {
  result: ChatResult;
  requestId: string;
  batchId?: string;
}

export interface NexusCallOptions {
  signal?: AbortSignal;
  /**
   * Hears the answer's text as it is generated, with the request's id, where the backend streams (else nothing: the
   * result is whole).
   */
  onDelta?: (text: string, requestId: string) => void;
}

const RUN_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** The hash of a request's content, for its stable id. */
function contentHash(request: ChatRequest): string {
  return createHash("sha256").update(JSON.stringify(request)).digest("hex").slice(0, 32);
}

/**
 * The request's shared-prefix key: everything but its last message (the per-item part in a map step), with the model
 * and tools. Requests with equal keys are sent together and the prefix is warmed once.
 */
export function dropinCacheKey(request: ChatRequest): string {
  return createHash("sha256")
    .update(JSON.stringify([request.model, request.tools ?? null, request.messages.slice(0, -1)]))
    .digest("hex")
    .slice(0, 24);
}

/**
 * What a caller that knows its clients may add to the accumulator (`nexus run` on a LangGraph.js program knows when
 * every item waits on a model): when nothing else can arrive, and what a backend that cannot serve the run stops.
 */
export type SharedBackendHooks = Partial<Pick<AccumulatorOptions, "nothingElseCanArrive" | "onUnusable" | "stats">>;

export class SharedBackend {
  readonly stats: RunStats;
  readonly accumulator: BatchAccumulator;
  private readonly occurrences = new Map<string, number>();
  private sequence = 0;
  private readonly idPrefix: string;

  constructor(
    readonly spec: string,
    readonly backend: ModelBackend,
    private readonly options: NexusBackendOptions,
    private readonly lock?: RunLock,
    hooks: SharedBackendHooks = {},
  ) {
    this.idPrefix = options.runId ?? `adhoc-${randomUUID()}`;
    this.stats = hooks.stats ?? new RunStats();
    this.accumulator = new BatchAccumulator({
      backend,
      slots: new InferenceSlots(options.maxInflight ?? DEFAULT_MAX_INFLIGHT),
      stats: this.stats,
      retry: options.retry ?? DEFAULT_RETRY,
      prefixWarmup: options.prefixWarmup ?? defaultPrefixWarmup(backend),
      continuous: backend.concurrency !== "unbounded",
      // Callers are independent programs: a batch is flushed when it is full or its wait is over.
      nothingElseCanArrive: hooks.nothingElseCanArrive ?? (() => false),
      onUnusable: hooks.onUnusable,
    });
  }

  /**
   * A request's stable id. With a run id: its content hash and how many identical requests this process sent before
   * (the same in a rerun, whatever the order). Without one nothing resumes, and a sequence number will do (a
   * long-running gateway keeps no per-request state).
   */
  private requestIdFor(request: ChatRequest): string {
    if (this.options.runId === undefined) return `${this.idPrefix}/${this.sequence++}`;
    const hash = contentHash(request);
    const occurrence = this.occurrences.get(hash) ?? 0;
    this.occurrences.set(hash, occurrence + 1);
    return `${this.idPrefix}/${hash}/${occurrence}`;
  }

  /** Sends one request through the accumulator. */
  async complete(request: ChatRequest, options: NexusCallOptions = {}): Promise<NexusCallResult> {
    const requestId = this.requestIdFor(request);
    const cacheKey = dropinCacheKey(request);
    const batch: BatchHints = {
      group: `dropin:${request.model}`,
      cacheKey,
      maxBatchSize: this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      maxWaitMs: this.options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      priority: 0,
      model: request.model,
    };
    const result = await this.accumulator.submit(request, batch, {
      cacheKey,
      requestId,
      sharedPrefixMessages: Math.max(0, request.messages.length - 1),
      signal: options.signal,
      onDelta: options.onDelta && ((text) => options.onDelta!(text, requestId)),
    });
    this.stats.addModelUsage(request.model, result.usage);
    const batchId = this.backend instanceof ProviderBatchBackend ? this.backend.batchOf(requestId, request) : undefined;
    return { result, requestId, batchId };
  }

  async close(): Promise<void> {
    this.accumulator.close(new Error("the Nexus backend was closed"));
    await this.backend.close();
    this.lock?.release();
  }
}

const shared = new Map<string, SharedBackend>();

/**
 * The journal file of a provider-batch backend, and the lock that keeps a second process off it: named by the run
 * id (`<journalDir>/<runId>.batches.sqlite`, locked by `<runId>.nexus.lock` as `nexus run` locks its results), else
 * a fresh temporary file that no other process knows.
 */
function journalFor(options: NexusBackendOptions): { file: string; lock?: RunLock } {
  if (options.runId === undefined)
    return { file: join(mkdtempSync(join(tmpdir(), "nexus-dropin-")), "batches.sqlite") };
  if (!RUN_ID.test(options.runId))
    throw new UsageError(`runId '${options.runId}' may hold only letters, digits, '.', '_' and '-'`);
  const dir = resolve(options.journalDir ?? DEFAULT_JOURNAL_DIR);
  mkdirSync(dir, { recursive: true });
  const lock = RunLock.acquire(join(dir, options.runId));
  return { file: join(dir, `${options.runId}.batches.sqlite`), lock };
}

/**
 * The process's shared backend for `options.backend` (and run id): made by the first caller, with its options;
 * later callers with the same URL and run id share it.
 */
export function sharedBackend(options: NexusBackendOptions = {}): SharedBackend {
  const spec = options.backend ?? DEFAULT_BACKEND;
  const key = `${spec}\u0000${options.runId ?? ""}\u0000${options.journalDir ?? ""}`;
  let entry = shared.get(key);
  if (!entry) {
    const journal = isProviderBatchSpec(spec) ? journalFor(options) : undefined;
    let backend: ModelBackend;
    try {
      backend = selectBackend(spec, {
        maxInflight: options.maxInflight ?? DEFAULT_MAX_INFLIGHT,
        timeScale: 1,
        journalFile: journal?.file,
        // A run id's journal is picked up where an earlier process left it.
        resume: true,
      });
    } catch (error) {
      journal?.lock?.release();
      throw error;
    }
    shared.set(key, (entry = new SharedBackend(spec, backend, options, journal?.lock)));
  }
  return entry;
}

/** Every shared backend of this process, for stats. */
export function sharedBackends(): SharedBackend[] {
  return [...shared.values()];
}

/** Closes every shared backend (provider-batch journals are kept for a rerun). */
export async function closeNexusBackends(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map((entry) => entry.close()));
}
