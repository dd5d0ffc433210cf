// The BatchAccumulator: every model request from a batchable node is queued by its batch group and flushed
//  - when the group holds `maxBatchSize` requests,
//  - when its oldest request has waited `maxWaitMs`,
//  - or at once when nothing else can arrive (every live item is waiting on the accumulator),
// highest priority group first. A flush sends the group's requests in prefix order (equal prefixes adjacent) and,
// the first time a prefix is seen, warms it before releasing the rest, so siblings hit the cache: with a separate
// one-token request (`prefixWarmup: "request"`), or, on engines that share an in-flight request's prefill, by
// sending the first request ahead of its siblings (`"in-flight"`).
// Against a continuously batching backend (an inference engine or a realtime API), a request whose prefix is
// already warm goes out on the next tick instead of waiting for its batch to fill: the engine forms the batch
// itself, and holding the request would only add latency.
import { asUnusable, type ModelBackend } from "./backend.js";
import type { BackendUnusableError } from "../util/user-errors.js";
import type { ChatRequest, ChatResult, RequestHints } from "./chat.js";
import type { InferenceSlots } from "./inference-slots.js";
import { defaultRequestTimeoutMs, RequestTimeoutError, withRetry, withTimeout, type RetryPolicy } from "./retry.js";
import type { RunStats } from "./run-stats.js";
import type { NodeRef } from "./record/run-record.js";

/** How a node's requests are batched (from its `annotations.batch`, or defaults). */
export interface BatchHints {
  group: string;
  cacheKey: string;
  maxBatchSize: number;
  maxWaitMs: number;
  priority: number;
  /** The node's batch mode from its annotation (provider batch backends send `realtime` nodes one by one). */
  mode?: RequestHints["batchMode"];
  /** The node's model URI as the workflow writes it ("" when none): a warm-up's tokens are priced as this model's. */
  model: string;
  /** False when the annotation found the shared prefix under the provider's minimum cacheable length. */
  prefixCacheable?: boolean;
  /** The node whose requests these are, for the run record. */
  node?: NodeRef;
}

/** Which item a request is for, when the run may leave that item for a resumed run (see `deferUnsent`). */
export interface RequestOwner {
  itemId: string;
  /** True when the item may be left unstarted (top-level items; map elements and subgraph items finish). */
  deferrable: boolean;
  /** Items the request answers at once (a packed request's pack size); 1 when absent. */
  items?: number;
  /** A packed request's other items: deferred only when none of them has sent anything either. */
  otherItemIds?: string[];
}

const ownerIds = (owner: RequestOwner): string[] => [owner.itemId, ...(owner.otherItemIds ?? [])];

/** How many waiting items a request counts for. */
const itemsOf = (pending: { owner?: RequestOwner }): number => pending.owner?.items ?? 1;
const itemsIn = (list: readonly { owner?: RequestOwner }[]): number => list.reduce((n, p) => n + itemsOf(p), 0);

/** The rejection of a request whose item the stopping run leaves for a resumed run: it sent nothing yet. */
export class DeferredItem extends Error {
  constructor() {
    super("the run stopped before this item sent anything; a resumed run starts it");
    this.name = "DeferredItem";
  }
}

interface Pending {
  owner?: RequestOwner;
  request: ChatRequest;
  hints: RequestHints;
  batch: BatchHints;
  enqueuedAt: number;
  resolve: (result: ChatResult) => void;
  reject: (error: unknown) => void;
}

interface GroupQueue {
  pending: Pending[];
  timer?: NodeJS.Timeout;
}

export interface AccumulatorOptions {
  backend: ModelBackend;
  slots: InferenceSlots;
  stats: RunStats;
  retry: RetryPolicy;
  /** True when every live item waits on the accumulator and no new item can be admitted. */
  nothingElseCanArrive: (waiting: number) => boolean;
  /** How a new prefix is warmed before the rest of its group (see PrefixWarmup). */
  prefixWarmup: PrefixWarmup;
  /** The backend batches continuously: requests with a warm prefix are sent at once, not held to fill a batch. */
  continuous: boolean;
  /**
   * A request failed in a way no retry or other item can fix (a refused key, an unknown model): called before the
   * request's caller hears of it, so the run can stop first and the item is left for a resumed run.
   */
  onUnusable?: (error: BackendUnusableError) => void;
  /** Called at every re-check, first: the run's batch-native queues re-check with it. */
  onCheck?: () => void;
}

