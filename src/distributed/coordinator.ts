// The coordinator of a distributed run (`nexus run ... --queue redis://... --state postgres://...`): it reads the
// input lazily, cuts it into chunks by input order (so a resumed run cuts the same chunks), and enqueues each as a
// BullMQ job whose id is the run id and the chunk index, so enqueueing it again after a crash never makes a second
// job. At most `maxQueued` chunks are enqueued and not done at a time. Input lines that cannot run are recorded as
// error results here. Results are streamed from the shared state to `--out` as workers record them (each id once:
// the results file is the one the single-process run writes), and a last full pass picks up any row a concurrent
// writer committed out of order. A stop (Ctrl-C) enqueues nothing more, takes back the chunks no worker started, and
// waits for the running ones; `--resume` skips the chunks the shared state records as done.
import { Queue } from "bullmq";
import type { PostgresState } from "../runtime/postgres-state.js";
import { InputSource } from "../runtime/input-source.js";
import type { InputRecord, RunInput } from "../runtime/input-reader.js";
import { inputItemCheck } from "../runtime/input-schema.js";
import { ResultsWriter, type ResultLine } from "../runtime/results-writer.js";
import { RunStats } from "../runtime/run-stats.js";
import { exceedsTolerance, type FailureTolerance } from "../runtime/failure-tolerance.js";
import { emptyUsage } from "../runtime/chat.js";
import type { Workflow } from "../ir/workflow.js";
import { saveWorkflow } from "../ir/serialize.js";
import { addChunkStats, type ChunkStats } from "./chunk-stats.js";
import { chunkJobId, type QueueAddress } from "./queue-connection.js";
import type { ChunkJob, ChunkRunOptions, RunDefinition } from "./run-definition.js";

export interface CoordinatorOptions {
  workflow: Workflow;
  workflowFile?: string;
  input: RunInput;
  /** The results file; without one (`--out -`) every result goes to `onResult` only, and the run cannot resume. */
  out?: string;
  /** Hears every result line once, as it is streamed from the shared state. */
  onResult?: (line: ResultLine) => void;
  /** `--retry-failed` (with `resume`): items whose line is an error run again; their new lines supersede them. */
  retryFailed?: boolean;
  /** `--max-failures`: past it, no more chunks are enqueued and the running ones drain. */
  maxFailures?: FailureTolerance;
  queue: QueueAddress;
  state: PostgresState;
  runId: string;
  resume: boolean;
  chunkSize: number;
  /** Most chunks enqueued and not yet done at once (default 16). */
  maxQueued?: number;
  runOptions: ChunkRunOptions;
  /** Attempts of a chunk that fails (a worker that dies does not count: its chunk stalls and is handed on). */
  attempts?: number;
  stop?: AbortSignal;
  onProgress?: (stats: RunStats) => void;
  /** How often the shared state is polled for results and finished chunks, ms (default 100). */
  pollMs?: number;
}

