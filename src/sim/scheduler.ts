// Continuous-batching scheduler (vLLM v1 style) driven by simulated time. Each step (one forward pass = one
// "batch" in the stats) decodes one token for every decoding sequence, continues chunked prefills, and admits
// waiting requests (by priority, then arrival) while the running batch has room (maxRunningSeqs, token budget, KV
// blocks). A decoding sequence that needs a new KV block when none can be evicted preempts the running sequence with
// the lowest priority, latest arrival (possibly itself), as vLLM does in recompute mode: its blocks are freed (still
// cached), it goes back to the waiting queue, and when admitted again it prefills its prompt and the tokens it had
// generated (whatever the prefix cache still holds is not recomputed). Step durations come from the cost model. The loop is timer driven: it sleeps until the current step's
// simulated end time, executes every step that has ended, and stops when no work is left.

import { stepMs } from "./engine-timing.js";
import type { PrefixCache, SequenceHandle } from "./prefix-cache.js";
import type { EngineProfile } from "./profiles.js";
import type { SimClock } from "./sim-clock.js";
import type { Arrival, StatsRecorder } from "./stats.js";

export interface SequenceRequest {
  promptTokens: number[];
  outputTokens: number[];
  /** Higher first (Dynamo agent_hints.priority, SGLang priority, vLLM -priority). */
  priority?: number;
  /** Ms the request counts as having arrived earlier in the waiting queue (Dynamo agent_hints.latency_sensitivity). */
  latencySensitivityMs?: number;
  /** Simulated ms the request's blocks are kept from eviction after it finishes (Dynamo nvext.cache_control). */
  pinMs?: number;
  cacheSalt?: string;
  /** Ids of earlier answers' tool calls this request's prompt refers to (for the dependency rounds in the stats). */
  followsCallIds?: readonly string[];
  /** Ids of the tool calls this request's answer will carry. */
  answerCallIds?: readonly string[];
  /** Provider-managed caching (Anthropic cache_control): these leading tokens are not prefilled, and the
   *  automatic prefix cache is bypassed. */
  cachedTokensOverride?: number;
  onFirstToken?(): void;
  onToken?(index: number): void;
  signal?: AbortSignal;
}

export interface SequenceResult {
  cachedTokens: number;
  /** Simulated ms: time spent waiting, to first token, end to end. */
  queueMs: number;
  ttftMs: number;
  e2eMs: number;
}

interface Sequence {
  req: SequenceRequest;
  arrivedAt: number;
  /** Queue order among equal priorities: arrival, earlier by the latency sensitivity. */
  queueKey: number;
  /** Times preempted; when > 0, the next admission recomputes the tokens generated so far. */
  preemptions: number;
  /** Output tokens already in the sequence's KV when it was last admitted (its handle holds the rest as it goes). */
  resumedAt: number;
  admittedAt: number;
  cachedTokens: number;
  prefillRemaining: number;
  produced: number;
  firstTokenAt: number;
  /** Dependency round and solo time (StatsRecorder.onReceived). */
  arrival: Arrival;
  handle?: SequenceHandle;
  resolve(r: SequenceResult): void;
  reject(e: unknown): void;
  cleanup?: () => void;
}

interface Step {
  end: number;
  duration: number;
  prefill: Array<{ seq: Sequence; tokens: number }>;
  decode: Sequence[];
}

export class Scheduler {
  private readonly waiting: Sequence[] = [];
  private readonly running: Sequence[] = [];
  private current: Step | null = null;
  private engineTime = 0;
  private timer: NodeJS.Timeout | null = null;
  private startPending = false;

  constructor(
    private readonly profile: EngineProfile,
    private readonly cache: PrefixCache,
    private readonly clock: SimClock,
    private readonly stats: StatsRecorder,
    /** Free blocks are evicted lowest request priority first (SGLang `--radix-eviction-policy priority`). */
    private readonly evictByPriority: boolean,
  ) {}

  get runningCount(): number {
    return this.running.length;
  }
  get waitingCount(): number {
    return this.waiting.length;
  }
  /** Simulated time of the last executed step's end: the engine's now. */
  get now(): number {
    return this.engineTime;
  }
  get idle(): boolean {
    return this.running.length === 0 && this.waiting.length === 0;
  }

