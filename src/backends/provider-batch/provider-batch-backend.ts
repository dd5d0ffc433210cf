// ProviderBatchBackend: a ModelBackend over a provider's Batch API. `complete()` answers from the journal when a
// request (same runtime id, same content) was answered before, waits on the batch that holds it when one does, and
// otherwise hands it to the collector, which sends it with its neighbours in the next batch. The promise settles
// when the batch's result line for it is journaled. A resumed run first picks up every live batch of the journal.
import { randomUUID } from "node:crypto";
import { BackendError, isRetryableStatus, type BatchObserver, type ModelBackend } from "../../runtime/backend.js";
import { BackendUnusableError } from "../../util/user-errors.js";
import type { ChatRequest, ChatResult, RequestHints } from "../../runtime/chat.js";
import type { ProviderBatchOptions } from "./backend-options.js";
import { batchCost } from "./batch-cost.js";
import { BatchRunner, type BatchMember } from "./batch-runner.js";
import { BatchCollector, type BatchPurpose, type CollectedRequest } from "./collector.js";
import { errorStatus, errorText, permanentProviderError, type BatchDriver } from "./drivers/driver.js";
import type { ProviderBatchJournal, RecordedOutcome } from "./journal.js";
import { JournalWriteError } from "./postgres-journal.js";
import { newMarker, requestKey } from "./request-identity.js";

interface Waiter {
  resolve: (result: ChatResult) => void;
  reject: (error: unknown) => void;
}

interface Tracked extends CollectedRequest, BatchMember {
  waiters: Set<Waiter>;
}

/** A cached prefix is trusted for this long after it was written (the TTL is one hour). */
const PREFIX_LIFETIME_MS = 50 * 60_000;

export class ProviderBatchBackend implements ModelBackend {
  readonly kind: string;
  readonly concurrency = "unbounded" as const;
  readonly keyEnv: string;
  /** Set once the provider refused the key: every request fails with it from then on. */
  private refusal?: BackendUnusableError;
  private readonly tracked = new Map<string, Tracked>();
  private readonly collector: BatchCollector<Tracked>;
  private readonly runner: BatchRunner;
  private readonly flows = new Set<Promise<void>>();
  private readonly abortWatch = new WeakMap<AbortSignal, Set<() => void>>();
  /** Prefix-write batches of this run and the cache keys they write. */
  private readonly prefixBatches = new Map<string, string[]>();
  /** Batches submitted and not yet ended, by marker, for the observer. */
  private readonly open = new Map<string, { id: string; requests: number; submittedAt: number }>();
  private observer?: BatchObserver;
  private readonly counters = {
    batchesSubmitted: 0,
    requestsSubmitted: 0,
    resubmitted: 0,
    answeredFromJournal: 0,
    prefixWrites: 0,
    realtimeRequests: 0,
    outcomes: {} as Record<string, number>,
  };

  constructor(
    private readonly driver: BatchDriver,
    private readonly journal: ProviderBatchJournal,
    private readonly options: ProviderBatchOptions,
    private readonly log: (message: string) => void = (message) => process.stderr.write(`provider batch: ${message}\n`),
  ) {
    this.kind = `${driver.provider}-batch`;
    this.keyEnv = options.keyEnv;
    this.collector = new BatchCollector<Tracked>({
      maxRequests: options.maxRequests,
      maxBytes: options.maxBytes,
      collectMs: options.collectMs,
      collectMaxMs: options.collectMaxMs,
      prefixWrite: options.prefixWrite !== "off",
      prefixWriteMin: options.prefixWriteMin,
      prefixLifetimeMs: PREFIX_LIFETIME_MS,
      send: (requests, purpose) => this.send(requests, purpose),
    });
    this.runner = new BatchRunner(driver, journal, options, {
      onOutcomes: (outcomes, marker) => this.settle(outcomes, marker),
      onRequeue: (keys) => this.requeue(keys),
      onTooLarge: (bytes) => this.collector.lowerByteLimit(Math.floor(bytes / 2)),
      onFinished: (marker) => {
        this.batchEnded(marker);
        this.finished(marker);
      },
      onUnusable: (error) => this.unusable(error),
      onSubmitted: (marker, requests) => {
        this.counters.batchesSubmitted++;
        this.counters.requestsSubmitted += requests;
        this.batchOpen(marker, requests, Date.now());
      },
      log: this.log,
    });
  }

