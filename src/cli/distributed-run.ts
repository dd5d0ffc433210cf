// `nexus run ... --queue redis://... --state postgres://...`: the process becomes the coordinator of a distributed
// run (src/distributed/coordinator.ts). It holds the run lock on `--out` like any run and keeps its run id, settings,
// fingerprint and status in `<out>.nexus.sqlite`, so `--resume`, `--restart` and `--force` mean what they mean for a
// single-process run; the chunks' checkpoints and results are in the shared state.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { Workflow } from "../ir/workflow.js";
import { resolvePricing } from "../pricing/resolve-pricing.js";
import type { RetryPolicy } from "../runtime/retry.js";
import type { RunFingerprint } from "../runtime/run-fingerprint.js";
import type { RunLock } from "../runtime/run-lock.js";
import { describeTolerance, exceedsTolerance, type FailureTolerance } from "../runtime/failure-tolerance.js";
import { UsageError } from "../util/user-errors.js";
import { EXIT } from "./exit-codes.js";
import { stoppedMessage } from "./stop-message.js";

export interface DistributedRunRequest {
  workflow: Workflow;
  workflowFile: string;
  input: string;
  /** The results file, or `-`: results to stdout (no run records, so no `--resume`). */
  out: string;
  queue: string;
  state?: string;
  backendUrl: string;
  /** The run lock and fingerprint (a run with a results file). */
  guarded?: { lock: RunLock; fingerprint: RunFingerprint };
  resume: boolean;
  retryFailed?: boolean;
  maxFailures?: FailureTolerance;
  chunkSize: number;
  /** Most chunks enqueued and not done at once (the coordinator's default when absent). */
  maxQueuedChunks?: number;
  retry: RetryPolicy;
  prefixWarmup?: "request" | "in-flight" | "off";
  defaultModel?: string;
  modelMap: Record<string, string>;
  timeScale: number;
  pricing?: string;
  report?: string;
  progress: boolean;
}