export interface CoordinatorOutcome {
  stats: RunStats;
  interrupted: boolean;
  /** Why the run stopped early, when not by `stop` (Ctrl-C). */
  stoppedBy?: "max-failures";
  /** Items whose earlier error line was superseded by a new line (`retryFailed`). */
  retried: number;
  /** A chunk that failed on every attempt, with why: its items are left for --resume. */
  failedChunk?: { chunk: number; reason: string };
  chunks: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function requiredFields(workflow: Workflow): string[] {
  const required = workflow.mainGraph.stateSchema?.required;
  return Array.isArray(required) ? required.filter((f): f is string => typeof f === "string") : [];
}

export async function runCoordinator(options: CoordinatorOptions): Promise<CoordinatorOutcome> {
  const { state, runId } = options;
  const stats = new RunStats();
  const pollMs = options.pollMs ?? 100;
  const maxQueued = options.maxQueued ?? 16;
  const definition: RunDefinition = {
    workflow: saveWorkflow(options.workflow),
    workflowFile: options.workflowFile,
    options: options.runOptions,
  };
  await state.saveRun(runId, definition);
  const writer = new ResultsWriter(options.out);
  writer.open(options.resume, { retryFailed: options.retryFailed });
  const queue = new Queue<ChunkJob>(options.queue.name, { connection: options.queue.connection });
  queue.on("error", () => {}); // reconnects on its own; the calls that failed say why
  // Closing a queue whose connection is still being made (a resumed run with nothing to do) crashes in ioredis.
  await queue.waitUntilReady();
  const done = options.resume ? await state.doneChunks(runId) : new Set<number>();
  /** Chunks enqueued and not done. */
  const outstanding = new Set<number>();
  let lastSeq = 0;
  let failedChunk: CoordinatorOutcome["failedChunk"];
  let lastStateCheck = 0;
  let stoppedBy: CoordinatorOutcome["stoppedBy"];

  const take = (lines: ResultLine[]) => {
    for (const line of writer.write(lines)) {
      if (line.status === "ok") stats.succeeded++;
      else stats.failed++;
      options.onResult?.(line);
    }
    if (options.maxFailures && !stoppedBy && exceedsTolerance(options.maxFailures, stats.failed, stats.expectedItems))
      stoppedBy = "max-failures";
  };
  /** Streams new results to `out`, and learns which chunks are done (and which failed for good). */
  const pump = async () => {
    for (;;) {
      const rows = await state.resultsAfter(runId, lastSeq);
      if (rows.length === 0) break;
      lastSeq = rows[rows.length - 1].seq;
      take(rows.map((row) => row.line));
    }
    if (outstanding.size > 0) {
      const finished = await state.doneChunks(runId);
      for (const chunk of [...outstanding]) if (finished.has(chunk)) outstanding.delete(chunk);
    }
    if (Date.now() - lastStateCheck > 1000 && outstanding.size > 0) {
      lastStateCheck = Date.now();
      for (const chunk of outstanding) {
        const id = chunkJobId(runId, chunk);
        const jobState = await queue.getJobState(id);
        if (jobState === "failed" && !failedChunk) {
          const job = await queue.getJob(id);
          failedChunk = { chunk, reason: job?.failedReason ?? "unknown" };
        }
        // A job Redis lost (restarted without its latest writes) is enqueued again under the same id.
        if (jobState === "unknown" && !(await state.doneChunks(runId)).has(chunk)) await enqueue(chunk, undefined);
      }
    }
    options.onProgress?.(stats);
  };
  const jobItems = new Map<number, Record<string, unknown>[]>();
  const enqueue = async (chunk: number, items: Record<string, unknown>[] | undefined) => {
    const data = items ?? jobItems.get(chunk);
    if (!data) return;
    jobItems.set(chunk, data);
    const id = chunkJobId(runId, chunk);
    // A chunk that failed for good in the run before this one gets a fresh job on --resume.
    if (options.resume && (await queue.getJobState(id)) === "failed") await queue.remove(id);
    await queue.add(
      "chunk",
      { runId, chunk, items: data },
      {
        jobId: id,
        attempts: options.attempts ?? 3,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: true,
        removeOnFail: false,
      },
    );
  };
  const stopping = () => (options.stop?.aborted ?? false) || failedChunk !== undefined || stoppedBy !== undefined;

  const startChunk = async (chunk: number, records: InputRecord[]) => {
    const invalid = records.filter((r): r is Extract<InputRecord, { kind: "invalid" }> => r.kind === "invalid");
    // An input line that cannot run has its error line once: retrying it would only write the same error again.
    if (invalid.some((r) => !writer.hasLine(r.id))) {
      const lines = invalid.map((r) => ({
        id: r.id,
        status: "error" as const,
        output: null,
        error: r.error,
        usage: emptyUsage(),
      }));
      await state.insertResults(runId, lines);
    }
    const items = records
      .filter((r): r is Extract<InputRecord, { kind: "item" }> => r.kind === "item" && !writer.isDone(r.id))
      .map((r) => ({ ...r.state, id: r.id }));
    stats.resumed += records.length - invalid.length - items.length;
    if (items.length === 0 || (done.has(chunk) && !options.retryFailed)) return;
    while (outstanding.size >= maxQueued && !stopping()) {
      await pump();
      if (outstanding.size >= maxQueued) await sleep(pollMs);
    }
    if (stopping()) return;
    if (options.retryFailed)
      await state.retryItems(
        runId,
        items.map((item) => String(item.id)),
      );
    await state.addChunk(runId, chunk, items.length, options.retryFailed && done.has(chunk));
    await enqueue(chunk, items);
    outstanding.add(chunk);
  };

  let chunks = 0;
  let interrupted = false;
  let takenBack = false;
  try {
    const input = new InputSource(
      options.input,
      requiredFields(options.workflow),
      inputItemCheck(options.workflow.mainGraph.stateSchema),
    );
    let batch: InputRecord[] = [];
    for await (const record of input.records()) {
      if (stopping()) break;
      stats.items++;
      batch.push(record);
      if (batch.length === options.chunkSize) {
        await startChunk(chunks++, batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !stopping()) await startChunk(chunks++, batch);
    interrupted ||= stopping();
    stats.expectedItems = stats.items;
    while (outstanding.size > 0 && !failedChunk) {
      if (stopping() && !takenBack) {
        takenBack = interrupted = true;
        // Chunks no worker has started go back: --resume enqueues them again. Running ones finish.
        for (const chunk of [...outstanding])
          if ((await queue.remove(chunkJobId(runId, chunk))) === 1) outstanding.delete(chunk);
      }
      await pump();
      if (outstanding.size > 0) await sleep(pollMs);
    }
    // Rows committed out of seq order (concurrent writers) were skipped by the stream: one full pass takes them.
    lastSeq = 0;
    await pump();
    for (const chunkStats of await state.chunkStats(runId)) addChunkStats(stats, chunkStats as ChunkStats);
  } finally {
    writer.close();
    await queue.close();
  }
  return {
    stats,
    interrupted: interrupted || failedChunk !== undefined,
    retried: writer.retried,
    ...(stoppedBy ? { stoppedBy } : {}),
    chunks,
    ...(failedChunk ? { failedChunk } : {}),
  };
}
