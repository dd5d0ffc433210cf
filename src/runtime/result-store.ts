// Where a run records its result lines: the results file (`ResultsWriter`, the default) or a store shared by many
// processes (`PostgresResultStore`). Either way an item's line is recorded once: `isDone` is true as soon as `write`
// took the line, and a store shared between processes keeps one line per (run, item) whichever process wrote first.
import type { CorruptResultLine, ResultLine, ResumeOptions } from "./results-writer.js";

export interface ResultStore {
  /** Prepares for writing; with `resume`, first learns which items already have a line. */
  open(resume: boolean, options?: ResumeOptions): void | Promise<void>;
  /** True when the item needs no run: it has a line (an error line counts unless failed items are retried). */
  isDone(id: string): boolean;
  /** True when the store has any line for the item. */
  hasLine(id: string): boolean;
  /**
   * Records the lines of items not done before and returns those lines, at once for a local file, or as a promise
   * that settles once they are durable for a remote store.
   */
  write(results: ResultLine[]): ResultLine[] | Promise<ResultLine[]>;
  /** Lines that could not be read on resume (skipped; their items run again). */
  readonly corruptLines: CorruptResultLine[];
  /** Items whose earlier error line was superseded by a line this run wrote. */
  readonly retried: number;
  close(): void | Promise<void>;
}
