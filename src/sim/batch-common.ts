// Shared pieces of the Batch API emulators: timing/failure options, the batch timeline in simulated time
// (requests finish evenly spread over batchLatencyMs; cancellation and expiry cut processing short), failure
// injection and deterministic shuffling of result order.

import { hashToInt } from "./hash.js";

export interface BatchOptions {
  /** Simulated ms to process all requests of a batch (spread evenly). Default 10_000. */
  batchLatencyMs?: number;
  /** Simulated ms after creation at which unfinished batches expire. Default 24 h. */
  expireAfterMs?: number;
  /** Fraction (0..1) of requests that fail, chosen deterministically by custom_id. Default 0. */
  failRate?: number;
  /** Requests whose custom_id matches this regex fail. */
  failCustomIds?: string | RegExp;
  /** OpenAI: simulated ms in "validating" and in "finalizing". Default 500 each. */
  validationMs?: number;
  finalizeMs?: number;
  /** Simulated ms between a cancel request and the batch ending. Default 500. */
  cancelLatencyMs?: number;
  /** Requests whose custom_id matches are answered (and billed), but their result line is cut in half: not JSON. */
  corruptResultIds?: string | RegExp;
  /** Requests whose custom_id matches are answered (and billed) with an answer that is not one (no choices/content). */
  unreadableAnswerIds?: string | RegExp;
}

type IdPatterns = "failCustomIds" | "corruptResultIds" | "unreadableAnswerIds";
export type ResolvedBatchOptions = Required<Omit<BatchOptions, IdPatterns>> & {
  [K in IdPatterns]?: RegExp;
};

const pattern = (p: string | RegExp | undefined) => (p === undefined ? undefined : new RegExp(p));

/** A result line as a faulty provider writes it when its custom_id is in `corruptResultIds`: cut in half. */
export function resultLine(customId: string, json: string, options: ResolvedBatchOptions): string {
  return options.corruptResultIds?.test(customId) ? json.slice(0, Math.floor(json.length / 2)) : json;
}

export function resolveBatchOptions(o: BatchOptions = {}): ResolvedBatchOptions {
  return {
    batchLatencyMs: o.batchLatencyMs ?? 10_000,
    expireAfterMs: o.expireAfterMs ?? 24 * 3600_000,
    failRate: o.failRate ?? 0,
    failCustomIds: pattern(o.failCustomIds),
    corruptResultIds: pattern(o.corruptResultIds),
    unreadableAnswerIds: pattern(o.unreadableAnswerIds),
    validationMs: o.validationMs ?? 500,
    finalizeMs: o.finalizeMs ?? 500,
    cancelLatencyMs: o.cancelLatencyMs ?? 500,
  };
}

/** Injected failure for this request, if any: "api_error" or "overloaded" (chosen deterministically). */
export function injectedFailure(
  customId: string,
  options: ResolvedBatchOptions,
): "api_error" | "overloaded" | undefined {
  const h = hashToInt(`fail|${customId}`);
  const failed =
    options.failCustomIds?.test(customId) || (options.failRate > 0 && h / 0x1_0000_0000 < options.failRate);
  if (!failed) return undefined;
  return hashToInt(`kind|${customId}`) % 2 === 0 ? "api_error" : "overloaded";
}

/** Number of requests finished by `now` when processing started at `start` (evenly spread over latency). */
export function processedBy(now: number, start: number, total: number, latencyMs: number): number {
  if (now < start) return 0;
  if (latencyMs <= 0) return total;
  return Math.min(total, Math.floor((total * (now - start)) / latencyMs));
}

/** Fisher-Yates shuffle seeded by a string: results come back in a stable but non-submission order. */
export function shuffled<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = hashToInt(`${seed}|${i}`) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The body of an OpenAI list endpoint (`GET /v1/files`, `GET /v1/batches`) for one page. */
export function openAIListPage<T extends { id: string }>(data: T[], hasMore: boolean) {
  return {
    object: "list",
    data,
    has_more: hasMore,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  };
}

/** Cursor pagination over a newest-first list by id (shared by both list endpoints). */
export function pageAfter<T extends { id: string }>(
  items: readonly T[],
  afterId: string | null,
  beforeId: string | null,
  limit: number,
) {
  let start = 0;
  let end = items.length;
  if (afterId) start = items.findIndex((b) => b.id === afterId) + 1 || items.length;
  if (beforeId) {
    end = items.findIndex((b) => b.id === beforeId);
    if (end < 0) end = 0;
    start = Math.max(0, end - limit);
    return { data: items.slice(start, end), hasMore: start > 0 };
  }
  return { data: items.slice(start, start + limit), hasMore: start + limit < end };
}

export function parseLimit(value: string | null, fallback: number, max: number): number {
  const n = value === null ? fallback : Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}
