// What `nexus run` does before it opens a backend: takes the run lock on `--out` (a second run on the same files
// stops at once, naming the process that has them), looks at what an earlier run left there, and goes on only as
// the flags allow: `--resume` (the same input, workflow and backend), `--restart` (saying what it discards and what
// was already paid for), `--force` (over a finished run's results). Corrupt result lines a resume skips are named.
import type { Workflow } from "../ir/workflow.js";
import { EXIT } from "./exit-codes.js";
import type { RunFingerprint } from "../runtime/run-fingerprint.js";
import type { RunLock } from "../runtime/run-lock.js";

/** Exit code of a run that found another run on its files. */
export const EXIT_LOCKED = EXIT.locked;
/** Exit code of a run refused for its flags (a usage error). */
export const EXIT_REFUSED = EXIT.usage;

export interface GuardRequest {
  workflow: Workflow;
  workflowFile: string;
  backendUrl: string;
  input: string;
  out: string;
  resume?: boolean;
  restart?: boolean;
  force?: boolean;
  retryFailed?: boolean;
}

/** The lock and fingerprint of a run that may start, or the exit code of one that may not (the message printed). */
export async function guardRun(
  request: GuardRequest,
): Promise<{ lock: RunLock; fingerprint: RunFingerprint } | number> {
  const [{ RunLock, RunLockedError }, { runFingerprint }, previousRun, { BatchJournal }] = await Promise.all([
    import("../runtime/run-lock.js"),
    import("../runtime/run-fingerprint.js"),
    import("../runtime/previous-run.js"),
    import("../backends/provider-batch/journal.js"),
  ]);
  let lock: RunLock;
  try {
    lock = RunLock.acquire(request.out);
  } catch (error) {
    if (!(error instanceof RunLockedError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT_LOCKED;
  }
  try {
    const fingerprint = runFingerprint({
      workflow: request.workflow,
      workflowFile: request.workflowFile,
      input: request.input,
      backend: request.backendUrl,
    });
    const previous = previousRun.inspectPreviousRun(
      request.out,
      BatchJournal.summarize(previousRun.journalFileOf(request.out)),
    );
    const decision = previousRun.checkPreviousRun(previous, {
      resume: request.resume ?? false,
      restart: request.restart ?? false,
      force: request.force ?? false,
      retryFailed: request.retryFailed ?? false,
      fingerprint,
    });
    for (const notice of decision.notices) process.stderr.write(`${notice}\n`);
    if (decision.discard) previousRun.discardPreviousRun(previous);
    if (request.resume) {
      for (const bad of previous.results?.corrupt ?? []) {
        process.stderr.write(
          `warning: ${request.out}:${bad.line}: not a result line, skipped (its item runs again): ${bad.text}\n`,
        );
      }
    }
    return { lock, fingerprint };
  } catch (error) {
    lock.release();
    if (!(error instanceof previousRun.RunRefusedError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT_REFUSED;
  }
}
