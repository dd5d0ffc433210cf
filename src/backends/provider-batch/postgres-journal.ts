// The provider-batch journal of a distributed run, durable in Postgres (`--state postgres://`). The journal's logic
// stays the SQLite one (`BatchJournal`), run against an in-memory database; every write is also appended, in order,
// to `nexus_batch_journal` under the journal's scope (run id and chunk), and the runner awaits `durable()` where a
// crash must not lose the write (before a batch is created, after its id is known, before results are used). The
// worker that takes over a chunk replays the scope's log into its own memory and so knows every batch the dead
// worker journaled: it re-attaches to them by marker instead of submitting again. A scope has one owner at a time:
// opening it takes it over, and an append by an earlier owner (a worker taken for dead that still runs) is refused.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { PostgresState } from "../../runtime/postgres-state.js";
import { BatchJournal } from "./journal.js";
import { JOURNAL_VERSION } from "./journal-schema.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS nexus_batch_journal_owners (scope text PRIMARY KEY, owner text NOT NULL);
CREATE TABLE IF NOT EXISTS nexus_batch_journal (
  scope text NOT NULL,
  seq integer NOT NULL,
  op text NOT NULL,
  args jsonb NOT NULL,
  at bigint NOT NULL,
  PRIMARY KEY (scope, seq)
);
`;

/** The journal's writes, by method name: each is logged with its arguments and replayed in the same order. */
const WRITES = [
  "setMeta",
  "insertBatch",
  "markSubmitting",
  "markSubmitted",
  "recordPoll",
  "markEnded",
  "recordOutcomes",
  "markDone",
  "abandon",
  "failWaiting",
  "setState",
] as const;
type Write = (typeof WRITES)[number];

interface LoggedWrite {
  op: Write;
  args: unknown[];
  at: number;
}

/** The journal was taken over by another process, or Postgres failed a write: this process must stop using it. */
export class JournalWriteError extends Error {
  override name = "JournalWriteError";
}

export class PostgresBatchJournal extends BatchJournal {
  private seq = 0;
  private replaying = false;
  private tail: Promise<void> = Promise.resolve();
  private failure?: JournalWriteError;

  private constructor(
    private readonly pool: pg.Pool,
    readonly scope: string,
    private readonly owner: string,
  ) {
    super(`postgres:${scope}`, ":memory:");
  }

  /** Takes the scope over and replays its log; `provider` and `spec` are recorded as a SQLite journal's are. */
  static async openScope(
    state: PostgresState,
    scope: string,
    options: { provider: string; spec: string },
  ): Promise<PostgresBatchJournal> {
    await state.createTables(SCHEMA);
    const journal = new PostgresBatchJournal(state.pool, scope, randomUUID());
    try {
      // The update waits for an earlier owner's append in flight; once committed, no earlier owner appends again.
      await state.pool.query(
        `INSERT INTO nexus_batch_journal_owners (scope, owner) VALUES ($1, $2)
         ON CONFLICT (scope) DO UPDATE SET owner = excluded.owner`,
        [scope, journal.owner],
      );
      const { rows } = await state.pool.query<{ seq: number; op: Write; args: unknown[]; at: string }>(
        "SELECT seq, op, args, at FROM nexus_batch_journal WHERE scope = $1 ORDER BY seq",
        [scope],
      );
      journal.replay(rows.map((row) => ({ op: row.op, args: row.args, at: Number(row.at) })));
      journal.seq = rows.length === 0 ? 0 : rows[rows.length - 1].seq + 1;
      const provider = journal.meta("provider");
      if (provider && provider !== options.provider)
        throw new Error(`${journal.file} is the journal of a ${provider} batch run, not ${options.provider}`);
      journal.setMeta("version", JOURNAL_VERSION);
      journal.setMeta("provider", options.provider);
      journal.setMeta("spec", options.spec);
      await journal.durable();
    } catch (error) {
      journal.close();
      throw error;
    }
    return journal;
  }

  private replay(writes: LoggedWrite[]): void {
    this.replaying = true;
    try {
      for (const write of writes) {
        this.clock = write.at;
        (BatchJournal.prototype[write.op] as (...args: unknown[]) => unknown).apply(this, write.args);
      }
    } finally {
      this.clock = undefined;
      this.replaying = false;
    }
  }

  /** Appends a write to the log (after the ones before it); `durable()` waits for every append so far. */
  private log(op: Write, args: unknown[], at: number): void {
    if (this.replaying) return;
    if (this.failure) throw this.failure;
    const seq = this.seq++;
    const text = JSON.stringify(args);
    this.tail = this.tail.then(async () => {
      if (this.failure) throw this.failure;
      try {
        const { rowCount } = await this.pool.query(
          `INSERT INTO nexus_batch_journal (scope, seq, op, args, at)
           SELECT $1, $2, $3, $4::jsonb, $5
           WHERE EXISTS (SELECT 1 FROM nexus_batch_journal_owners WHERE scope = $1 AND owner = $6 FOR SHARE)`,
          [this.scope, seq, op, text, at, this.owner],
        );
        if (rowCount === 0) throw new JournalWriteError(`${this.file} was taken over by another worker`);
      } catch (error) {
        this.failure ??=
          error instanceof JournalWriteError
            ? error
            : new JournalWriteError(`writing ${this.file} failed: ${(error as Error).message}`);
        throw this.failure;
      }
    });
    // A failed append is reported by the next durable(); it must not be an unhandled rejection meanwhile.
    this.tail.catch(() => undefined);
  }

  override durable(): Promise<void> {
    return this.tail;
  }
}

// Every write runs against the in-memory database, as in a SQLite journal, and is logged with the time it recorded.
for (const op of WRITES) {
  const write = BatchJournal.prototype[op] as (...args: unknown[]) => unknown;
  Object.defineProperty(PostgresBatchJournal.prototype, op, {
    configurable: true,
    writable: true,
    value: function (this: PostgresBatchJournal, ...args: unknown[]) {
      const self = this as unknown as { clock?: number; log(op: Write, args: unknown[], at: number): void };
      const at = Date.now();
      self.clock = at;
      try {
        const result = write.apply(this, args);
        self.log(op, args, at);
        return result;
      } finally {
        self.clock = undefined;
      }
    },
  });
}
