// `nexus worker --queue redis://... --state postgres://... --backend URL`: take chunks of distributed runs from the
// queue and run them on this machine's backend until Ctrl-C (which stops taking chunks and lets the running ones
// finish). Any number of workers, on any machine; `--metrics-port` serves this worker's /metrics.
import type { Command } from "commander";
import { isProviderBatchSpec, openChunkProviderBatchBackend } from "../../backends/provider-batch/index.js";
import { UsageError } from "../../util/user-errors.js";
import { DEFAULT_TIME_SCALE, portNumber, positiveInteger, positiveNumber } from "../option-values.js";
import { addTrustOptions, type TrustFlags } from "../trust-options.js";

interface WorkerFlags extends TrustFlags {
  queue: string;
  state: string;
  backend: string;
  concurrency: number;
  maxInflight: number;
  timeScale: number;
  metricsPort?: number;
  lockMs: number;
  spillOver?: number;
}

export function registerWorkerCommand(program: Command): void {
  const command = program
    .command("worker")
    .description("run chunks of distributed runs (`nexus run --queue`) from a Redis queue on this machine's backend")
    .requiredOption("--queue <redis-url>", "the Redis the coordinator enqueues chunks in (redis://HOST:PORT)")
    .requiredOption("--state <postgres-url>", "the run's shared checkpoints and results (postgres://...)")
    .option(
      "-b, --backend <url>",
      "model backend (as for nexus run; several engine URLs: comma list or @FILE)",
      "sim://",
    )
    .option("--concurrency <n>", "chunks run at once", positiveInteger, 2)
    .option("--max-inflight <n>", "most model requests at the backend at once, per chunk", positiveInteger, 64)
    .option(
      "--time-scale <x>",
      "sim:// and simulated tools: real seconds per simulated second",
      positiveNumber,
      Number(DEFAULT_TIME_SCALE),
    )
    .option(
      "--spill-over <n>",
      "several engines: spill over past this many requests beyond the least loaded (64)",
      positiveInteger,
    )
    .option("--metrics-port <port>", "serve this worker's Prometheus /metrics on 127.0.0.1:PORT", portNumber)
    .option(
      "--lock-ms <ms>",
      "a worker silent this long is taken for dead and its chunk handed on",
      positiveInteger,
      30_000,
    );
  addTrustOptions(command);
  command.action(async (flags: WorkerFlags) => {
    const [{ startWorker }, { parseQueueUrl }, { PostgresState }, { selectBackend }, { trustPolicy }] =
      await Promise.all([
        import("../../distributed/worker.js"),
        import("../../distributed/queue-connection.js"),
        import("../../runtime/postgres-state.js"),
        import("../../backends/select-backend.js"),
        import("../../runtime/trust/trust-policy.js"),
      ]);
    const queue = parseQueueUrl(flags.queue);
    const trust = trustPolicy({
      allowEnv: flags.allowEnv,
      allowHosts: flags.allowHost,
      allowCommands: flags.allowCommand,
      allowModules: flags.allowModule,
      workingDir: process.cwd(),
      environment: process.env,
    });
    let state: import("../../runtime/postgres-state.js").PostgresState;
    try {
      state = await PostgresState.open(flags.state);
    } catch (error) {
      throw new UsageError(`cannot open --state ${flags.state}: ${(error as Error).message}`);
    }
    // Provider batches: one backend per chunk, journaled in the shared state (the chunk's scope), so a worker
    // taking over a chunk re-attaches to its batches instead of paying for them again.
    const batchBackend = isProviderBatchSpec(flags.backend)
      ? (scope: string) => openChunkProviderBatchBackend(flags.backend, state, scope)
      : undefined;
    const backend =
      batchBackend ??
      selectBackend(flags.backend, {
        maxInflight: flags.maxInflight * flags.concurrency,
        timeScale: flags.timeScale,
        spillOver: flags.spillOver,
        trust,
        warn: (line) => process.stderr.write(`${line}\n`),
      });
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const worker = await startWorker({
      queue,
      state,
      backend,
      concurrency: flags.concurrency,
      maxInflight: flags.maxInflight,
      trust,
      lockMs: flags.lockMs,
      log,
    });
    const metrics = flags.metricsPort === undefined ? undefined : await worker.metrics.serve(flags.metricsPort);
    const address = metrics?.address();
    log(
      `worker ${process.pid}: taking chunks from ${queue.url} (queue ${queue.name}) on ${flags.backend}` +
        (address && typeof address === "object" ? `; metrics on http://127.0.0.1:${address.port}/metrics` : ""),
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        log("worker: finishing the chunks it started, taking no more...");
        resolve();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await worker.close();
    metrics?.close();
    if (typeof backend !== "function") await backend.close();
    await state.close();
  });
}