  /** Picks up the journal's live batches (resumed runs): created ones are followed, uncertain ones looked up. */
  resumeJournal(): void {
    for (const row of this.journal.liveBatches()) {
      if (row.status === "preparing" || row.provider === "realtime") {
        // Never sent (or a realtime call that cannot be looked up): its requests are sent again when asked for.
        this.journal.abandon(
          row.marker,
          row.status === "preparing" ? "never sent" : "interrupted realtime prefix write",
        );
        continue;
      }
      this.log(`resuming batch ${row.provider_batch_id ?? row.marker} (${row.status}, ${row.request_count} requests)`);
      this.batchOpen(row.marker, row.request_count, row.submitted_at ?? row.created_at);
      this.track(row.marker, this.runner.resume(row));
    }
  }

  observeBatches(observer: BatchObserver): void {
    this.observer = observer;
    for (const batch of this.open.values()) observer.submitted(batch.id, batch.requests, batch.submittedAt);
  }

  private batchOpen(marker: string, requests: number, submittedAt: number): void {
    const batch = { id: this.batchIdOf(marker), requests, submittedAt };
    this.open.set(marker, batch);
    this.observer?.submitted(batch.id, requests, submittedAt);
  }

  private batchEnded(marker: string): void {
    const batch = this.open.get(marker);
    if (!batch) return;
    this.open.delete(marker);
    this.observer?.ended(batch.id);
  }

  /** The provider's id of a batch once recorded, else the journal's marker. */
  private batchIdOf(marker: string): string {
    return this.journal.batch(marker)?.provider_batch_id ?? marker;
  }

  /** The driver's check: a key is set and accepted, and the provider serves `models`. */
  async preflight(models: string[]): Promise<void> {
    await this.driver.preflight?.(models);
  }

  /** The provider refused the key: the requests waiting on this backend fail with it, and so do later ones. */
  private unusable(error: BackendUnusableError): void {
    this.refusal ??= error;
    this.log(error.message);
    for (const key of [...this.tracked.keys()]) {
      const tracked = this.tracked.get(key)!;
      this.collector.remove(key);
      this.tracked.delete(key);
      for (const waiter of tracked.waiters) waiter.reject(error);
    }
  }

  async complete(request: ChatRequest, hints: RequestHints): Promise<ChatResult> {
    if (this.refusal) throw this.refusal;
    if (hints.batchMode === "realtime" && this.driver.realtime) return this.realtime(request, hints);
    const requestId = hints.requestId ?? `unnamed/${randomUUID()}`;
    const key = requestKey(requestId, request);
    const row = this.journal.request(key);
    if (row?.status === "succeeded") {
      this.counters.answeredFromJournal++;
      return JSON.parse(row.result!) as ChatResult;
    }
    if (row?.status === "failed") throw new BackendError(row.error ?? "failed in an earlier run", undefined, false);
    if (this.runner.isStopped) throw new BackendError("the batch backend is closed", undefined, false);
    return new Promise<ChatResult>((resolve, reject) => {
      let tracked = this.tracked.get(key);
      if (!tracked) {
        const encoded = this.driver.encode(request, hints);
        tracked = {
          key,
          requestId,
          model: request.model,
          cacheKey: hints.cacheKey,
          prefixCacheable: hints.prefixCacheable,
          body: encoded.body,
          bytes: encoded.bytes,
          request,
          hints: { ...hints, signal: undefined },
          waiters: new Set(),
        };
        this.tracked.set(key, tracked);
        // `in-batch`: a batch the journal knows holds it, and its runner will answer it.
        if (row?.status !== "in-batch") this.collector.add(tracked);
      }
      const signal = hints.signal;
      const onAbort = () => {
        tracked.waiters.delete(waiter);
        if (tracked.waiters.size === 0) {
          this.collector.remove(key);
          this.tracked.delete(key);
        }
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        resolve: (result) => {
          if (signal) this.abortWatch.get(signal)?.delete(onAbort);
          resolve(result);
        },
        reject: (error) => {
          if (signal) this.abortWatch.get(signal)?.delete(onAbort);
          reject(error);
        },
      };
      tracked.waiters.add(waiter);
      if (signal) this.watchAbort(signal, onAbort);
    });
  }

  /** The provider's id of the batch that holds (or answered) a request, or its marker before the provider named it. */
  batchOf(requestId: string, request: ChatRequest): string | undefined {
    const marker = this.journal.request(requestKey(requestId, request))?.batch_marker;
    if (!marker) return undefined;
    return this.journal.batch(marker)?.provider_batch_id ?? marker;
  }

  /** The run's signal is shared by every request: one listener per signal, not one per waiting request. */
  private watchAbort(signal: AbortSignal, onAbort: () => void): void {
    let callbacks = this.abortWatch.get(signal);
    if (!callbacks) {
      const registered = new Set<() => void>();
      this.abortWatch.set(signal, (callbacks = registered));
      signal.addEventListener("abort", () => registered.forEach((callback) => callback()), { once: true });
    }
    callbacks.add(onAbort);
  }