/** Why the distributed flags cannot be used as given, if they cannot. */
export function distributedUsageError(flags: {
  queue?: string;
  state?: string;
  out: string;
  input: string;
  retryFailed?: boolean;
  maxFailures?: string;
}): string | undefined {
  if (flags.state !== undefined && !/^postgres(ql)?:\/\//.test(flags.state))
    return `--state '${flags.state}' is not a PostgreSQL URL: give postgres://USER@HOST:PORT/DB`;
  if (flags.queue === undefined) {
    // One process with --state: its results go to Postgres and the file together (`TeeResultStore`).
    if (flags.state !== undefined && flags.out === "-")
      return "--state needs a results file (--out FILE): the results are also written to it";
    if (flags.state !== undefined && flags.retryFailed)
      return "--retry-failed with --state needs --queue (the coordinator marks the failed items for the workers)";
    return undefined;
  }
  if (flags.state === undefined)
    return "--queue needs --state postgres://...: the workers share the run's checkpoints and results there";
  return undefined;
}

export async function runDistributed(request: DistributedRunRequest, setExitCode: (code: number) => void) {
  const [{ PostgresState }, { runCoordinator }, { parseQueueUrl }, { RunStore }, { checkpointFileOf }, report, cost] =
    await Promise.all([
      import("../runtime/postgres-state.js"),
      import("../distributed/coordinator.js"),
      import("../distributed/queue-connection.js"),
      import("../runtime/run-store.js"),
      import("../runtime/previous-run.js"),
      import("../runtime/run-report.js"),
      import("../runtime/run-cost.js"),
    ]);
  const queue = parseQueueUrl(request.queue);
  let state: import("../runtime/postgres-state.js").PostgresState;
  try {
    state = await PostgresState.open(request.state!);
  } catch (error) {
    throw new UsageError(`cannot open --state ${request.state}: ${(error as Error).message}`);
  }
  const toStdout = request.out === "-";
  // `--out -` keeps no run records: its run id is new every time, and it cannot be resumed.
  const store = toStdout ? undefined : RunStore.open(checkpointFileOf(request.out), request.resume);
  const previous = store?.settings();
  const runId = (request.resume ? previous?.runId : undefined) ?? `run-${randomBytes(6).toString("hex")}`;
  const chunkSize = (request.resume ? previous?.chunkSize : undefined) ?? request.chunkSize;
  store?.saveSettings({ workflow: request.workflow.name, input: request.input, chunkSize, runId });
  if (request.guarded) store?.saveFingerprint(request.guarded.fingerprint);
  store?.setStatus("running");
  const stop = new AbortController();
  // A reader that goes away (`| head`) stops the run like Ctrl-C: results written to a closed pipe would be lost.
  let stdoutClosed = false;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    stdoutClosed = true;
    stop.abort();
  };
  if (toStdout) process.stdout.on("error", onStdoutError);
  const onSignal = () => {
    if (stop.signal.aborted) return;
    process.stderr.write("interrupt: enqueueing no more chunks; the workers finish the chunks they started...\n");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let lastLine = 0;
  try {
    process.stderr.write(`run ${runId}: chunks on ${queue.url} (queue ${queue.name}), state in ${request.state}\n`);
    const outcome = await runCoordinator({
      workflow: request.workflow,
      workflowFile: request.workflowFile,
      input: request.input,
      out: toStdout ? undefined : request.out,
      onResult: toStdout
        ? (line) => {
            if (!stdoutClosed) process.stdout.write(JSON.stringify(line) + "\n");
          }
        : undefined,
      retryFailed: request.retryFailed,
      maxFailures: request.maxFailures,
      queue,
      state,
      runId,
      resume: request.resume,
      chunkSize,
      maxQueued: request.maxQueuedChunks,
      runOptions: {
        retry: request.retry,
        prefixWarmup: request.prefixWarmup,
        defaultModel: request.defaultModel,
        modelMap: request.modelMap,
        toolTimeScale: request.backendUrl.startsWith("sim") ? request.timeScale : 1,
        ...(request.retryFailed ? { retryFailed: true } : {}),
      },
      stop: stop.signal,
      onProgress: (stats) => {
        if (!request.progress || Date.now() - lastLine < 2000) return;
        lastLine = Date.now();
        process.stderr.write(`progress: ${stats.done} items done (${stats.failed} failed)\n`);
      },
    });
    store?.setStatus(outcome.interrupted ? "interrupted" : "finished");
    const runReport = report.buildRunReport(outcome.stats, {
      workflow: request.workflow.name,
      backend: `${request.backendUrl} (workers on ${queue.url})`,
      interrupted: outcome.interrupted,
      cost: cost.estimateRunCost(
        outcome.stats,
        false,
        resolvePricing(request.workflow, request.pricing ?? process.env.NEXUS_PRICING ?? "", () => {}),
      ),
    });
    if (toStdout) process.stderr.write(report.formatRunReport(runReport) + `run id: ${runId}\n`);
    else {
      process.stdout.write(report.formatRunReport(runReport) + `results: ${request.out}\nrun id: ${runId}\n`);
      if (outcome.retried > 0)
        process.stdout.write(
          `retried: ${outcome.retried} failed items ran again; their new lines supersede the old ones\n`,
        );
    }
    if (request.report) writeFileSync(request.report, JSON.stringify(runReport, null, 2) + "\n");
    const where = toStdout ? "stdout" : request.out;
    const { failed, done } = outcome.stats;
    const tooMany = request.maxFailures
      ? exceedsTolerance(request.maxFailures, failed, outcome.stats.items)
      : failed > 0;
    if (outcome.failedChunk) {
      process.stderr.write(
        `stopped: chunk ${outcome.failedChunk.chunk} failed on every attempt (${outcome.failedChunk.reason}); ` +
          "fix the cause and continue with --resume\n",
      );
      return setExitCode(EXIT.internal);
    }
    if (stdoutClosed) {
      process.stderr.write(`stopped: stdout was closed after ${done} results\n`);
      return setExitCode(EXIT.inputErrors);
    }
    if (outcome.stoppedBy === "max-failures")
      process.stderr.write(
        `stopped: ${failed} items failed, more than --max-failures ${describeTolerance(request.maxFailures!)} allows\n`,
      );
    if (outcome.interrupted) {
      const how = outcome.stoppedBy ? "stopped" : "interrupted";
      process.stderr.write(stoppedMessage(how, outcome.stats, where, process.argv.slice(2), !toStdout));
      if (!outcome.stoppedBy) return setExitCode(EXIT.interrupted);
    }
    if (failed > 0)
      process.stderr.write(
        `${failed} of ${done} items failed (their result lines say why)` +
          (request.maxFailures && !tooMany
            ? `, within --max-failures ${describeTolerance(request.maxFailures)}\n`
            : "\n"),
      );
    if (tooMany) setExitCode(EXIT.itemsFailed);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    store?.close();
    await state.close();
  }
}
