// The state of one chunk of a distributed run, kept where every worker reaches it (Postgres): LangGraph checkpoints
// under thread ids of the run's own, and the run's results. The run's settings, fingerprint and status belong to the
// coordinator (its store next to `out`), so a worker's run records none of them.
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { ResultStore } from "./result-store.js";
import type { RunStateStore } from "./run-store.js";

export interface SharedRunState {
  checkpointer: BaseCheckpointSaver;
  results: ResultStore;
  /** Prefixed to the chunk thread ids (`<prefix>chunk-0`), unique per run and chunk. */
  threadPrefix: string;
}

/** The run-state store a worker's run uses: the shared checkpointer, and no records of its own. */
export function sharedStateStore(state: SharedRunState): RunStateStore {
  return {
    checkpointer: state.checkpointer,
    settings: () => undefined,
    saveSettings: () => {},
    saveFingerprint: () => {},
    setStatus: () => {},
    close: () => {},
  };
}
