// What the coordinator records in the shared state for its workers: the compiled workflow and the options every
// chunk runs with. A worker brings only its own backend, inference slots and grants (`--allow-*`).
import type { IrFile } from "../ir/serialize.js";
import type { PrefixWarmup } from "../runtime/batch-accumulator.js";
import type { RetryPolicy } from "../runtime/retry.js";

export interface ChunkRunOptions {
  retry: RetryPolicy;
  prefixWarmup?: PrefixWarmup;
  defaultModel?: string;
  modelMap?: Record<string, string>;
  toolTimeScale?: number;
  validationAttempts?: number;
  /** `--retry-failed`: a chunk's failed items run again (in a thread of their own when its checkpoint holds them). */
  retryFailed?: boolean;
}

export interface RunDefinition {
  workflow: IrFile;
  /** The workflow file's name, for relative `function` tool paths on the workers. */
  workflowFile?: string;
  options: ChunkRunOptions;
}

/** A chunk job's data: its run, its index, and its items (validated by the coordinator; ids already assigned). */
export interface ChunkJob {
  runId: string;
  chunk: number;
  items: Record<string, unknown>[];
}
