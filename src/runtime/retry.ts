// Retries one backend request within a time budget (`--retry-for`), with exponential backoff and full jitter,
// honouring the server's `retry-after`, and gives every attempt a time limit (`--request-timeout`): an attempt that
// gets no answer in time is aborted and counts as a retryable failure. Permanent errors (4xx other than rate limits
// and timeouts) fail at once: they fail that item only.
import { BackendError } from "./backend.js";

export interface RetryPolicy {
  /** How long one request keeps being retried, from its first attempt, ms. */
  retryForMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Most attempts (default: as many as the time budget allows). */
  attempts?: number;
  /** Time limit of one attempt, ms; default `defaultRequestTimeoutMs` of the request's output tokens; 0: none. */
  requestTimeoutMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retryForMs: 5 * 60_000, baseDelayMs: 250, maxDelayMs: 20_000 };

/** Output tokens assumed for a request without `max_tokens` when its time limit is derived. */
export const ASSUMED_OUTPUT_TOKENS = 2048;

/**
 * The default time limit of one attempt: 60 s (queueing and prefill) plus 100 ms per output token (a decode rate of
 * 10 tokens/s, well under what a loaded engine gives one sequence), the output being the request's `max_tokens` or
 * 2,048 tokens when it sets none. 256 tokens: 85.6 s; unset: 264.8 s.
 */
export function defaultRequestTimeoutMs(outputTokens: number | undefined): number {
  return 60_000 + 100 * (outputTokens ?? ASSUMED_OUTPUT_TOKENS);
}

/** An attempt that got no answer within its time limit. */
export class RequestTimeoutError extends BackendError {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${seconds(timeoutMs)} (request timeout)`, undefined, true);
    this.name = "RequestTimeoutError";
  }
}

export interface RetryHooks {
  /** The item's signal: aborting it stops the request and any wait. */
  signal?: AbortSignal;
  /** This request's attempt time limit, ms (0 or undefined: none). */
  timeoutMs?: number;
  onRetry?: (error: BackendError, delayMs: number) => void;
  onTimeout?: () => void;
  /**
   * When the first attempt reached the backend, if later than the call (it waited for an inference slot): the budget
   * counts from then, so time queued behind other requests is not taken from it.
   */
  firstSentAt?: () => number | undefined;
  now?: () => number;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Delay before retry number `attempt` (1-based): full jitter over an exponential cap, or the server's request. */
export function backoffMs(attempt: number, policy: RetryPolicy, requested?: number, random = Math.random): number {
  if (requested !== undefined) return Math.min(requested, policy.maxDelayMs * 3);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * cap);
}

/** One attempt, aborted (through the signal it is given) when it outlasts `timeoutMs`. */
export async function withTimeout<T>(
  call: (signal: AbortSignal | undefined) => Promise<T>,
  timeoutMs: number | undefined,
  outer: AbortSignal | undefined,
): Promise<T> {
  if (!timeoutMs) return call(outer);
  const controller = new AbortController();
  const forward = () => controller.abort(outer!.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener("abort", forward, { once: true });
  // Made only when the limit is reached: an Error's stack trace costs more than the rest of a request's overhead.
  let timeout: RequestTimeoutError | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timeout = new RequestTimeoutError(timeoutMs);
      controller.abort(timeout);
      reject(timeout);
    }, timeoutMs);
  });
  const running = call(controller.signal);
  running.catch(() => {}); // once the time limit wins, the aborted call's own rejection is not wanted
  try {
    return await Promise.race([running, timedOut]);
  } catch (error) {
    throw timeout !== undefined && controller.signal.reason === timeout && !outer?.aborted ? timeout : error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", forward);
  }
}

/**
 * Calls `call` until it succeeds, fails permanently, or the time budget is spent. The budget counts from the first
 * attempt of this request (from when it reached the backend, with `firstSentAt`), so every request, and so every
 * item, gets the whole budget however long it queued behind others.
 */
export async function withRetry<T>(
  call: (signal: AbortSignal | undefined) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  hooks: RetryHooks = {},
): Promise<T> {
  const now = hooks.now ?? (() => performance.now());
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTimeout(call, hooks.timeoutMs, hooks.signal);
    } catch (error) {
      if (error instanceof RequestTimeoutError) hooks.onTimeout?.();
      if (!(error instanceof BackendError) || !error.retryable || hooks.signal?.aborted) throw error;
      const elapsed = now() - (hooks.firstSentAt?.() ?? started);
      const left = policy.retryForMs - elapsed;
      let delay = backoffMs(attempt, policy, error.retryAfterMs);
      // Our own backoff is cut to what is left of the budget; a server's retry-after is not (asking earlier is rude).
      if (error.retryAfterMs === undefined) delay = Math.min(delay, Math.max(0, left));
      if ((policy.attempts !== undefined && attempt >= policy.attempts) || left <= 0 || delay > left)
        throw gaveUp(error, attempt, elapsed, policy);
      hooks.onRetry?.(error, delay);
      if (delay > 0) await sleep(delay, hooks.signal);
    }
  }
}

/** The last error, saying how long the request was tried. */
function gaveUp(error: BackendError, attempts: number, elapsedMs: number, policy: RetryPolicy): BackendError {
  if (attempts === 1 && policy.attempts === 1) return error;
  return new BackendError(
    `${error.message} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"} over ${seconds(elapsedMs)}; retry budget ${seconds(policy.retryForMs)})`,
    error.status,
    error.retryable,
    error.retryAfterMs,
  );
}
