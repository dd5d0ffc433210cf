// A run's state kept in a shared store (Postgres): LangGraph checkpoints under thread ids of the run's own, and the
// run's results. The run's settings, fingerprint and status stay in the store next to `out` (`records`) when the run
// has one (a single-process run with `--state`); a worker's chunk of a distributed run records none of them (they
// belong to the coordinator).
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { BatchJournal } from "./batch-native/batch-journal.js";
import type { ResultStore } from "./result-store.js";
import type { RunStateStore } from "./run-store.js";

export interface SharedRunState {
  checkpointer: BaseCheckpointSaver;
  results: ResultStore;
  /** Prefixed to the chunk thread ids (`<prefix>chunk-0`), unique per run and chunk. */
  threadPrefix: string;
  /** Where batch-native outcomes are kept for a resume (default: this process's memory only). */
  batchJournal?: BatchJournal;
  /** Where the run's settings, fingerprint and status go. */
  records?: RunStateStore;
}

/** The run-state store of a run with shared state: the shared checkpointer, and `records` (when given). */
export function sharedStateStore(state: SharedRunState): RunStateStore {
  const records = state.records;
  return {
    checkpointer: state.checkpointer,
    settings: () => records?.settings(),
    saveSettings: (settings) => records?.saveSettings(settings),
    saveFingerprint: (fingerprint) => records?.saveFingerprint(fingerprint),
    setStatus: (status) => records?.setStatus(status),
    close: () => records?.close(),
  };
}