/**
 * - `request`: one request with `maxTokens: 1` is answered before the siblings are sent (provider prompt caches and
 *   engines that cache a prefix only once it is computed);
 * - `in-flight`: the group's first request is sent ahead of the others (engines that reuse an in-flight prefill);
 * - `off`: no warm-up; a prefix counts as warm once a request with it has been answered.
 */
export type PrefixWarmup = "request" | "in-flight" | "off";

/**
 * Orders requests by their messages' text, message by message (role, then content), so requests sharing a prefix sit
 * together. Messages are compared one at a time: a shared system prompt (usually one string) costs no scan.
 */
function comparePrompts(a: ChatRequest, b: ChatRequest): number {
  const n = Math.min(a.messages.length, b.messages.length);
  for (let i = 0; i < n; i++) {
    const x = a.messages[i];
    const y = b.messages[i];
    if (x.role !== y.role) return x.role < y.role ? -1 : 1;
    const p = x.content ?? "";
    const q = y.content ?? "";
    if (p !== q) return p < q ? -1 : 1;
  }
  return a.messages.length - b.messages.length;
}

/**
 * Forwards a streamed answer's text once across attempts: each attempt gets its own forwarder, and a retry's text is
 * forwarded from where the earlier attempts stopped (the result, not the deltas, is the answer of record).
 */
function forwardOnce(onDelta: (text: string) => void): () => (text: string) => void {
  let forwarded = 0;
  return () => {
    let seen = 0;
    return (text) => {
      const skip = Math.max(0, Math.min(text.length, forwarded - seen));
      seen += text.length;
      if (skip === text.length) return;
      onDelta(text.slice(skip));
      forwarded += text.length - skip;
    };
  };
}

export class BatchAccumulator {
  private readonly groups = new Map<string, GroupQueue>();
  private readonly warmed = new Map<string, Promise<void>>();
  /** Prefixes whose warm-up is done: their requests skip the batch wait on continuous backends. */
  private readonly warm = new Set<string>();
  /** Groups with a flush already scheduled for the next tick. */
  private readonly flushScheduled = new Set<string>();
  private queued = 0;
  private inflight = 0;
  /** Set when the run stops admitting: items that have sent nothing are deferred instead of started. */
  private deferring = false;
  /** Items with a request sent to the backend (and not yet finished): they are drained, never deferred. */
  private readonly sentItems = new Set<string>();

  constructor(private readonly options: AccumulatorOptions) {}

  /** Items whose requests are queued or at the backend: the items waiting on the accumulator. */
  get waiting(): number {
    return this.queued + this.inflight;
  }

  submit(request: ChatRequest, batch: BatchHints, hints: RequestHints = {}, owner?: RequestOwner): Promise<ChatResult> {
    if (this.deferring && this.mayDefer(owner)) return Promise.reject(new DeferredItem());
    return new Promise<ChatResult>((resolve, reject) => {
      const pending: Pending = {
        owner,
        request,
        hints,
        batch,
        enqueuedAt: performance.now(),
        resolve,
        reject,
      };
      let queue = this.groups.get(batch.group);
      if (!queue) this.groups.set(batch.group, (queue = { pending: [] }));
      queue.pending.push(pending);
      this.queued += itemsOf(pending);
      if (queue.pending.length >= batch.maxBatchSize) this.flush(batch.group);
      else if (this.options.continuous && this.warm.has(batch.cacheKey)) this.flushNextTick(batch.group);
      else if (!queue.timer) queue.timer = setTimeout(() => this.flush(batch.group), batch.maxWaitMs);
      this.check();
    });
  }

  /**
   * Warms a prefix ahead of its first request (the entry node's, while the run starts up). An engine that shares
   * in-flight prefills counts it warm at once (the warm-up is sent first); other backends once it is answered.
   */
  prewarm(request: ChatRequest, batch: BatchHints, hints: RequestHints): void {
    const { prefixWarmup } = this.options;
    if (prefixWarmup === "off" || this.warmed.has(batch.cacheKey)) return;
    const warmUp = this.warmUp(request, batch, hints);
    this.markWarm(batch.cacheKey, prefixWarmup === "in-flight" ? undefined : warmUp);
  }

  /** Re-evaluates the "nothing else can arrive" rule; the scheduler calls it when items finish or stall. */
  check(): void {
    this.options.onCheck?.();
    if (this.queued === 0 || !this.options.nothingElseCanArrive(this.waiting)) return;
    const order = [...this.groups.entries()]
      .filter(([, q]) => q.pending.length > 0)
      .sort(([, a], [, b]) => b.pending[0].batch.priority - a.pending[0].batch.priority);
    for (const [group] of order) this.flush(group);
  }

