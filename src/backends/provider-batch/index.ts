// Provider Batch APIs as a ModelBackend: `anthropic-batch://`, `openai-batch://` and `file://DIR` (vLLM run-batch),
// durable and resumable through a SQLite journal next to the results. See README.md in this folder.
import type { PostgresState } from "../../runtime/postgres-state.js";
import { BatchJournal, type ProviderBatchJournal } from "./journal.js";
import { parseProviderBatchSpec, type ProviderBatchOptions } from "./backend-options.js";
import { AnthropicBatchDriver } from "./drivers/anthropic-driver.js";
import type { BatchDriver } from "./drivers/driver.js";
import { FileBatchDriver } from "./drivers/file-driver.js";
import { OpenAIBatchDriver } from "./drivers/openai-driver.js";
import { ProviderBatchBackend } from "./provider-batch-backend.js";

export { isProviderBatchSpec, parseProviderBatchSpec, type ProviderBatchOptions } from "./backend-options.js";
export { BatchJournal, type ProviderBatchJournal } from "./journal.js";
export { ProviderBatchBackend } from "./provider-batch-backend.js";
export type { BatchDriver } from "./drivers/driver.js";

/** The journal a run keeps when none is named: next to its results. */
export const DEFAULT_JOURNAL = "results.jsonl.batches.sqlite";

export function createBatchDriver(options: ProviderBatchOptions): BatchDriver {
  const apiKey = process.env[options.keyEnv];
  switch (options.provider) {
    case "anthropic":
      return new AnthropicBatchDriver({ baseURL: options.baseURL, apiKey, keyEnv: options.keyEnv });
    case "openai":
      return new OpenAIBatchDriver({ baseURL: options.baseURL, apiKey, keyEnv: options.keyEnv });
    case "file":
      return new FileBatchDriver(options.baseURL!);
  }
}

export function createProviderBatchBackend(
  spec: string,
  settings: { journalFile?: string; resume?: boolean },
): ProviderBatchBackend {
  const options = parseProviderBatchSpec(spec);
  const journal = BatchJournal.open(settings.journalFile ?? DEFAULT_JOURNAL, {
    resume: settings.resume ?? false,
    provider: options.provider,
    spec,
  });
  return backendOver(journal, options, settings.resume ?? false);
}

/**
 * A backend for one chunk of a distributed run: its journal is the chunk's scope in the shared Postgres state, and
 * it always resumes, so a worker taking a chunk over re-attaches to the batches the one before it journaled.
 */
export async function openChunkProviderBatchBackend(
  spec: string,
  state: PostgresState,
  scope: string,
): Promise<ProviderBatchBackend> {
  const options = parseProviderBatchSpec(spec);
  const { PostgresBatchJournal } = await import("./postgres-journal.js");
  const journal = await PostgresBatchJournal.openScope(state, scope, { provider: options.provider, spec });
  return backendOver(journal, options, true);
}

function backendOver(journal: ProviderBatchJournal, options: ProviderBatchOptions, resume: boolean) {
  const backend = new ProviderBatchBackend(createBatchDriver(options), journal, options);
  if (resume) backend.resumeJournal();
  return backend;
}