  submit(req: SequenceRequest): Promise<SequenceResult> {
    if (req.signal?.aborted) return Promise.reject(abortError());
    this.advance();
    const now = this.clock.now();
    if (!this.current && this.running.length === 0 && !this.startPending) {
      // Idle engine: the first step starts at this arrival but is planned on the next macrotask, so that every
      // request submitted in the same tick joins it (JS overhead would otherwise be magnified by 1/timeScale).
      this.engineTime = Math.max(this.engineTime, now);
      this.startPending = true;
      setImmediate(() => {
        this.startPending = false;
        this.pump();
      });
    }
    // Requests submitted in the same tick as an idle start count as simultaneous arrivals.
    const arrivedAt = this.startPending ? this.engineTime : now;
    const arrival = this.stats.onReceived(req, this.profile);
    return new Promise<SequenceResult>((resolve, reject) => {
      const seq: Sequence = {
        req,
        arrivedAt,
        queueKey: arrivedAt - (req.latencySensitivityMs ?? 0),
        preemptions: 0,
        resumedAt: 0,
        admittedAt: 0,
        cachedTokens: 0,
        prefillRemaining: 0,
        produced: 0,
        firstTokenAt: 0,
        arrival,
        resolve,
        reject,
      };
      if (req.signal) {
        const onAbort = () => this.abort(seq);
        req.signal.addEventListener("abort", onAbort, { once: true });
        seq.cleanup = () => req.signal?.removeEventListener("abort", onAbort);
      }
      this.enqueue(seq);
      this.pump();
    });
  }

