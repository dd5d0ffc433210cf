// `nexus worker`: takes chunk jobs from the queue and runs each with the same runtime a single-process run uses
// (`runWorkflow`: accumulator, tool pool, this worker's backend), its checkpoints and results in the shared Postgres
// state. A chunk always runs as a resume: when a worker died with it (BullMQ's stalled-job check hands it to another
// worker), the next one continues from the chunk's last checkpoint, and items that already have a result are not
// run again. A chunk is marked done in the shared state before its job completes.
import { Worker, type Job } from "bullmq";
import { asBatchNative } from "../ir/batch-forms.js";
import { loadWorkflow } from "../ir/serialize.js";
import { PostgresNativeBatchJournal } from "../runtime/batch-native/postgres-batch-journal.js";
import type { Workflow } from "../ir/workflow.js";
import type { ModelBackend } from "../runtime/backend.js";
import { PostgresResultStore, type PostgresState } from "../runtime/postgres-state.js";
import { runWorkflow } from "../runtime/run-workflow.js";
import type { TrustPolicy } from "../runtime/trust/trust-policy.js";
import { chunkStatsOf } from "./chunk-stats.js";
import type { QueueAddress } from "./queue-connection.js";
import type { ChunkJob, RunDefinition } from "./run-definition.js";
import { WorkerMetrics } from "./worker-metrics.js";

export interface WorkerOptions {
  queue: QueueAddress;
  state: PostgresState;
  /**
   * The backend chunks run on: this worker's one, or a function that opens one per chunk (given the chunk's scope in
   * the shared state, `<run>/<chunk>`) and is closed after it
   * (provider batches: each chunk's journal is its own, in the shared state, so a chunk taken over re-attaches).
   */
  backend: ModelBackend | ((scope: ChunkScope) => Promise<ModelBackend>);
  /** Chunks run at once by this worker. */
  concurrency: number;
  maxInflight: number;
  trust?: TrustPolicy;
  /** How long a chunk's lock lasts without renewal: a worker silent this long is taken for dead. */
  lockMs?: number;
  metrics?: WorkerMetrics;
  log?: (line: string) => void;
}

/** A chunk's name in the shared state: its run id and index, `<run>/<chunk>`. */
export type ChunkScope = `${string}/${number}`;

export interface RunningWorker {
  /** Stops taking chunks and lets the running ones finish. */
  close(): Promise<void>;
  readonly metrics: WorkerMetrics;
}

interface LoadedRun {
  workflow: Workflow;
  definition: RunDefinition;
  checked: boolean;
  /** The workflow has batch-native nodes: each chunk keeps their outcomes in the shared state. */
  batchNative: boolean;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const metrics = options.metrics ?? new WorkerMetrics();
  const runs = new Map<string, Promise<LoadedRun>>();
  const loadRun = (runId: string): Promise<LoadedRun> => {
    let run = runs.get(runId);
    if (!run) {
      run = options.state.run(runId).then((stored) => {
        if (!stored) throw new Error(`run ${runId} is not in the shared state (was it started over?)`);
        const definition = stored as RunDefinition;
        const workflow = loadWorkflow(definition.workflow);
        const batchNative = [...workflow.allNodes()].some(({ node }) => asBatchNative(node) !== undefined);
        return { definition, workflow, checked: false, batchNative };
      });
      run.catch(() => runs.delete(runId));
      runs.set(runId, run);
    }
    return run;
  };

  const processChunk = async (job: Job<ChunkJob>): Promise<void> => {
    const { runId, chunk, items } = job.data;
    const run = await loadRun(runId);
    const results = new PostgresResultStore(
      options.state,
      runId,
      items.map((item) => String(item.id)),
    );
    const scope: ChunkScope = `${runId}/${chunk}`;
    const batchJournal = run.batchNative
      ? await PostgresNativeBatchJournal.open(options.state, scope, !run.definition.options.retryFailed)
      : undefined;
    const perChunk = typeof options.backend === "function";
    const backend = typeof options.backend === "function" ? await options.backend(scope) : options.backend;
    metrics.chunkStarted();
    const preflight = !run.checked;
    const handle = runWorkflow({
      workflow: run.workflow,
      workflowFile: run.definition.workflowFile,
      input: items,
      backend,
      trust: options.trust,
      resume: true,
      shared: { checkpointer: options.state.checkpointer, results, batchJournal, threadPrefix: `${scope}/` },
      chunkSize: Math.max(1, items.length),
      maxInflight: options.maxInflight,
      preflight,
      ...run.definition.options,
      onProgress: (stats) => metrics.progress(job.id!, stats),
    });
    let outcome: Awaited<typeof handle>;
    try {
      outcome = await handle;
    } finally {
      metrics.chunkEnded(job.id!);
      if (perChunk) await backend.close();
    }
    run.checked = true;
    if (outcome.interrupted)
      throw new Error(`chunk ${chunk} of run ${runId} was interrupted (${outcome.stoppedBy ?? "stopped"})`);
    await options.state.finishChunk(runId, chunk, chunkStatsOf(outcome.stats));
    metrics.chunkDone(outcome.stats);
    options.log?.(`chunk ${chunk} of run ${runId}: ${outcome.stats.succeeded} ok, ${outcome.stats.failed} failed`);
  };

  const lockDuration = options.lockMs ?? 30_000;
  const worker = new Worker<ChunkJob>(options.queue.name, processChunk, {
    connection: options.queue.connection,
    concurrency: options.concurrency,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    // A chunk whose worker died is handed on however often that happens: it resumes from its checkpoint.
    maxStalledCount: 1000,
    autorun: true,
  });
  worker.on("error", (error) => options.log?.(`queue: ${error.message}`));
  worker.on("failed", (job, error) => options.log?.(`chunk ${job?.data.chunk ?? "?"} failed: ${error.message}`));
  await worker.waitUntilReady();
  return {
    metrics,
    close: async () => {
      await worker.close();
    },
  };
}