  private async realtime(request: ChatRequest, hints: RequestHints): Promise<ChatResult> {
    this.counters.realtimeRequests++;
    try {
      return await this.driver.realtime!(request, hints, "5m");
    } catch (error) {
      if (hints.signal?.aborted) throw error;
      const refused = permanentProviderError(error, `${this.driver.provider} API`, this.options.keyEnv);
      if (refused) throw refused;
      const status = errorStatus(error);
      throw new BackendError(
        `${this.driver.provider} answered ${status ?? "no status"}: ${errorText(error)}`,
        status,
        status === undefined || isRetryableStatus(status),
      );
    }
  }

  private send(requests: Tracked[], purpose: BatchPurpose): void {
    const marker = newMarker();
    if (purpose === "prefix-write") {
      this.counters.prefixWrites++;
      this.prefixBatches.set(marker, [...new Set(requests.map((r) => r.cacheKey!))]);
    }
    const realtime = purpose === "prefix-write" && this.options.prefixWrite === "realtime" && this.driver.realtime;
    this.track(
      marker,
      realtime ? this.runner.realtime(marker, requests) : this.runner.start(marker, requests, purpose),
    );
  }

  private track(marker: string, flow: Promise<void>): void {
    const guarded = flow.catch((error: unknown) => {
      if (this.runner.isStopped) return;
      // The shared journal cannot be written: stop (the chunk goes to another worker, which resumes from the journal).
      if (error instanceof JournalWriteError) return this.unusable(new BackendUnusableError(error.message));
      this.log(`batch ${marker} stopped on an internal error: ${errorText(error)}`);
      const failure = new BackendError(`provider batch ${marker}: ${errorText(error)}`, undefined, false);
      for (const member of this.journal.members(marker)) this.fail(member.request_key, failure);
    });
    this.flows.add(guarded);
    void guarded.finally(() => this.flows.delete(guarded));
  }

  private settle(outcomes: RecordedOutcome[], marker: string): void {
    const batchId = this.open.get(marker)?.id ?? this.batchIdOf(marker);
    for (const outcome of outcomes) {
      this.counters.outcomes[outcome.outcome] = (this.counters.outcomes[outcome.outcome] ?? 0) + 1;
      const tracked = this.tracked.get(outcome.requestKey);
      if (outcome.requestState === "succeeded") {
        this.tracked.delete(outcome.requestKey);
        for (const waiter of tracked?.waiters ?? []) waiter.resolve({ ...outcome.result!, batchId });
      } else if (outcome.requestState === "failed") {
        this.fail(outcome.requestKey, new BackendError(outcome.error ?? "failed", undefined, false));
      } else if (outcome.requestState === "retry") {
        this.counters.resubmitted++;
        this.requeue([outcome.requestKey]);
      }
    }
  }

  private fail(key: string, error: BackendError): void {
    const tracked = this.tracked.get(key);
    this.tracked.delete(key);
    for (const waiter of tracked?.waiters ?? []) waiter.reject(error);
  }

  private requeue(keys: string[]): void {
    for (const key of keys) {
      const tracked = this.tracked.get(key);
      if (!tracked) continue;
      if (tracked.waiters.size > 0) this.collector.add(tracked);
      else this.tracked.delete(key);
    }
  }

  private finished(marker: string): void {
    const cacheKeys = this.prefixBatches.get(marker);
    if (!cacheKeys) return;
    this.prefixBatches.delete(marker);
    this.collector.prefixWritten(cacheKeys);
  }

  report(): Record<string, unknown> {
    const totals = this.journal.counts();
    return {
      provider: this.driver.provider,
      journal: this.journal.file,
      batchesSubmitted: this.counters.batchesSubmitted,
      requestsSubmitted: this.counters.requestsSubmitted,
      prefixWrites: this.counters.prefixWrites,
      resultsByStatus: { ...this.counters.outcomes },
      resubmitted: this.counters.resubmitted,
      answeredFromJournal: this.counters.answeredFromJournal,
      realtimeRequests: this.counters.realtimeRequests,
      journalBatchesByStatus: totals.batches,
      journalRequestsByStatus: totals.requests,
      cost: batchCost(this.driver.provider, this.journal.answered()),
    };
  }

  async close(): Promise<void> {
    this.runner.stop();
    this.collector.close();
    const closed = new BackendError(
      "the batch backend closed; the journal keeps its batches for --resume",
      undefined,
      false,
    );
    for (const key of [...this.tracked.keys()]) this.fail(key, closed);
    // Loops end at their next step; an HTTP call in flight is given a moment before the journal closes under it.
    await Promise.race([
      Promise.allSettled([...this.flows]),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
    this.journal.close();
  }
}
