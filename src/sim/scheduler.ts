// Continuous-batching scheduler (vLLM v1 style) driven by simulated time. Each step (one forward pass = one
// "batch" in the stats) decodes one token for every decoding sequence, continues chunked prefills, and admits
// waiting requests (FCFS, or by priority) while the running batch has room (maxRunningSeqs, token budget, KV
// blocks). Step durations come from the cost model. The loop is timer driven: it sleeps until the current step's
// simulated end time, executes every step that has ended, and stops when no work is left.

import { stepMs } from "./engine-timing.js";
import type { PrefixCache, SequenceHandle } from "./prefix-cache.js";
import type { EngineProfile } from "./profiles.js";
import type { SimClock } from "./sim-clock.js";
import type { Arrival, StatsRecorder } from "./stats.js";

export interface SequenceRequest {
  promptTokens: number[];
  outputTokens: number[];
  /** Higher first (Dynamo agent_hints.priority); only used when the scheduler honours priorities. */
  priority?: number;
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
    private readonly usePriority: boolean,
  ) {}

  get runningCount(): number {
    return this.running.length;
  }
  get waitingCount(): number {
    return this.waiting.length;
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

  private enqueue(seq: Sequence): void {
    if (!this.usePriority) {
      this.waiting.push(seq);
      return;
    }
    const p = seq.req.priority ?? 0;
    let i = this.waiting.length;
    while (i > 0 && (this.waiting[i - 1].req.priority ?? 0) < p) i--;
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
      if (!error) this.cache.append(seq.handle, seq.req.outputTokens);
      this.cache.release(seq.handle);
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

function abortError(message = "request aborted"): Error {
  const e = new Error(message);
  e.name = "AbortError";
  return e;
}
