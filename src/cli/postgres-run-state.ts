// `nexus run ... --state postgres://...` without `--queue`: a single-process run whose checkpoints and results are
// kept in PostgreSQL (results also appended to `--out`, as always). Its run id, settings, fingerprint and status stay
// in `<out>.nexus.sqlite`, so `--resume`, `--restart` and `--force` work as for any run.
import { randomBytes } from "node:crypto";
import type { SharedRunState } from "../runtime/shared-run-state.js";
import type { RunStateStore } from "../runtime/run-store.js";
import { UsageError } from "../util/user-errors.js";

export interface PostgresRunState {
  shared: SharedRunState;
  close(): Promise<void>;
}

export async function openPostgresRunState(url: string, out: string, resume: boolean): Promise<PostgresRunState> {
  const [
    { PostgresState, PostgresResultStore },
    { RunStore },
    { checkpointFileOf },
    { ResultsWriter },
    { TeeResultStore },
  ] = await Promise.all([
    import("../runtime/postgres-state.js"),
    import("../runtime/run-store.js"),
    import("../runtime/previous-run.js"),
    import("../runtime/results-writer.js"),
    import("../runtime/tee-result-store.js"),
  ]);
  let state: import("../runtime/postgres-state.js").PostgresState;
  try {
    state = await PostgresState.open(url);
  } catch (error) {
    throw new UsageError(`cannot open --state ${url}: ${(error as Error).message}`);
  }
  const store = RunStore.open(checkpointFileOf(out), resume);
  const runId = (resume ? store.settings()?.runId : undefined) ?? `run-${randomBytes(6).toString("hex")}`;
  // The run's settings are saved with its run id, which a later --resume finds again.
  const records: RunStateStore = {
    checkpointer: store.checkpointer,
    settings: () => store.settings(),
    saveSettings: (settings) => store.saveSettings({ ...settings, runId }),
    saveFingerprint: (fingerprint) => store.saveFingerprint(fingerprint),
    setStatus: (status) => store.setStatus(status),
    close: () => store.close(),
  };
  const results = new TeeResultStore(new PostgresResultStore(state, runId), new ResultsWriter(out), state, runId);
  return {
    shared: { checkpointer: state.checkpointer, results, threadPrefix: `${runId}/`, records },
    close: () => state.close(),
  };
}
