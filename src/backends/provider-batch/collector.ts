// The BatchCollector turns requests arriving close together into provider batches: it sends once no request came
// for `collectMs`, once the oldest waited `collectMaxMs`, or at once when the provider's count or byte limit is
// reached; one batch per model (OpenAI requires it), split at the limits. When many requests of one flush share a
// prefix not yet in the provider's cache, one of them goes first, alone, to write it (a small batch or a realtime
// call, with the 1-hour TTL), and the others wait for it, as Anthropic recommends for batches. A prefix under the
// provider's minimum cacheable length (the batch annotation's `prefixCacheable`) is never written first: the
// provider would not cache it, and the extra batch round trip would buy nothing.

export interface CollectedRequest {
  key: string;
  model: string;
  /** Requests with equal cache keys share a prefix. */
  cacheKey?: string;
  /** False when the prefix is too short for the provider to cache: it is never written first. */
  prefixCacheable?: boolean;
  bytes: number;
}

export type BatchPurpose = "work" | "prefix-write";

export interface CollectorOptions<T extends CollectedRequest> {
  maxRequests: number;
  maxBytes: number;
  collectMs: number;
  collectMaxMs: number;
  /** Write shared prefixes first (false: never). */
  prefixWrite: boolean;
  /** Requests of one prefix in a flush from which its prefix is written first. */
  prefixWriteMin: number;
  /** How long a written prefix is trusted to stay cached (a little under the 1-hour TTL). */
  prefixLifetimeMs: number;
  send(requests: T[], purpose: BatchPurpose): void;
}

function groupInto<T>(groups: Map<string, T[]>, key: string, value: T): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}

type PrefixState = { writing: true } | { writing: false; at: number };

export class BatchCollector<T extends CollectedRequest> {
  /** Requests not yet sent, by model (a batch holds one model). */
  private readonly pending = new Map<string, { requests: Map<string, T>; bytes: number }>();
  /** Requests waiting for their prefix to be written, by cache key. */
  private readonly held = new Map<string, Map<string, T>>();
  private readonly prefixes = new Map<string, PrefixState>();
  private idleTimer?: NodeJS.Timeout;
  private oldestTimer?: NodeJS.Timeout;

  constructor(private readonly options: CollectorOptions<T>) {}

  get size(): number {
    let count = 0;
    for (const group of this.pending.values()) count += group.requests.size;
    for (const group of this.held.values()) count += group.size;
    return count;
  }

  add(request: T): void {
    let group = this.pending.get(request.model);
    if (group?.requests.has(request.key)) return;
    // A request that would take its model's batch past the byte limit starts the next batch.
    if (group && group.requests.size > 0 && group.bytes + request.bytes > this.options.maxBytes) {
      this.flush(request.model);
      group = undefined;
    }
    if (!group) this.pending.set(request.model, (group = { requests: new Map(), bytes: 0 }));
    group.requests.set(request.key, request);
    group.bytes += request.bytes;
    if (group.requests.size >= this.options.maxRequests || group.bytes >= this.options.maxBytes)
      this.flush(request.model);
    else this.schedule();
  }

  /** The provider refused a batch of this size: later batches stay under it. */
  lowerByteLimit(bytes: number): void {
    this.options.maxBytes = Math.max(1, Math.min(this.options.maxBytes, bytes));
  }

  /** Drops a request nobody waits for any more (not yet sent). */
  remove(key: string): void {
    for (const group of this.pending.values()) {
      const request = group.requests.get(key);
      if (!request) continue;
      group.requests.delete(key);
      group.bytes -= request.bytes;
    }
    for (const group of this.held.values()) group.delete(key);
  }

  /** The prefix-write batch for these keys ended: their held requests go out with the next flush. */
  prefixWritten(cacheKeys: Iterable<string>): void {
    for (const cacheKey of cacheKeys) {
      this.prefixes.set(cacheKey, { writing: false, at: Date.now() });
      const group = this.held.get(cacheKey);
      this.held.delete(cacheKey);
      for (const request of group?.values() ?? []) this.add(request);
    }
  }

  private schedule(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.flush(), this.options.collectMs);
    this.oldestTimer ??= setTimeout(() => this.flush(), this.options.collectMaxMs);
  }

  private prefixReady(cacheKey: string): boolean {
    const state = this.prefixes.get(cacheKey);
    return state !== undefined && !state.writing && Date.now() - state.at < this.options.prefixLifetimeMs;
  }

  /** Sends what is pending: one model's requests (it reached a limit) or, by default, everything. */
  flush(model?: string): void {
    const requests: T[] = [];
    for (const [name, group] of this.pending) {
      if (model !== undefined && name !== model) continue;
      for (const request of group.requests.values()) requests.push(request);
      this.pending.delete(name);
    }
    if (this.pending.size === 0) {
      clearTimeout(this.idleTimer);
      clearTimeout(this.oldestTimer);
      this.idleTimer = this.oldestTimer = undefined;
    }
    const ready: T[] = [];
    const writers: T[] = [];
    const byPrefix = new Map<string, T[]>();
    for (const request of requests) {
      if (request.cacheKey === undefined || request.prefixCacheable === false || !this.options.prefixWrite)
        ready.push(request);
      else groupInto(byPrefix, request.cacheKey, request);
    }
    for (const [cacheKey, group] of byPrefix) {
      const state = this.prefixes.get(cacheKey);
      if (state?.writing) this.hold(cacheKey, group);
      else if (this.prefixReady(cacheKey) || group.length < this.options.prefixWriteMin)
        for (const r of group) ready.push(r);
      else {
        this.prefixes.set(cacheKey, { writing: true });
        writers.push(group[0]);
        this.hold(cacheKey, group.slice(1));
      }
    }
    for (const batch of this.split(writers)) this.options.send(batch, "prefix-write");
    for (const batch of this.split(ready)) this.options.send(batch, "work");
  }

  private hold(cacheKey: string, requests: T[]): void {
    let group = this.held.get(cacheKey);
    if (!group) this.held.set(cacheKey, (group = new Map()));
    for (const request of requests) group.set(request.key, request);
  }

  /** One list per model, each cut where the next request would pass the count or byte limit. */
  private split(requests: T[]): T[][] {
    const byModel = new Map<string, T[]>();
    for (const request of requests) groupInto(byModel, request.model, request);
    const batches: T[][] = [];
    for (const list of byModel.values()) {
      let current: T[] = [];
      let bytes = 0;
      for (const request of list) {
        if (
          current.length > 0 &&
          (current.length >= this.options.maxRequests || bytes + request.bytes > this.options.maxBytes)
        ) {
          batches.push(current);
          current = [];
          bytes = 0;
        }
        current.push(request);
        bytes += request.bytes;
      }
      if (current.length > 0) batches.push(current);
    }
    return batches;
  }

  close(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.oldestTimer);
  }
}
