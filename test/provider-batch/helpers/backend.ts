// In-process provider batch backends for the SDK-level tests: a backend on a fresh journal, requests that share a
// long system prompt (so prompt caching applies), and waiting on the journal for a batch to reach a state.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchJournal,
  createProviderBatchBackend,
  type ProviderBatchBackend,
} from "../../../src/backends/provider-batch/index.js";
import type { BatchRow } from "../../../src/backends/provider-batch/journal-schema.js";
import type { ChatRequest, ChatResult, RequestHints } from "../../../src/runtime/chat.js";

export const LONG_SYSTEM =
  "You triage support tickets for a large software company and follow its handbook closely. ".repeat(90);

export function journalPath(): string {
  return join(mkdtempSync(join(tmpdir(), "nexus-batch-journal-")), "results.jsonl.batches.sqlite");
}

export function openBackend(url: string, journalFile: string, resume = false): ProviderBatchBackend {
  return createProviderBatchBackend(url, { journalFile, resume });
}

export function ticketRequest(i: number, overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: "claude-sonnet-4-6",
    messages: [
      { role: "system", content: LONG_SYSTEM },
      { role: "user", content: `Ticket ${i}: the export button does nothing.` },
    ],
    maxTokens: 16,
    ...overrides,
  };
}

export function ticketHints(i: number, extra: Partial<RequestHints> = {}): RequestHints {
  return { requestId: `t${i}/triage/classify/1`, cacheKey: "prefix-k1", ...extra };
}

/** Sends tickets 0..n-1 and settles them all. */
export function completeTickets(
  backend: ProviderBatchBackend,
  n: number,
  request: (i: number) => ChatRequest = (i) => ticketRequest(i),
): Promise<PromiseSettledResult<ChatResult>[]> {
  return Promise.allSettled(Array.from({ length: n }, (_, i) => backend.complete(request(i), ticketHints(i))));
}

export function journalBatches(file: string): BatchRow[] {
  const journal = BatchJournal.inspect(file);
  try {
    return journal.batches();
  } finally {
    journal.close();
  }
}

export async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The first batch of the journal that has a provider id. */
export function waitForSubmittedBatch(file: string): Promise<BatchRow> {
  return waitFor(() => journalBatches(file).find((b) => b.provider_batch_id !== null));
}
