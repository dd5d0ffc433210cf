// The run's input, read once: the records the chunk scheduler takes, the first records the start-up warm-up looks
// at (peeked from the same reader and replayed, not read again) and the item count the progress bar shows (known
// for a file and an array of items; a stream or an iterator of items has no total).
import { createReadStream } from "node:fs";
import { readInput, type InputRecord, type RunInput } from "./input-reader.js";
import type { InputCheck } from "./input-schema.js";

export class InputSource {
  private readonly reader: AsyncGenerator<InputRecord>;
  private readonly peeked: InputRecord[] = [];

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

  /** The first `n` records (fewer when the input is shorter); they are yielded again by `records()`. */
  async peek(n: number): Promise<InputRecord[]> {
    while (this.peeked.length < n) {
      const next = await this.reader.next();
      if (next.done) break;
      this.peeked.push(next.value);
    }
    return this.peeked.slice(0, n);
  }

  /** Every record in input order, peeked ones first; call once. */
  async *records(): AsyncGenerator<InputRecord> {
    while (this.peeked.length > 0) yield this.peeked.shift()!;
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