  /** Stop the loop and fail everything in flight (engine shutdown). */
  shutdown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
    for (const seq of [...this.running, ...this.waiting]) this.finish(seq, abortError("engine shut down"));
  }

  /** Waiting order: higher priority first, then earlier queue key (FCFS when no request carries hints). */
  private enqueue(seq: Sequence): void {
    let i = this.waiting.length;
    while (i > 0 && goesBefore(seq, this.waiting[i - 1])) i--;
    this.waiting.splice(i, 0, seq);
  }

  private pump(): void {
    this.advance();
    if (!this.current || this.timer) return;
    const delay = Math.max(0, (this.current.end - this.clock.now()) * this.clock.timeScale);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, delay);
  }

  /** Execute every step that has ended by now; plan the next one. */
  private advance(): void {
    const now = this.clock.now();
    for (;;) {
      if (!this.current) {
        if (this.idle || this.startPending) return;
        this.current = this.plan();
      }
      if (this.current.end > now) return;
      const step = this.current;
      this.current = null;
      this.engineTime = step.end;
      this.apply(step);
    }
  }

  private plan(): Step {
    let budget = this.profile.maxBatchedTokens;
    this.makeRoomForDecode();
    const decode = this.running.filter((s) => s.prefillRemaining === 0);
    budget -= decode.length;
    const prefill: Step["prefill"] = [];
    for (const seq of this.running) {
      if (seq.prefillRemaining > 0 && budget > 0) {
        const tokens = Math.min(seq.prefillRemaining, budget);
        prefill.push({ seq, tokens });
        budget -= tokens;
      }
    }
    while (this.waiting.length && this.running.length < this.profile.maxRunningSeqs && budget > 0) {
      const seq = this.waiting[0];
      const override = seq.req.cachedTokensOverride;
      if (
        override === undefined &&
        this.running.length > 0 &&
        !this.cache.canAllocate(seq.req.promptTokens, seq.req.cacheSalt)
      )
        break;
      this.waiting.shift();
      this.admit(seq);
      const tokens = Math.min(seq.prefillRemaining, budget);
      prefill.push({ seq, tokens });
      budget -= tokens;
    }
    const prefillTokens = prefill.reduce((n, p) => n + p.tokens, 0);
    const duration = stepMs(prefillTokens, decode.length, this.profile);
    return { end: this.engineTime + duration, duration, prefill, decode };
  }

  private admit(seq: Sequence): void {
    const { promptTokens, cachedTokensOverride, cacheSalt } = seq.req;
    if (seq.preemptions > 0) {
      // Recompute: the prompt and every token generated before the preemption, less what is still cached.
      const tokens = promptTokens.concat(seq.req.outputTokens.slice(0, seq.produced));
      seq.handle = this.cache.allocate(tokens, cacheSalt);
      seq.resumedAt = seq.produced;
      seq.prefillRemaining = tokens.length - seq.handle.cachedTokens;
      this.stats.onRecompute(seq.prefillRemaining);
      this.running.push(seq);
      return;
    }
    if (cachedTokensOverride !== undefined) {
      seq.cachedTokens = Math.max(0, Math.min(cachedTokensOverride, promptTokens.length - 1));
    } else {
      seq.handle = this.cache.allocate(promptTokens, cacheSalt);
      seq.cachedTokens = seq.handle.cachedTokens;
    }
    seq.prefillRemaining = promptTokens.length - seq.cachedTokens;
    seq.admittedAt = this.engineTime;
    this.running.push(seq);
    this.stats.onAdmitted(promptTokens.length, seq.cachedTokens);
  }

  /**
   * Every decoding sequence gets the KV block its next token needs; when none can be evicted, the running sequence
   * that goes last (lowest priority, latest queue key) is preempted, until the block fits or the sequence that needs
   * it was the one preempted.
   */
  private makeRoomForDecode(): void {
    for (let i = 0; i < this.running.length; i++) {
      const seq = this.running[i];
      if (!seq.handle || seq.prefillRemaining > 0) continue;
      const tokens = seq.req.promptTokens.length + seq.produced + 1;
      while (!this.cache.reserve(seq.handle, tokens)) {
        const victim = this.running.reduce((last, s) => (goesBefore(last, s) ? s : last));
        this.preempt(victim);
        if (victim === seq || this.running.length === 0) break;
      }
      if (!this.running.includes(seq)) i--;
    }
  }

  /** Back to the waiting queue, with the blocks it computed left in the cache (free) for its recompute. */
  private preempt(seq: Sequence): void {
    this.running.splice(this.running.indexOf(seq), 1);
    if (seq.handle) {
      this.cache.append(seq.handle, seq.req.outputTokens.slice(seq.resumedAt, seq.produced));
      this.cache.release(seq.handle, this.evictionPriority(seq));
      seq.handle = undefined;
    }
    seq.preemptions++;
    this.stats.onPreempted();
    this.enqueue(seq);
  }

  private evictionPriority(seq: Sequence): number {
    return this.evictByPriority ? (seq.req.priority ?? 0) : 0;
  }

  private apply(step: Step): void {
    const size = step.decode.length + step.prefill.length;
    const prefillTokens = step.prefill.reduce((n, p) => n + p.tokens, 0);
    this.stats.onStep(size, prefillTokens, step.duration);
    for (const seq of step.decode) if (this.running.includes(seq)) this.emit(seq);
    for (const { seq, tokens } of step.prefill) {
      if (!this.running.includes(seq)) continue;
      seq.prefillRemaining -= tokens;
      if (seq.prefillRemaining === 0) this.emit(seq);
    }
  }

  private emit(seq: Sequence): void {
    const index = seq.produced++;
    if (index === 0) {
      seq.firstTokenAt = this.engineTime;
      seq.req.onFirstToken?.();
    }
    seq.req.onToken?.(index);
    if (seq.produced >= seq.req.outputTokens.length) this.finish(seq);
  }

  private finish(seq: Sequence, error?: unknown): void {
    const r = this.running.indexOf(seq);
    if (r >= 0) this.running.splice(r, 1);
    const w = this.waiting.indexOf(seq);
    if (w >= 0) this.waiting.splice(w, 1);
    seq.cleanup?.();
    if (seq.handle) {
      if (!error) this.cache.append(seq.handle, seq.req.outputTokens.slice(seq.resumedAt));
      const pinUntil = !error && seq.req.pinMs ? this.engineTime + seq.req.pinMs : 0;
      this.cache.release(seq.handle, this.evictionPriority(seq), pinUntil);
    }
    if (error) return seq.reject(error);
    this.stats.onFinished(seq.req, seq.arrival);
    seq.resolve({
      cachedTokens: seq.cachedTokens,
      queueMs: seq.admittedAt - seq.arrivedAt,
      ttftMs: seq.firstTokenAt - seq.arrivedAt,
      e2eMs: this.engineTime - seq.arrivedAt,
    });
  }

  private abort(seq: Sequence): void {
    if (!this.running.includes(seq) && !this.waiting.includes(seq)) return;
    this.finish(seq, abortError());
    if (this.current) {
      this.current.decode = this.current.decode.filter((s) => s !== seq);
      this.current.prefill = this.current.prefill.filter((p) => p.seq !== seq);
    }
  }
}

/** True when `a` is scheduled before `b`: higher priority, then earlier queue key. */
function goesBefore(a: Sequence, b: Sequence): boolean {
  const pa = a.req.priority ?? 0;
  const pb = b.req.priority ?? 0;
  return pa !== pb ? pa > pb : a.queueKey < b.queueKey;
}

function abortError(message = "request aborted"): Error {
  const e = new Error(message);
  e.name = "AbortError";
  return e;
}
