// The options every drop-in takes (the LangChain chat model, the AI SDK provider, the gateway): which backend, how
// requests are batched, and the run id that makes provider-batch work resumable. Defaults are written once, here.
import type { PrefixWarmup } from "../runtime/batch-accumulator.js";
import type { RetryPolicy } from "../runtime/retry.js";

export interface NexusBackendOptions {
  /** A backend URL as `nexus run --backend` takes it: `sim://`, `vllm://HOST:PORT`, `anthropic-batch://`, ... */
  backend?: string;
  /** Requests at the backend at once (`--max-inflight`); default 256. */
  maxInflight?: number;
  /** Most requests flushed together; default 256. */
  maxBatchSize?: number;
  /** How long the first request of a batch waits for siblings, ms; default 5. */
  maxWaitMs?: number;
  /** How a new shared prefix is warmed (default: as `nexus run` chooses for the backend). */
  prefixWarmup?: PrefixWarmup;
  /** Retry budget and per-attempt time limit (default: `nexus run`'s). */
  retry?: RetryPolicy;
  /**
   * Names this program's provider-batch work: a rerun with the same id re-attaches to the batches the journal
   * recorded and answers finished requests from it, instead of paying twice. Letters, digits, `.`, `_`, `-`.
   */
  runId?: string;
  /** Where journals of `runId` runs live; default `.nexus` in the working folder. */
  journalDir?: string;
}

export const DEFAULT_BACKEND = "sim://";
/**
 * vLLM's default `max_num_seqs`: an engine runs this many sequences in one batch, so a fan-out of independent calls
 * is held to no fewer (at 64, a 1,000-call fan-out took 2.3x as long as sending everything at once).
 */
export const DEFAULT_MAX_INFLIGHT = 256;
export const DEFAULT_MAX_BATCH_SIZE = 256;
export const DEFAULT_MAX_WAIT_MS = 5;
export const DEFAULT_JOURNAL_DIR = ".nexus";
