// Feeds input items to the compiled top-level graph in chunks (one LangGraph invocation and checkpoint thread per
// chunk), keeping a bounded number of items live so the accumulator always has a full window to batch from, while
// memory stays flat for any input length. Chunk boundaries are fixed by input order, so `--resume` finds each
// chunk's checkpoint again.
import type { InputRecord } from "./input-reader.js";
import type { LiveItems } from "./live-items.js";
import type { WorkItem } from "./work-item.js";
import { emptyUsage } from "./chat.js";

export interface ChunkRunner {
  /** Runs (or resumes) chunk `index` holding `items` (the chunk's items not finished by an earlier run). */
  runChunk(index: number, items: WorkItem[]): Promise<void>;
  /** Items of a chunk that cannot run (bad input lines) or already finished; fresh ones count as admitted. */
  settle(records: InputRecord[]): void;
  /** True when the item finished in an earlier run. */
  isFinished(id: string): boolean;
}

export interface SchedulerOptions {
  chunkSize: number;
  /** Most items live at once (in chunks started and not finished). */
  window: number;
  stopping: () => boolean;
  /** Admitted items, admission and end of input are recorded here. */
  live: LiveItems;
  /** Called after admission opened or closed. */
  onAdmissionChange: () => void;
}

export function toWorkItem(record: Extract<InputRecord, { kind: "item" }>, entry: string): WorkItem {
  return {
    id: record.id,
    line: record.line,
    state: { ...record.state },
    at: entry,
    status: "running",
    written: [],
    usage: emptyUsage(),
  };
}

export async function scheduleChunks(
  records: AsyncIterable<InputRecord>,
  entry: string,
  runner: ChunkRunner,
  options: SchedulerOptions,
): Promise<void> {
  const running = new Set<Promise<void>>();
  const admission = (open: boolean) => {
    options.live.setAdmitting(open);
    options.onAdmissionChange();
  };
  let inWindow = 0;
  let index = 0;
  let chunk: InputRecord[] = [];
  const errors: unknown[] = [];

  const start = async (records: InputRecord[]) => {
    const chunkIndex = index++;
    runner.settle(records.filter((r) => r.kind === "invalid" || runner.isFinished(r.id)));
    const items = records.filter(
      (r): r is Extract<InputRecord, { kind: "item" }> => r.kind === "item" && !runner.isFinished(r.id),
    );
    if (items.length === 0) return;
    while (inWindow + items.length > options.window && running.size > 0) {
      admission(false);
      await Promise.race(running);
    }
    if (options.stopping()) return;
    inWindow += items.length;
    options.live.admit(items.length);
    const task = runner
      .runChunk(
        chunkIndex,
        items.map((r) => toWorkItem(r, entry)),
      )
      .catch((error: unknown) => {
        errors.push(error);
      })
      .finally(() => {
        inWindow -= items.length;
        running.delete(task);
        admission(!options.stopping());
      });
    running.add(task);
    admission(true);
  };

  for await (const record of records) {
    if (options.stopping()) break;
    chunk.push(record);
    if (chunk.length === options.chunkSize) {
      await start(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0 && !options.stopping()) await start(chunk);
  // Nothing more can be admitted, even when finishing chunks free the window (until now, a finishing chunk reopened
  // admission and the other chunks' partial batches waited out their max wait).
  options.live.endOfInput();
  admission(false);
  await Promise.all(running);
  if (errors.length > 0) throw errors[0];
}
