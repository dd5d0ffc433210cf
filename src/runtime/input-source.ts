// The run's input, read once: the records the chunk scheduler takes, the first records the start-up warm-up looks
// at (peeked from the same reader and replayed, not read again) and the item count the progress bar shows (known
// for a file and an array of items; a stream or an iterator of items has no total).
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { readInput, type InputRecord, type RunInput } from "./input-reader.js";
import type { InputCheck } from "./input-schema.js";
import type { RunStats } from "./run-stats.js";

export class InputSource {
  private readonly reader: AsyncGenerator<InputRecord>;
  private readonly peeked: InputRecord[] = [];
  /** A read that `peek` stopped waiting for: its record comes first after the peeked ones. */
  private next?: Promise<IteratorResult<InputRecord>>;
  private readonly reading = { ended: false };

  constructor(
    readonly input: RunInput,
    requiredFields: string[],
    check?: InputCheck,
    /** Only the first `limit` records are read. */
    limit?: number,
  ) {
    const reader = readInput(input, requiredFields, check);
    this.reader = limit === undefined ? reader : firstRecords(reader, limit);
  }

  /**
   * The first `n` records (fewer when the input is shorter, or when they do not arrive within `maxWaitMs`: a pipe
   * may send its next line much later); they are yielded again by `records()`.
   */
  async peek(n: number, maxWaitMs = Infinity): Promise<InputRecord[]> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      if (Number.isFinite(maxWaitMs)) timer = setTimeout(resolve, maxWaitMs, undefined);
    });
    try {
      while (this.peeked.length < n) {
        this.next ??= this.reader.next();
        const next = await Promise.race([this.next, late]);
        if (next === undefined) break;
        this.next = undefined;
        if (next.done) break;
        this.peeked.push(next.value);
      }
    } finally {
      clearTimeout(timer);
    }
    return this.peeked.slice(0, n);
  }

  /** Stops reading: a stream input (stdin) is destroyed, so a read that waits on it ends and the process can exit. */
  close(): void {
    if (this.input instanceof Readable && !this.input.destroyed) this.input.destroy();
  }

  /** Whether `records()` reached the input's end (it was not stopped first). */
  get ended(): boolean {
    return this.reading.ended;
  }

  /**
   * Every record in input order, peeked ones first, until `stopping()` turns true, also while the next one is
   * awaited: a stop does not wait for a pipe or a terminal that sends nothing more. Call once.
   */
  records(stopping: () => boolean = () => false): AsyncGenerator<InputRecord> {
    return untilStopping(this.all(), stopping, this.reading);
  }

  private async *all(): AsyncGenerator<InputRecord> {
    while (this.peeked.length > 0) yield this.peeked.shift()!;
    if (this.next) {
      const next = await this.next;
      this.next = undefined;
      if (next.done) return;
      yield next.value;
    }
    yield* this.reader;
  }
}

/** The first `limit` records of `reader`; the rest of the input is never read. */
async function* firstRecords(reader: AsyncGenerator<InputRecord>, limit: number): AsyncGenerator<InputRecord> {
  if (limit <= 0) return;
  let count = 0;
  for await (const record of reader) {
    yield record;
    if (++count >= limit) return;
  }
}

/** Counts the input in the background (a file, an array) for the progress total, capped by `limit`. */
export function countExpectedItems(
  options: { input: RunInput; limit?: number; onProgress?: (stats: RunStats) => void },
  stats: RunStats,
): void {
  void countInputItems(options.input).then(
    (count) => {
      if (count === undefined) return;
      stats.expectedItems = Math.min(count, options.limit ?? count);
      options.onProgress?.(stats);
    },
    () => {},
  );
}

/** Items in the input for a progress total, when it can be known without reading the input itself. */
export async function countInputItems(input: RunInput): Promise<number | undefined> {
  if (typeof input === "string") return countJsonlLines(input);
  return Array.isArray(input) ? input.length : undefined;
}

/**
 * Items in a JSONL file: its non-blank lines (what `readInput` turns into records), counted by one scan of the bytes
 * without parsing (UTF-16 input counts its lines in the low bytes, where its newlines and spaces are).
 */
async function countJsonlLines(file: string): Promise<number> {
  let count = 0;
  let lineHasContent = false;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) {
      if (byte === 10) {
        if (lineHasContent) count++;
        lineHasContent = false;
      } else if (byte !== 32 && byte !== 9 && byte !== 13 && byte !== 0) lineHasContent = true;
    }
  }
  return lineHasContent ? count + 1 : count;
}

/** How often a wait for the next input record checks whether the run is stopping, ms. */
const STOP_CHECK_MS = 50;

/**
 * The records until `stopping()` turns true, also while the next one is awaited. The input's own reader is left
 * pending (`close()` ends it). A record that arrives with the stop is not taken, like the rest of the input.
 */
async function* untilStopping<T>(
  records: AsyncIterable<T>,
  stopping: () => boolean,
  /** Set when the records ran out (not stopped). */
  reading: { ended: boolean },
): AsyncGenerator<T> {
  const iterator = records[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<undefined>((resolve) => {
    timer = setInterval(() => {
      if (stopping()) resolve(undefined);
    }, STOP_CHECK_MS);
    timer.unref();
  });
  try {
    for (;;) {
      if (stopping()) return;
      const next = await Promise.race([iterator.next(), stopped]);
      if (next === undefined || stopping()) return;
      if (next.done) {
        reading.ended = true;
        return;
      }
      yield next.value;
    }
  } finally {
    clearInterval(timer);
  }
}