  /** Flushes the group once the current tick's submissions have joined it (they are sent in prefix order). */
  private flushNextTick(group: string): void {
    if (this.flushScheduled.has(group)) return;
    this.flushScheduled.add(group);
    setImmediate(() => {
      this.flushScheduled.delete(group);
      const queue = this.groups.get(group);
      while (queue && queue.pending.length > 0) this.flush(group);
    });
  }

  private flush(group: string): void {
    const queue = this.groups.get(group);
    if (!queue || queue.pending.length === 0) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    const batch = queue.pending.splice(0, Math.max(1, queue.pending[0].batch.maxBatchSize));
    this.queued -= itemsIn(batch);
    this.inflight += itemsIn(batch);
    if (queue.pending.length > 0) queue.timer = setTimeout(() => this.flush(group), queue.pending[0].batch.maxWaitMs);
    this.options.stats.batchesFlushed++;
    const flushedAt = performance.now();
    this.options.stats.record.flushed(
      batch.map((pending) => pending.batch.node),
      batch.map((pending) => flushedAt - pending.enqueuedAt),
    );
    batch.sort((a, b) =>
      a.batch.priority !== b.batch.priority
        ? b.batch.priority - a.batch.priority
        : comparePrompts(a.request, b.request),
    );
    void this.send(batch);
  }

  private async send(batch: Pending[]): Promise<void> {
    const byPrefix = new Map<string, Pending[]>();
    for (const pending of batch) {
      const key = pending.batch.cacheKey;
      const list = byPrefix.get(key);
      if (list) list.push(pending);
      else byPrefix.set(key, [pending]);
    }
    await Promise.all([...byPrefix.entries()].map(([key, list]) => this.sendPrefixGroup(key, list)));
  }

  private async sendPrefixGroup(cacheKey: string, list: Pending[]): Promise<void> {
    const { prefixWarmup } = this.options;
    if (!this.warmed.has(cacheKey)) {
      if (prefixWarmup === "in-flight") this.markWarm(cacheKey);
      else if (prefixWarmup === "request" && list.length > 1)
        this.markWarm(cacheKey, this.warmUp(list[0].request, list[0].batch, list[0].hints));
    }
    await this.warmed.get(cacheKey);
    // In prefix order; with `in-flight` warm-ups the first request reaches the engine ahead of its siblings.
    const sent = Promise.all(list.map((pending) => this.call(pending)));
    // A prefix sent alone warms itself: once that request is answered, later flushes need no warm-up for it.
    if (!this.warmed.has(cacheKey)) void sent.then(() => this.markWarm(cacheKey));
    await sent;
  }

  private mayDefer(owner: RequestOwner | undefined): boolean {
    return owner !== undefined && owner.deferrable && !ownerIds(owner).some((id) => this.sentItems.has(id));
  }

  /**
   * The run stops admitting: requests still queued whose items have sent nothing are rejected with DeferredItem
   * (their items are left, unstarted, for a resumed run), and so are such items' requests from now on. Items with a
   * request at the backend go on to their end.
   */
  deferUnsent(): void {
    this.deferring = true;
    for (const queue of this.groups.values()) {
      const deferred = queue.pending.filter((pending) => this.mayDefer(pending.owner));
      if (deferred.length === 0) continue;
      queue.pending = queue.pending.filter((pending) => !deferred.includes(pending));
      this.queued -= itemsIn(deferred);
      for (const pending of deferred) pending.reject(new DeferredItem());
      if (queue.pending.length === 0) clearTimeout(queue.timer);
    }
    this.check();
  }

  /** Items that finished: their ids are no longer needed. */
  forget(itemIds: string[]): void {
    for (const id of itemIds) {
      this.sentItems.delete(id);
      this.options.slots.cancel(id);
    }
  }

  /** Records a prefix as warm, now or once its warm-up request is answered. */
  private markWarm(cacheKey: string, warmUp?: Promise<void>): void {
    this.warmed.set(cacheKey, warmUp ?? Promise.resolve());
    if (warmUp) void warmUp.then(() => this.warm.add(cacheKey));
    else this.warm.add(cacheKey);
  }

