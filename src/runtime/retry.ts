// Retries a backend call with exponential backoff and full jitter, honouring the server's `retry-after`.
// Permanent errors (4xx other than rate limits/timeouts) fail at once: they fail that item only.
import { BackendError } from "./backend.js";

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 20_000 };

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

/** Delay before retry number `attempt` (1-based): full jitter over an exponential cap, or the server's request. */
export function backoffMs(attempt: number, policy: RetryPolicy, requested?: number, random = Math.random): number {
  if (requested !== undefined) return Math.min(requested, policy.maxDelayMs * 3);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * cap);
}

export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (error: BackendError, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof BackendError) || !error.retryable || attempt >= policy.attempts || signal?.aborted)
        throw error;
      const delay = backoffMs(attempt, policy, error.retryAfterMs);
      onRetry?.(error, delay);
      await sleep(delay, signal);
    }
  }
}
