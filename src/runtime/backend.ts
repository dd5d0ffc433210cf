// The one interface every model backend implements, and the errors backends raise so the runtime can decide what
// to retry. Backends live in src/backends/, one folder each, and are chosen by the URL given to `--backend`.
import type { ChatRequest, ChatResult, RequestHints } from "./chat.js";

export interface ModelBackend {
  /** URL scheme family, e.g. "vllm", "anthropic", "sim". */
  readonly kind: string;
  complete(request: ChatRequest, hints: RequestHints): Promise<ChatResult>;
  /**
   * "unbounded" for backends that queue work themselves (provider Batch APIs): the accumulator then sends all of a
   * flush at once instead of holding requests to `--max-inflight`.
   */
  readonly concurrency?: "bounded" | "unbounded";
  /**
   * True when the server lets a request reuse the prefill of an earlier request with the same prefix that is still
   * in flight: vLLM V1 caches KV blocks as it schedules them, SGLang holds back in-batch duplicates of an uncached
   * prefix, and the simulator models vLLM V1. Sending a group's first request ahead of its siblings is then enough;
   * a separate prefix warm-up would only add a round trip.
   */
  readonly sharesInflightPrefixes?: boolean;
  /** Extra lines for the run report (e.g. batches submitted, per-status counts). */
  report?(): Record<string, unknown>;
  /** Optional engine metrics (prefix cache hits, queue lengths), read at the end of a run. */
  metrics?(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** A backend error with what the runtime needs to decide: retry (after how long) or fail the item. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    /** Server-requested delay (`retry-after`), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "BackendError";
  }
}

/** Statuses worth retrying: timeouts, rate limits, overload and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** Parses `retry-after` (seconds or an HTTP date) and `retry-after-ms` headers into milliseconds. */
export function retryAfterMs(headers: { get(name: string): string | null | undefined }): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms && !Number.isNaN(Number(ms))) return Number(ms);
  const value = headers.get("retry-after");
  if (!value) return undefined;
  if (!Number.isNaN(Number(value))) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
