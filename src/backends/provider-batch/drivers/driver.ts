// The provider side of a batch backend, one implementation per provider: Anthropic Message Batches, OpenAI Files +
// Batch, and a directory of OpenAI batch JSONL files for `vllm run-batch`. A driver encodes requests, submits a
// batch, reports its status, streams its results as outcomes, and finds a batch by the client's marker when the run
// that created it died before it could journal the id. It keeps no state: the journal does.
import type { ChatRequest, ChatResult, RequestHints } from "../../../runtime/chat.js";
import { BackendUnusableError } from "../../../util/user-errors.js";

export type ProviderName = "anthropic" | "openai" | "file";

/** One request ready for a batch: its provider body (custom_id is added per batch) and its size on the wire. */
export interface EncodedRequest {
  body: Record<string, unknown>;
  bytes: number;
}

export interface BatchLine {
  customId: string;
  body: Record<string, unknown>;
}

export interface BatchStatus {
  ended: boolean;
  /** The provider's own status word (`in_progress`, `ended`, `finalizing`, ...). */
  providerStatus: string;
  counts: Record<string, number>;
}

export type OutcomeKind = "succeeded" | "invalid" | "errored" | "expired" | "canceled";

/** One result line: the answer, or why there is none (`invalid`: the request itself is wrong, never retried). */
export type BatchOutcome =
  | { customId: string; kind: "succeeded"; result: ChatResult }
  | { customId: string; kind: Exclude<OutcomeKind, "succeeded">; message: string };

/**
 * A result line that could not be read: not JSON, or an answer that is not one. Its request may have been answered
 * and billed, so it is never sent again: the line is read again, then its request fails with this message. The
 * custom_id is given when it could be found in the text.
 */
export interface UnreadableLine {
  kind: "unreadable";
  customId?: string;
  message: string;
}

/** Longest excerpt of an unreadable line kept in its message. */
const EXCERPT_CHARS = 200;

/** An unreadable line: the reason, an excerpt of the text, and the custom_id if the text still shows one. */
export function unreadableLine(text: string, reason: string): UnreadableLine {
  const customId = /"custom_id"\s*:\s*"([A-Za-z0-9_-]{1,64})"/.exec(text)?.[1];
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}...` : text;
  return { kind: "unreadable", customId, message: `unreadable result line (${reason}): ${excerpt}` };
}

/** What the journal knows of a batch, as drivers need it. */
export interface JournaledBatch {
  marker: string;
  providerBatchId?: string;
  inputFileId?: string;
  requestCount: number;
  /** Epoch ms when the batch row was written (just before the provider was asked to create it). */
  createdAt: number;
  /** The batch's custom_ids in submission order (OpenAI validation errors name lines). */
  customIds: () => string[];
}

/** Facts from the journal that narrow a lookup: ids already ours, and the last batch recorded before this one. */
export interface LookupContext {
  knownIds: Set<string>;
  /** Provider id of the newest batch this journal recorded before the one looked up (older batches need no scan). */
  previousId?: string;
}

export type MarkerLookup =
  /** `confirmed`: the batch is certainly ours; otherwise the likely one, checked against results when they come. */
  | { found: true; providerBatchId: string; confirmed: boolean }
  /** `certain`: the provider has no such batch; otherwise ask again later (a candidate has not ended yet). */
  | { found: false; certain: boolean; reason: string };

/** A provider batch as `nexus batches list` shows it. */
export interface ProviderBatchSummary {
  id: string;
  status: string;
  createdAt: string;
  counts: Record<string, number>;
  marker?: string;
}

export interface BatchDriver {
  readonly provider: ProviderName;
  encode(request: ChatRequest, hints: RequestHints): EncodedRequest;
  /**
   * Creates the batch. `beforeCreate` runs after any upload and right before the create call, so the journal says
   * "may exist at the provider" before it can.
   */
  submit(
    marker: string,
    lines: BatchLine[],
    beforeCreate: (details: { inputFileId?: string }) => void | Promise<void>,
  ): Promise<{ providerBatchId: string; inputFileId?: string }>;
  retrieve(providerBatchId: string): Promise<BatchStatus>;
  /** The ended batch's results, in whatever order the provider gives them; a line that cannot be read is reported. */
  results(batch: JournaledBatch): AsyncIterable<BatchOutcome | UnreadableLine>;
  findByMarker(batch: JournaledBatch, context: LookupContext): Promise<MarkerLookup>;
  cancel(providerBatchId: string): Promise<BatchStatus>;
  list(limit: number): Promise<ProviderBatchSummary[]>;
  /** Deletes the uploaded input of a batch that was never created (OpenAI files), best effort. */
  discardInput?(inputFileId: string): Promise<void>;
  /** Checks the key and that `models` are served, before a run's first item (see ModelBackend.preflight). */
  preflight?(models: string[]): Promise<void>;
  /** The environment variable holding the key, for messages. */
  readonly keyEnv?: string;
  /** One request at full price outside any batch (prefix writes, realtime nodes); absent when there is no such API. */
  realtime?(request: ChatRequest, hints: RequestHints, cacheTtl: "5m" | "1h"): Promise<ChatResult>;
}

/** Status codes that prove a create call made no batch: the request was refused as it stands. */
export function isDefiniteRejection(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && ![408, 409, 425, 429].includes(status);
}

/** The HTTP status an SDK error carries, if any. */
export function errorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A provider error no retry can fix, as the error that stops the run: no key, a refused key (401/403), and with
 * `notFoundStops` a 404 (an endpoint that does not exist; while polling, a 404 means the batch is gone instead).
 */
export function permanentProviderError(
  error: unknown,
  provider: string,
  keyEnv: string,
  notFoundStops = false,
): BackendUnusableError | undefined {
  if (error instanceof BackendUnusableError) return error;
  const status = errorStatus(error);
  if (status === 401 || status === 403)
    return new BackendUnusableError(
      `${provider} refused the API key (${status}: ${errorText(error)})`,
      `set ${keyEnv} to a key it accepts`,
    );
  if (status === 404 && notFoundStops)
    return new BackendUnusableError(
      `${provider} has no such endpoint (404: ${errorText(error)})`,
      "check the backend URL",
    );
  return undefined;
}
