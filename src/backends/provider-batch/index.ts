// Provider Batch APIs as a ModelBackend: `anthropic-batch://`, `openai-batch://` and `file://DIR` (vLLM run-batch),
// durable and resumable through a SQLite journal next to the results. See README.md in this folder.
import { BatchJournal } from "./journal.js";
import { parseProviderBatchSpec, type ProviderBatchOptions } from "./backend-options.js";
import { AnthropicBatchDriver } from "./drivers/anthropic-driver.js";
import type { BatchDriver } from "./drivers/driver.js";
import { FileBatchDriver } from "./drivers/file-driver.js";
import { OpenAIBatchDriver } from "./drivers/openai-driver.js";
import { ProviderBatchBackend } from "./provider-batch-backend.js";

export { isProviderBatchSpec, parseProviderBatchSpec, type ProviderBatchOptions } from "./backend-options.js";
export { BatchJournal } from "./journal.js";
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
  const backend = new ProviderBatchBackend(createBatchDriver(options), journal, options);
  if (settings.resume) backend.resumeJournal();
  return backend;
}