  /** Sends one request of the group with `maxTokens: 1` so the engine caches the shared prefix. */
  private async warmUp(request: ChatRequest, batch: BatchHints, hints: RequestHints): Promise<void> {
    try {
      // One attempt, with a time limit: a silent engine must not hold back the siblings waiting on it.
      const warmUp = { ...request, maxTokens: 1 };
      const result = await this.options.slots.run(() =>
        withTimeout(
          (signal) =>
            this.options.backend.complete(warmUp, { ...hints, expectedOutputTokens: 1, requestId: undefined, signal }),
          this.timeoutFor(warmUp),
          hints.signal,
        ),
      );
      this.options.stats.addWarmupUsage(batch.model, result.usage);
    } catch (error) {
      if (error instanceof RequestTimeoutError) this.options.stats.timeouts++;
      // A failed warm-up costs only the cache benefit; the real requests follow and report their own errors.
    }
  }

  private async call(pending: Pending): Promise<void> {
    const { stats, slots, backend, retry } = this.options;
    const timeoutMs = this.timeoutFor(pending.request);
    const span = stats.tracer?.requestStarted({
      itemId: pending.owner?.itemId,
      ...pending.batch.node,
      model: pending.request.model,
      batchGroup: pending.batch.group,
      maxTokens: pending.request.maxTokens,
    });
    let firstSentAt: number | undefined;
    const forwarder = pending.hints.onDelta && backend.stream ? forwardOnce(pending.hints.onDelta) : undefined;
    // The time limit starts once the request has its inference slot: waiting behind other requests is no timeout.
    const attempt = (signal: AbortSignal | undefined) =>
      withTimeout(
        async (limited) => {
          // Waiting for a slot is not sent yet: an item the stopping run may leave still sends nothing.
          if (this.deferring && this.mayDefer(pending.owner)) throw new DeferredItem();
          if (pending.owner) for (const id of ownerIds(pending.owner)) this.sentItems.add(id);
          stats.inflight++;
          stats.record.requestStarted(stats.inflight);
          const started = performance.now();
          firstSentAt ??= started;
          try {
            const hints = { ...pending.hints, signal: limited };
            pending.hints.onSent?.();
            const result = await (forwarder && backend.stream
              ? backend.stream(pending.request, hints, forwarder())
              : backend.complete(pending.request, hints));
            // The item's next turn follows the tool: its slot is kept for it before this one is given back.
            const hold = pending.hints.holdSlot;
            if (hold && pending.owner && result.toolCalls.length > 0 && backend.concurrency !== "unbounded")
              slots.reserve(pending.owner.itemId, hold.ms, hold.share);
            return result;
          } finally {
            stats.inflight--;
            stats.record.requestEnded(pending.batch.node, performance.now() - started, stats.inflight);
          }
        },
        timeoutMs,
        signal,
      );
    try {
      const result = await withRetry(
        (signal) =>
          backend.concurrency === "unbounded"
            ? attempt(signal)
            : slots.run(() => attempt(signal), pending.hints.queuePriority, pending.owner?.itemId),
        retry,
        {
          signal: pending.hints.signal,
          onRetry: () => {
            stats.retries++;
            if (pending.batch.node) stats.record.node(pending.batch.node).retries++;
          },
          onTimeout: () => stats.timeouts++,
          firstSentAt: () => firstSentAt,
        },
      );
      stats.modelRequests++;
      stats.record.requestAnswered(pending.batch.node, pending.batch.model, result.usage);
      span?.end(result);
      pending.resolve(result);
    } catch (error) {
      span?.end(undefined, error);
      const unusable = asUnusable(error, backend.keyEnv);
      if (unusable) this.options.onUnusable?.(unusable);
      pending.reject(unusable ?? error);
    } finally {
      this.inflight -= itemsOf(pending);
    }
  }

  /**
   * An attempt's time limit: none for Batch APIs (whose backends wait for their batches) or in-process backends,
   * else the policy's.
   */
  private timeoutFor(request: ChatRequest): number | undefined {
    const { backend } = this.options;
    if (backend.concurrency === "unbounded" || backend.inProcess) return undefined;
    return this.options.retry.requestTimeoutMs ?? defaultRequestTimeoutMs(request.maxTokens);
  }

  /** Fails everything still queued (on shutdown). */
  close(reason: Error): void {
    for (const queue of this.groups.values()) {
      clearTimeout(queue.timer);
      for (const pending of queue.pending.splice(0)) pending.reject(reason);
    }
    this.queued = 0;
  }
}
