// `nexus status --queue redis://... [--state postgres://...] [--run ID]`: a distributed run's progress, from the
// queue (chunks waiting, active, stalled, failed; workers connected) and the shared state (items done and failed,
// chunks done). An active chunk is stalled when its lock has expired: its worker stopped renewing it (died) and the
// next stalled-job check hands it to another worker.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { PostgresState } from "../runtime/postgres-state.js";
import type { QueueAddress } from "./queue-connection.js";

export interface RunProgress {
  runId: string | undefined;
  items: { ok: number; failed: number } | undefined;
  chunks: { queued: number; active: number; stalled: number; delayed: number; failed: number; done?: number };
  workers: number;
}

export async function readStatus(
  queue: QueueAddress,
  state: PostgresState | undefined,
  runId: string | undefined,
): Promise<RunProgress> {
  const client = new Queue(queue.name, { connection: { ...queue.connection, maxRetriesPerRequest: 1 } });
  try {
    const run = runId ?? (await state?.latestRun());
    const mine = (id: string | undefined) => run === undefined || (id ?? "").startsWith(`${run}-c`);
    const [waiting, active, delayed, failed, workers] = await Promise.all([
      client.getWaiting(),
      client.getActive(),
      client.getDelayed(),
      client.getFailed(),
      client.getWorkers(),
    ]);
    const redis = new Redis({ ...queue.connection, maxRetriesPerRequest: 1 });
    let stalled = 0;
    try {
      for (const job of active.filter((j) => mine(j.id)))
        if ((await redis.exists(`${client.toKey(job.id!)}:lock`)) === 0) stalled++;
    } finally {
      redis.disconnect();
    }
    const count = (jobs: { id?: string }[]) => jobs.filter((job) => mine(job.id)).length;
    let done: number | undefined;
    let items: RunProgress["items"];
    if (state && run) {
      const counts = await state.resultCounts(run);
      items = { ok: counts.ok, failed: counts.error };
      done = (await state.doneChunks(run)).size;
    }
    return {
      runId: run,
      items,
      chunks: {
        queued: count(waiting),
        active: count(active) - stalled,
        stalled,
        delayed: count(delayed),
        failed: count(failed),
        ...(done === undefined ? {} : { done }),
      },
      workers: workers.length,
    };
  } finally {
    await client.close();
  }
}

export function formatStatus(progress: RunProgress): string {
  const { chunks } = progress;
  const lines = [
    `run: ${progress.runId ?? "(none recorded)"}`,
    ...(progress.items ? [`items: ${progress.items.ok} done, ${progress.items.failed} failed`] : []),
    `chunks: ${chunks.queued} queued, ${chunks.active} active, ${chunks.stalled} stalled, ${chunks.delayed} waiting to retry, ` +
      `${chunks.failed} failed${chunks.done === undefined ? "" : `, ${chunks.done} done`}`,
    `workers: ${progress.workers} connected`,
  ];
  return lines.join("\n") + "\n";
}
