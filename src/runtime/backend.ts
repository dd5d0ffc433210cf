// The one interface every model backend implements, and the errors backends raise so the runtime can decide what
// to retry. Backends live in src/backends/, one folder each, and are chosen by the URL given to `--backend`.
import type { ChatRequest, ChatResult, RequestHints } from "./chat.js";
import { BackendUnusableError } from "../util/user-errors.js";

export interface ModelBackend {
  /** URL scheme family, e.g. "vllm", "anthropic", "sim". */
  readonly kind: string;
  complete(request: ChatRequest, hints: RequestHints): Promise<ChatResult>;
  /**
   * Answers like `complete`, calling `onDelta` with each piece of the answer's text as the server streams it (tool
   * calls come whole in the result). The accumulator uses it for requests whose hints carry `onDelta`.
   */
  stream?(request: ChatRequest, hints: RequestHints, onDelta: (text: string) => void): Promise<ChatResult>;
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
  /**
   * True when requests are answered in this process, with no connection that could go silent: the accumulator then
   * gives their attempts no time limit (a timer and an abort signal per request would be most of their overhead).
   */
  readonly inProcess?: boolean;
  /**
   * Checks, before the run admits its first item, that the backend can serve it: its key is set and accepted, it can
   * be reached, and it serves `models` (the names requests will carry). Throws BackendUnusableError when it cannot;
   * a check it cannot make (a server with no models endpoint, a passing 5xx) is skipped.
   */
  preflight?(models: string[]): Promise<void>;
  /** The environment variable that holds this backend's API key, for messages that say what to set. */
  readonly keyEnv?: string;
  /** Extra lines for the run report (e.g. batches submitted, per-status counts). */
  report?(): Record<string, unknown>;
  /**
   * Backends that send requests in provider batches tell the observer when each batch is submitted and when it
   * ends (batches already open are told at once): for the run's timeline and the progress line.
   */
  observeBatches?(observer: BatchObserver): void;
  /**
   * The engine's KV cache now: the share in use (0..1, `vllm:kv_cache_usage_perc`) and, when known, its capacity in
   * tokens; undefined when the engine does not say. Read by admission control (kv-admission, -O3) while a run goes.
   */
  kvCache?(): Promise<KvCacheReading | undefined>;
  /** Optional engine metrics (prefix cache hits, queue lengths), read at the end of a run. */
  metrics?(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Hears of a backend's provider batches (ids are the provider's batch ids, or the journal's marker until known). */
export interface BatchObserver {
  /** `submittedAt` is epoch milliseconds. */
  submitted(id: string, requests: number, submittedAt: number): void;
  ended(id: string): void;
}

/** The engine's KV cache as it reports it (see ModelBackend.kvCache). */
export interface KvCacheReading {
  /** Share of the KV cache in use, 0..1. */
  usage: number;
  capacityTokens?: number;
  /** Requests queued in the engine, not yet running (`vllm:num_requests_waiting`). */
  waiting?: number;
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

/** Statuses no retry and no other item can fix: the key is missing or refused, the model or endpoint is unknown. */
export function stopsTheRun(status: number | undefined): boolean {
  return status === 401 || status === 403 || status === 404;
}

/** What to do about a run-stopping status, for the one line the run stops with. */
export function unusableHelp(status: number | undefined, keyEnv: string | undefined): string {
  if (status === 404)
    return "check the model name and the backend URL (--model-map NAME=SERVED sends a model under the engine's name)";
  return keyEnv ? `set ${keyEnv} to a key the backend accepts` : "check the backend's API key";
}

/** The run-stopping form of a backend error, or undefined when the error fails only its own request. */
export function asUnusable(error: unknown, keyEnv?: string): BackendUnusableError | undefined {
  if (error instanceof BackendUnusableError) return error;
  if (error instanceof BackendError && stopsTheRun(error.status))
    return new BackendUnusableError(error.message, unusableHelp(error.status, keyEnv));
  return undefined;
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
