// What an earlier run left next to `out` (its results, its checkpoint store `<out>.nexus.sqlite`, a provider batch
// journal `<out>.batches.sqlite`), and whether a new run may go on: continue it (`--resume`, only when input,
// workflow and backend are the same), discard it and start over (`--restart`, saying what is discarded and what was
// already paid for), overwrite a finished one (`--force`), or stop with a message that says which flag does what.
// Nothing is deleted before the run holds the run lock and has decided.
import { existsSync, rmSync, statSync } from "node:fs";
import { counted } from "../util/text.js";
import { scanResultsFile, type ResultsFileScan } from "./results-writer.js";
import { fingerprintDifferences, type RunFingerprint } from "./run-fingerprint.js";
import { removeDatabase, RunStore, type StoredRun } from "./run-store.js";

/** What a provider batch journal holds (from the provider-batch backend, which owns its format). */
export interface JournalState {
  batches: number;
  live: string[];
  submittedRequests: number;
  answeredRequests: number;
}

export interface PreviousRun {
  out: string;
  checkpointFile: string;
  journalFile: string;
  /** The results file when it has any content. */
  results: ResultsFileScan | undefined;
  store: StoredRun | undefined;
  journal: JournalState | undefined;
}

export interface RunIntent {
  resume: boolean;
  restart: boolean;
  force: boolean;
  retryFailed: boolean;
  fingerprint: RunFingerprint;
}

/** The run may not go on as asked: the message says why and which flag would let it. */
export class RunRefusedError extends Error {}

export function checkpointFileOf(out: string): string {
  return `${out}.nexus.sqlite`;
}

export function journalFileOf(out: string): string {
  return `${out}.batches.sqlite`;
}

export function inspectPreviousRun(out: string, journal: JournalState | undefined): PreviousRun {
  const checkpointFile = checkpointFileOf(out);
  const hasResults = existsSync(out) && statSync(out).isFile() && statSync(out).size > 0;
  return {
    out,
    checkpointFile,
    journalFile: journalFileOf(out),
    results: hasResults ? scanResultsFile(out) : undefined,
    store: RunStore.inspect(checkpointFile),
    journal,
  };
}

/** True when the earlier run started and did not finish (killed, interrupted, or stopped by an error). */
function isUnfinished(previous: PreviousRun): boolean {
  const { store, journal } = previous;
  if (store) return store.status ? store.status !== "finished" : store.checkpointedChunks > 0;
  return (journal?.batches ?? 0) > 0;
}

function failedCount(results: ResultsFileScan | undefined): number {
  let failed = 0;
  for (const status of results?.lastStatus.values() ?? []) if (status === "error") failed++;
  return failed;
}

/** The earlier run's files, in words: what `--restart` discards. */
function describe(previous: PreviousRun, paid: boolean): string[] {
  const parts: string[] = [];
  const { results, store, journal } = previous;
  if (results) {
    const tokens = paid
      ? ` (${results.usage.promptTokens} prompt and ${results.usage.completionTokens} completion tokens already paid for)`
      : "";
    parts.push(`${counted(results.lastStatus.size, "result")} in ${previous.out}${tokens}`);
  }
  if (store) {
    parts.push(
      store.checkpointedChunks > 0
        ? `the checkpoints of ${counted(store.checkpointedChunks, "unfinished chunk")} in ${previous.checkpointFile}`
        : `the checkpoint file ${previous.checkpointFile}`,
    );
  }
  if (journal) {
    const sent = paid
      ? `; ${counted(journal.submittedRequests, "request was", "requests were")} already submitted to the provider ` +
        `and ${journal.answeredRequests} answered: they will be sent and paid for again`
      : `, ${counted(journal.submittedRequests, "request")} submitted`;
    parts.push(`the batch journal ${previous.journalFile} (${counted(journal.batches, "batch", "batches")}${sent})`);
  }
  return parts;
}

/** Why a run may not start over a journal whose batches are still at the provider (they are paid for). */
export function liveBatchesMessage(journalFile: string, live: string[]): string {
  return (
    `${journalFile} holds ${counted(live.length, "batch", "batches")} still at the provider (${live.join(", ")}): ` +
    "continue that run with --resume, or cancel them (nexus batches cancel ID) before starting over"
  );
}

function refuseLiveBatches(previous: PreviousRun): void {
  const live = previous.journal?.live ?? [];
  if (live.length > 0) throw new RunRefusedError(liveBatchesMessage(previous.journalFile, live));
}

/**
 * Decides whether the run may go on as `intent` asks. Returns what to tell the user and whether the earlier run's
 * files are to be discarded; throws RunRefusedError when the run must not start.
 */
export function checkPreviousRun(previous: PreviousRun, intent: RunIntent): { notices: string[]; discard: boolean } {
  if (intent.resume && (intent.restart || intent.force))
    throw new RunRefusedError("--resume continues a run; --restart and --force start over: choose one");
  if (intent.retryFailed && !intent.resume)
    throw new RunRefusedError("--retry-failed re-runs the failed items of an earlier run: use it with --resume");
  if (intent.resume) {
    const recorded = previous.store?.fingerprint;
    const differences = recorded ? fingerprintDifferences(recorded, intent.fingerprint) : [];
    if (differences.length > 0) {
      throw new RunRefusedError(
        `--resume would mix two runs in ${previous.out}: this run is not the one recorded in ${previous.checkpointFile}\n` +
          differences.map((line) => `  ${line}\n`).join("") +
          "Resume with the same input, workflow and backend, or start over with --restart.",
      );
    }
    return { notices: [], discard: false };
  }
  const found = previous.results !== undefined || previous.store !== undefined || previous.journal !== undefined;
  if (!found) return { notices: [], discard: false };
  refuseLiveBatches(previous);
  if (intent.restart) {
    const parts = describe(previous, true);
    return { notices: parts.length ? [`restart: discarding ${parts.join(", ")}`] : [], discard: true };
  }
  if (isUnfinished(previous)) {
    throw new RunRefusedError(
      `${previous.out} belongs to a run that did not finish: ${describe(previous, false).join(", ")}. ` +
        "Continue it with --resume, or discard it and start over with --restart",
    );
  }
  if (previous.results && !intent.force) {
    const failed = failedCount(previous.results);
    throw new RunRefusedError(
      `${previous.out} already holds the ${counted(previous.results.lastStatus.size, "result")} of a finished run` +
        (previous.store ? ` (its checkpoint file is ${previous.checkpointFile}): ` : ": ") +
        (failed > 0 ? `--resume --retry-failed re-runs its ${counted(failed, "failed item")}, ` : "") +
        "--force overwrites it, or write to another --out",
    );
  }
  const overwritten = previous.results
    ? [
        `force: overwriting the ${counted(previous.results.lastStatus.size, "result")} of the finished run in ${previous.out}`,
      ]
    : [];
  return { notices: overwritten, discard: true };
}

/** Removes the earlier run's results, checkpoint store and batch journal (after checkPreviousRun allowed it). */
export function discardPreviousRun(previous: PreviousRun): void {
  rmSync(previous.out, { force: true });
  removeDatabase(previous.checkpointFile);
  removeDatabase(previous.journalFile);
}
